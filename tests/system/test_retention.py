"""Retention: what the services keep only for a while, pruned in bounded steps on a timer.

The windows are seconds here (LUMBUNG_*_RETENTION_S); in production they are 30 days
(idempotency replies, outbox replay window) and five years (the gateway's audit trail).

- Idempotency: a retry inside the window is answered from the stored reply (same entry, no
  second posting); pruning removes exactly the replies past the window; a retry after the
  window is a new request (a second posting with a new entry).
- Outbox: not pruned past the cursor of a follower that lags (it registered by asking for a
  replay), even long after the window; once it has caught up everything but the newest event
  goes.
- Audit: entries older than the period are removed, the newer ones stay.
- A steady load over many windows keeps every store bounded.
"""
import datetime
from decimal import Decimal
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from crash_load import jakarta_today  # noqa: E402
from lumbung import Cluster, pb  # noqa: E402
from members_util import nik  # noqa: E402

WINDOW_S = 5
POLL_S = 0.05
# The idempotency table is keyed by the scoped key, so pruning walks it in key order, not by
# age: an expired reply goes when the walk next passes it, up to one pass after the window. A
# pass examines STEP entries per tick: 5,000 a second here, so the few thousand replies of the
# steady load below are walked in under a second, well inside the test's second window. (With
# 50 a step, a pass of 4,000 replies took 8 s, longer than the window, and CI held 4,063 of a
# bound of 4,062.) Tables larger than one step are still walked over several ticks.
STEP = 500
ENV = {"LUMBUNG_IDEMPOTENCY_RETENTION_S": str(WINDOW_S),
       "LUMBUNG_OUTBOX_RETENTION_S": str(WINDOW_S),
       "LUMBUNG_AUDIT_RETENTION_S": str(WINDOW_S),
       "LUMBUNG_PRUNE_INTERVAL_MS": "100", "LUMBUNG_PRUNE_STEP": str(STEP),
       "LUMBUNG_FOLLOWER_REPORT_MS": "100"}
BIRTH = datetime.date(1988, 3, 9)


def figures(cluster, service):
    req = pb.envelope_pb2.Request()
    req.ping.SetInParent()
    reply = cluster.bus(service).call(req, timeout=10)
    assert not reply.HasField("error"), reply.error
    return reply.pong


def idem_count(cluster):
    return figures(cluster, "transactions").metrics.idempotency_entries


def outbox_count(cluster):
    return figures(cluster, "transactions").metrics.outbox_entries


def audit_count(cluster):
    count, cursor = 0, None
    while True:
        r = cluster.api("GET", "/api/v1/audit?limit=500" + ("&cursor=%s" % cursor if cursor else ""))
        assert r.status == 200, r
        count += len(r.json["items"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return count


def wait_for(what, expected, deadline_s=60):
    """Polls `what()` until it equals `expected` (pruning runs on its timer)."""
    end = time.time() + deadline_s
    while True:
        got = what()
        if got == expected or time.time() > end:
            return got
        time.sleep(POLL_S)


class Coop:
    def __init__(self, c, name):
        r = c.api("POST", "/api/v1/cooperatives",
                  {"name": name, "type": "savings_loan", "group": "women", "district": "Coblong",
                   "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
        assert r.status == 201, r
        self.c, self.id = c, r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        r = c.api("POST", self.base + "/members",
                  {"nik": nik(BIRTH, True, 7001), "name": "Ibu Lestari", "sex": "female",
                   "birth_date": BIRTH.isoformat(), "address": "Desa Cikole",
                   "phone": "0812-7000-0001", "joined_on": "2025-01-02"})
        assert r.status == 201, r
        self.member = r.json["id"]

    def deposit(self, amount, key):
        r = self.c.api("POST", self.base + "/deposits",
                       {"member_id": self.member, "kind": "voluntary", "amount": amount,
                        "value_date": jakarta_today().isoformat()},
                       headers={"Idempotency-Key": key})
        assert r.status == 201, r
        return r.json["entry_id"]

    def balance(self):
        r = self.c.api("GET", self.base + "/members/%s/accounts" % self.member)
        assert r.status == 200, r
        return Decimal({i["kind"]: i["balance"] for i in r.json["items"]}["voluntary"])


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(env=ENV)
    try:
        c.start()
        yield c
    finally:
        c.stop()


def test_idempotency_replies_live_for_the_window_and_no_longer(cluster):
    coop = Coop(cluster, "KSP Ingat Sebulan")
    assert wait_for(lambda: idem_count(cluster), 0) == 0      # whatever came before expired
    first = {k: coop.deposit("1000.00", k) for k in ("dep-a1", "dep-a2", "dep-a3")}
    assert idem_count(cluster) == 3
    assert coop.deposit("1000.00", "dep-a1") == first["dep-a1"]       # inside: stored reply
    assert coop.balance() == 3000
    time.sleep(WINDOW_S + 0.5)                                 # the a's are past the window
    second = [coop.deposit("500.00", k) for k in ("dep-b1", "dep-b2")]
    assert wait_for(lambda: idem_count(cluster), 2) == 2       # the a's pruned, the b's kept
    assert idem_count(cluster) == 2
    assert coop.deposit("500.00", "dep-b1") == second[0]
    again = coop.deposit("1000.00", "dep-a2")                  # after: a new request
    assert again not in first.values() and again not in second
    assert coop.balance() == 5000
    assert idem_count(cluster) == 3


def replay_from(cluster, from_seq):
    """A replay as a follower asks for it: from_seq - 1 becomes this peer's cursor."""
    req = pb.envelope_pb2.Request()
    req.replay.from_seq = from_seq
    req.replay.max = 10
    reply = cluster.bus("transactions").call(req, timeout=10)
    assert not reply.HasField("error"), reply.error
    events = []
    for raw in reply.replay.events:
        ev = pb.envelope_pb2.Event()
        ev.ParseFromString(raw)
        events.append(ev.seq)
    return events, reply.replay.head_seq


def test_outbox_is_kept_past_a_slow_followers_cursor(cluster):
    coop = Coop(cluster, "KSP Pengikut Lambat")
    for i in range(6):
        coop.deposit("100.00", "slow-%d" % i)
    head = figures(cluster, "transactions").head_seq
    slow = head - 4                                            # the lagging follower has these
    assert replay_from(cluster, slow + 1)[0][0] == slow + 1
    time.sleep(WINDOW_S + 0.5)                                 # every event past the window
    assert wait_for(lambda: outbox_count(cluster), head - slow) == head - slow
    time.sleep(1.0)                                            # ten more pruning ticks
    assert outbox_count(cluster) == head - slow
    events, now_head = replay_from(cluster, 1)                 # the oldest kept is slow + 1
    assert events[0] == slow + 1 and now_head == head
    replay_from(cluster, head + 1)                             # it caught up
    assert wait_for(lambda: outbox_count(cluster), 1) == 1     # the newest always stays
    assert replay_from(cluster, head)[0] == [head]
    replay_from(cluster, head + 1)                             # and holds nothing back


def keep_up(cluster):
    """This test's peer follows as a follower would: it reports having the head."""
    replay_from(cluster, figures(cluster, "transactions").head_seq + 1)


def test_audit_entries_older_than_the_period_are_removed(cluster):
    coop = Coop(cluster, "KSP Jejak Audit")
    for i in range(3):
        coop.deposit("100.00", "aud-old-%d" % i)
    time.sleep(WINDOW_S + 0.5)
    for i in range(2):
        coop.deposit("100.00", "aud-new-%d" % i)
    assert wait_for(lambda: audit_count(cluster), 2) == 2
    r = cluster.api("GET", "/api/v1/audit?limit=500")
    assert sorted(e["idempotency_key"] for e in r.json["items"]) == ["aud-new-0", "aud-new-1"]


def test_stores_stay_bounded_under_steady_load(cluster):
    """A month of steady deposits in miniature: many windows of load, the stores sampled."""
    coop = Coop(cluster, "KSP Beban Tetap")
    posted, samples, history = 0, [], []
    # What the stores hold before the load (the cooperative's own events and audit entries).
    base = (idem_count(cluster), outbox_count(cluster), audit_count(cluster))
    end = time.time() + 4 * WINDOW_S
    while time.time() < end:
        for _ in range(20):
            coop.deposit("1.00", str(uuid.uuid4()))
            posted += 1
        keep_up(cluster)
        now = time.time()
        history.append((now, posted))
        # What retention may still hold at this sample: the deposits of the last two windows
        # (one window kept, up to one more before the next pruning pass), plus five rounds.
        before = max([n for t, n in history if t <= now - 2 * WINDOW_S], default=0)
        bound = posted - before + 100
        samples.append(((idem_count(cluster), outbox_count(cluster), audit_count(cluster)), bound))
    assert coop.balance() == posted
    # The idempotency replies and the audit trail hold one row per deposit: at no sample more
    # than the last two windows' (the outbox holds several events per deposit: the peak below).
    for held, bound in samples:
        assert held[0] <= bound + base[0] and held[2] <= bound + base[2], (held, bound, base)
    peak = [max(held[i] for held, _ in samples) for i in range(3)]
    # Pruning really ran: of four windows posted, never more than about two were held.
    assert all(p < posted * 0.6 for p in peak), (peak, posted)
    keep_up(cluster)
    assert wait_for(lambda: idem_count(cluster), 0) == 0
    assert wait_for(lambda: outbox_count(cluster), 1) == 1
    assert wait_for(lambda: audit_count(cluster), 1) == 1
