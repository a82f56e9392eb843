"""SIGKILL at arbitrary moments while clients deposit and withdraw: every operation that was
acknowledged is in the books exactly once, every retry with its idempotency key returns the
first answer, and the books balance. (test_transactions_crash.py kills at one chosen instant;
this one kills wherever the load happens to be.)"""
import os
import random
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BusClient, Cluster, pb  # noqa: E402
from tx_util import Coop, assert_books_balance, tx_request  # noqa: E402

CLIENTS = 4
OPERATIONS = 150          # per client
KILLS = 3
RETRYABLE = (pb.envelope_pb2.ERROR_KIND_UNAVAILABLE, pb.envelope_pb2.ERROR_KIND_TIMEOUT)


@pytest.fixture
def cluster():
    c = Cluster(services=["members", "transactions"])
    try:
        c.start()
        yield c
    finally:
        c.stop()


def operation(coop, member, key, op, amount):
    return tx_request(op, {"cooperative_id": str(coop.id), "member_id": str(member),
                           "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(amount),
                           "value_date": "2025-04-01"},
                      key=key, after_members_seq=coop.seq)


def answer(bus, request):
    """Sends until the service answers, as an integrator would: the same request, so the same
    idempotency key, after every timeout or unavailable service."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            reply = bus.call(request, timeout=2)
        except TimeoutError:
            continue                               # the service died with our request: retry
        if reply.HasField("error") and reply.error.kind in RETRYABLE:
            time.sleep(0.05)
            continue
        return reply
    raise TimeoutError("no answer within 60 s")


def run_client(c, coop, member, index, acknowledged, lock, failures):
    try:
        client_operations(c, coop, member, index, acknowledged, lock)
    except BaseException as e:                     # noqa: BLE001 — reported by the test
        failures.append("client %d: %r" % (index, e))


def client_operations(c, coop, member, index, acknowledged, lock):
    """Deposits (and now and then withdraws) until OPERATIONS are acknowledged."""
    rnd = random.Random(index)
    bus = BusClient(c, "transactions")
    try:
        for n in range(OPERATIONS):
            key = "c%d-op%d" % (index, n)
            op = "withdraw" if n % 5 == 4 else "deposit"
            amount = rnd.randrange(100, 100000) if op == "deposit" else 50
            first = answer(bus, operation(coop, member, key, op, amount))
            if first.HasField("error"):
                assert first.error.code == "insufficient_funds", first.error
                continue
            savings = first.transactions.savings
            with lock:
                acknowledged.append((key, op, amount, savings.entry_id))
            # A late duplicate of the same request must not post again.
            if n % 10 == 0:
                again = answer(bus, operation(coop, member, key, op, amount))
                assert again.transactions.savings.entry_id == savings.entry_id
    finally:
        bus.close()


def test_killed_at_random_moments_nothing_acknowledged_is_lost_or_doubled(cluster):
    c = cluster
    coop = Coop(c, "KSP Badai Reda", serial_base=700)
    member = coop.member()
    acknowledged, lock, failures = [], threading.Lock(), []
    threads = [threading.Thread(target=run_client,
                                args=(c, coop, member, i, acknowledged, lock, failures))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    total = CLIENTS * OPERATIONS
    for k in range(KILLS):
        while len(acknowledged) < total * (k + 1) // (KILLS + 1) and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        c.kill("transactions")
        c.start_service("transactions")
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert len(acknowledged) == CLIENTS * OPERATIONS

    entries = assert_books_balance(coop)
    mine = [e for e in entries if e.member_id == member]
    assert sorted(e.id for e in mine) == sorted(a[3] for a in acknowledged)   # each exactly once
    expected = sum(a[2] if a[1] == "deposit" else -a[2] for a in acknowledged)
    assert coop.balance(member) == expected
    assert c.log("transactions").count("transactions: serving,") == KILLS + 1  # really restarted
