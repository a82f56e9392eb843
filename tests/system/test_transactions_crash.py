"""A deposit whose reply was lost because the transactions service died right after commit:
the retry with the same idempotency key returns the first reply and posts nothing twice."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster, pb  # noqa: E402
from tx_util import Coop, assert_books_balance, tx_request  # noqa: E402


@pytest.fixture
def crashing():
    c = Cluster(services=["members"])
    try:
        c.start()
        c.start_service("transactions", extra_env={"LUMBUNG_FAULT": "crash_after_commit"})
        yield c
    finally:
        c.stop()


def deposit(coop, member, amount_sen):
    return tx_request("deposit", {"cooperative_id": str(coop.id), "member_id": str(member),
                                  "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(amount_sen),
                                  "value_date": "2025-03-01"},
                      key="setoran-2025-03-01-001", after_members_seq=coop.seq)


def test_deposit_retried_after_a_crash_posts_once(crashing):
    c = crashing
    coop = Coop(c, "KSP Tahan Banting", serial_base=10)
    member = coop.member()
    with pytest.raises(TimeoutError):
        c.bus("transactions").call(deposit(coop, member, 500000), timeout=5)
    assert c.procs["transactions"].wait(10) == 99          # died after commit, before replying
    assert "crash_after_commit" in c.log("transactions")
    c.kill("transactions")                                  # forget the dead connection
    c.start_service("transactions")

    first = c.bus("transactions").call(deposit(coop, member, 500000), timeout=10)
    assert not first.HasField("error"), first.error
    posted = first.transactions.savings
    assert posted.amount_sen == 500000 and posted.balance_sen == 500000
    again = c.bus("transactions").call(deposit(coop, member, 500000), timeout=10)
    assert again.transactions.savings.entry_id == posted.entry_id

    conflict = c.bus("transactions").call(deposit(coop, member, 600000), timeout=10)
    assert (conflict.error.kind, conflict.error.code) == (
        pb.envelope_pb2.ERROR_KIND_CONFLICT, "idempotency_key_reused")

    assert coop.balance(member) == 500000
    entries = assert_books_balance(coop)
    assert [e.id for e in entries if e.member_id == member] == [posted.entry_id]
