"""Transactions as two shards (LUMBUNG_TRANSACTIONS_SHARDS=2, the default rule: cooperative id
mod 2): cooperatives on both shards take deposits and loans over HTTP and over the bus, each
shard holds only its own cooperatives, reporting's district dashboard and each cooperative's
books equal its shard's ledger, a request or a batch posting for another shard's cooperative
is refused with `wrong_shard` naming the field and posts nothing, and `lumbungctl
move-cooperative` moves a cooperative with the system stopped, its balances, statement, loans
and idempotency records intact, both shards passing `lumbungctl verify`."""
import datetime
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, Cluster, pb  # noqa: E402
from members_util import ADMIN  # noqa: E402
from reporting_util import ApiCoop  # noqa: E402
from tx_util import tx_request  # noqa: E402

SPAN = 1 << 48          # shard K's entry, loan and time-deposit ids: K * SPAN + 1, ...


@pytest.fixture(scope="module")
def sc():
    c = Cluster(shards=2)
    try:
        c.start()
        yield c
    finally:
        c.stop()


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "farmers", "Cidadap", datetime.date(1979, 3, 9), False
    PERSON, VILLAGE, PHONE = "Pak", "Desa Hegarmanah", "0812-5555"

    def shard(self):
        return int(self.id) % 2

    def repay(self, loan, amount, value_date="2025-02-10"):
        return self.post("/loans/%s/repayments" % loan, {"amount": amount, "value_date": value_date})

    def get(self, path):
        r = self.c.api("GET", self.base + path)
        assert r.status == 200, r
        return r.json


def coop_on(c, shard, name, serial):
    """A new cooperative on `shard`: ids are handed out 1, 2, 3, ... and go to id mod 2."""
    while True:
        coop = Coop(c, name, serial)
        if coop.shard() == shard:
            return coop


def books(coop):
    """A cooperative with cash, one member's savings and a loan repaid once:
    cash 5,000,000 + 300,000 - 1,200,000 + 112,000 = 4,212,000."""
    coop.opening("5000000")
    m = coop.member()
    coop.deposit(m, "voluntary", "300000")
    loan = coop.flat_loan(m, "1200000", 12)
    coop.repay(loan, "112000")          # instalment 1: 100,000 principal + 12,000 interest
    return m, loan


def trial(coop):
    tb = coop.get("/trial-balance")
    return {i["code"]: (i["debit_total"], i["credit_total"], i["balance"]) for i in tb["items"]}


def reported_trial(coop):
    tb = coop.get("/reports/trial-balance")
    return {i["code"]: (i["debit_total"], i["credit_total"], i["balance"]) for i in tb["items"]}


def bus_tx(c, backend, op, body, key=None, after_members_seq=None):
    return c.bus(backend).call(tx_request(op, body, ADMIN, key, after_members_seq), timeout=10)


def ping(c, name):
    req = pb.envelope_pb2.Request()
    req.ping.SetInParent()
    return c.bus(name).call(req, timeout=5).pong


def settle(c):
    """Until every follower has applied everything its producer has (before a stop)."""
    for _ in range(300):
        heads = {n: ping(c, n).head_seq for n in ["members"] + c.shard_names()}
        followers = [(f.stream, f.cursor) for n in c.shard_names() + ["reporting"]
                     for f in ping(c, n).followers]
        if all(cursor == heads[stream] for stream, cursor in followers):
            return
        time.sleep(0.05)
    raise AssertionError("followers never caught up")


def test_cooperatives_on_both_shards_book_over_http_and_reporting_equals_each_ledger(sc):
    a, b = coop_on(sc, 0, "KSP Genap", 100), coop_on(sc, 1, "KSP Ganjil", 200)
    for coop in (a, b):
        member, loan = books(coop)
        tb = trial(coop)
        assert tb["1-101"][2] == "4212000"
        assert tb["1-201"][2] == "1100000"          # loan outstanding
        assert tb["2-101"][2] == "300000"
        assert tb["4-101"][2] == "12000"
        # each shard hands out its own ids
        entries = coop.get("/journal")["items"]
        assert entries and all((int(e["id"]) >= SPAN) == (coop.shard() == 1) for e in entries)
        assert (int(loan) >= SPAN) == (coop.shard() == 1)
        # reporting (following both shards) states the same books, read right after writing
        assert reported_trial(coop) == tb
    settle(sc)
    heads = [str(ping(sc, name).head_seq) for name in sc.shard_names()]
    d = sc.api("GET", "/api/v1/district/dashboard")
    assert d.status == 200, d
    # a district-wide report states every shard's cursor, shard 0's also as as_of_seq
    assert (d.json["as_of_shard_seqs"], d.json["as_of_seq"]) == (heads, heads[0]), d.json
    ods = sc.api("GET", "/api/v1/district/ods?year=2025")
    assert ods.status == 200, ods
    assert (ods.json["as_of_shard_seqs"], ods.json["as_of_seq"]) == (heads, heads[0]), ods.json
    items = {i["cooperative_id"]: i for i in d.json["items"]}
    for coop in (a, b):
        tb = trial(coop)
        assets = sum(int(tb[code][2]) for code in tb if code.startswith("1-"))
        assert items[coop.id]["total_assets"] == str(assets) == "5312000"
        assert items[coop.id]["savings"] == "300000"
        assert items[coop.id]["loans"] == 1
        assert items[coop.id]["loans_outstanding"] == "1100000"


def test_each_shard_holds_only_its_cooperatives_and_names_the_owner(sc):
    a, b = coop_on(sc, 0, "KSP Pemilik", 300), coop_on(sc, 1, "KSP Tamu", 400)
    settle(sc)      # a bare bus read carries no after_members_seq: the replicas must have both
    for coop, wrong, owner in ((a, "transactions-1", "transactions"),
                               (b, "transactions", "transactions-1")):
        reply = bus_tx(sc, wrong, "trial_balance", {"cooperative_id": coop.id})
        e = reply.error
        assert (pb.envelope_pb2.ErrorKind.Name(e.kind), e.code, e.field) == (
            "ERROR_KIND_INVALID", "wrong_shard", "cooperative_id"), reply
        assert "cooperative %s lives on transactions shard %d (%s, tcp://" % (
            coop.id, coop.shard(), owner) in e.message, e.message
        right = bus_tx(sc, owner, "trial_balance", {"cooperative_id": coop.id})
        assert not right.HasField("error"), right.error


def test_deposits_over_the_bus_go_to_the_owning_shard_and_reporting_waits_per_shard(sc):
    b = coop_on(sc, 1, "KSP Bus", 500)
    m = b.member()
    settle(sc)      # a bare bus call carries no after_members_seq: the replica must have them
    body = {"cooperative_id": b.id, "member_id": m, "kind": "SAVINGS_KIND_VOLUNTARY",
            "amount_sen": 7500000, "value_date": "2025-01-06"}
    refused = bus_tx(sc, "transactions", "deposit", body, key="bus-shard-0")
    assert refused.error.code == "wrong_shard" and refused.error.field == "cooperative_id"
    reply = bus_tx(sc, "transactions-1", "deposit", body, key="bus-shard-1")
    assert not reply.HasField("error"), reply.error
    seq = reply.event_seq
    assert reply.transactions.savings.balance_sen == 7500000
    assert reply.transactions.savings.entry_id >= SPAN
    # reporting asked over the bus to wait for shard 1's sequence: the deposit is in the books
    req = pb.envelope_pb2.Request()
    req.actor.role = pb.envelope_pb2.ROLE_ADMIN
    req.actor.user = "admin"
    req.after_shard_seqs.extend([0, seq])
    req.reporting.trial_balance.cooperative_id = int(b.id)
    rep = sc.bus("reporting").call(req, timeout=10)
    assert not rep.HasField("error"), rep.error
    tb = rep.reporting.trial_balance
    assert tb.as_of_seq >= seq                      # the cursor of shard 1's stream
    lines = {i.code: i.balance_sen for i in tb.items}
    assert lines["1-101"] == 7500000 and lines["2-101"] == 7500000
    # the shard's members replica has only its own cooperatives' members
    other = bus_tx(sc, "transactions", "get_member_accounts",
                   {"cooperative_id": b.id, "member_id": m})
    assert other.error.code == "wrong_shard"


def test_a_batch_with_a_posting_for_another_shard_is_refused_and_posts_nothing(sc):
    a, b = coop_on(sc, 0, "KSP Batch Genap", 600), coop_on(sc, 1, "KSP Batch Ganjil", 700)
    ma, mb = a.member(), b.member()
    a.get("/members/%s/accounts" % ma)                  # shard 0 has applied the member
    head = ping(sc, "transactions").head_seq
    postings = [{"deposit": {"member_id": ma, "kind": "voluntary", "amount": "10000",
                             "value_date": "2025-01-06"}},
                {"deposit": {"cooperative_id": b.id, "member_id": mb, "kind": "voluntary",
                             "amount": "20000", "value_date": "2025-01-06"}}]
    r = sc.api("POST", a.base + "/batch", {"postings": postings},
               headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 400, r
    assert r.json["error"]["code"] == "wrong_shard"
    assert r.json["error"]["field"] == "postings[1].deposit.cooperative_id"
    assert "cooperative %s lives on transactions shard 1 (transactions-1" % b.id in r.json["error"]["message"]
    assert ping(sc, "transactions").head_seq == head          # no event: nothing posted
    accounts = a.get("/members/%s/accounts" % ma)
    assert [(i["kind"], i["balance"]) for i in accounts["items"]] == [
        ("principal", "0"), ("mandatory", "0"), ("voluntary", "0"), ("time_deposit", "0")], accounts
    # the same batch without the stranger posts on its own shard
    r = sc.api("POST", a.base + "/batch", {"postings": postings[:1]},
               headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 200 and r.json["posted"] == 1, r


def test_a_member_exit_is_settled_by_the_shard_of_its_cooperative(sc):
    """members decides the exit; only the owning shard posts the settlement, and the gateway's
    second call (the settlement) goes to that shard."""
    for shard in (1, 0):
        coop = coop_on(sc, shard, "KSP Keluar %d" % shard, 900 + 10 * shard)
        coop.opening("1000000")
        m = coop.member()
        coop.deposit(m, "voluntary", "400000")
        other = "transactions" if shard == 1 else "transactions-1"
        head = ping(sc, other).head_seq
        r = sc.api("POST", coop.base + "/members/%s/exit" % m,
                   {"reason": "resigned", "exit_on": "2025-03-10"})
        assert r.status == 200, r
        assert (r.json["refund"], r.json["debts"], r.json["net"]) == ("400000", "0", "400000")
        assert (int(r.json["entry_id"]) >= SPAN) == (shard == 1)
        assert trial(coop)["1-101"][2] == "1000000"
        members_head = ping(sc, "members").head_seq
        for _ in range(300):                          # the other shard has seen the exit...
            if [f.cursor for f in ping(sc, other).followers] == [members_head]:
                break
            time.sleep(0.02)
        assert [f.cursor for f in ping(sc, other).followers] == [members_head]
        assert ping(sc, other).head_seq == head       # ...and posted nothing


def test_status_metrics_and_readiness_show_each_shard(sc):
    assert sc.http("GET", "/readyz").json["services"] == {
        "members": "up", "transactions": "up", "transactions-1": "up", "reporting": "up"}
    text = sc.http("GET", "/metrics").text
    for name in ("transactions", "transactions-1"):
        assert re.search(r'lumbung_service_up\{service="%s"\} 1' % name, text), text[:3000]
    out = sc.ctl("status")
    assert re.search(r"^transactions-1\s+up\s+head \d+", out, re.M), out
    assert re.search(r"follows transactions-1\s+cursor \d+ of \d+\s+lag \d+", out), out


def ctl(c, *args):
    return subprocess.run([os.path.join(BIN, "lumbungctl"), *args], env=c.env,
                          capture_output=True, text=True, timeout=60)


def snapshot(coop, member, loan):
    return {"trial": trial(coop), "reported": reported_trial(coop),
            "accounts": coop.get("/members/%s/accounts" % member),
            "loan": coop.get("/loans/%s?as_of=2025-03-01" % loan),
            "journal": coop.get("/journal"),
            "statement": coop.get("/members/%s/statement?from=2025-01-01&to=2025-12-31" % member)}


def test_move_cooperative_keeps_its_books_and_both_shards_verify(sc):
    coop = coop_on(sc, 1, "KSP Pindah", 800)
    member, loan = books(coop)
    key = str(uuid.uuid4())
    coop.deposit(member, "voluntary", "50000", value_date="2025-01-07")
    r = sc.api("POST", coop.base + "/deposits",
               {"member_id": member, "kind": "voluntary", "amount": "25000",
                "value_date": "2025-01-08"}, headers={"Idempotency-Key": key})
    assert r.status == 201, r
    keyed_entry = r.json["entry_id"]
    before = snapshot(coop, member, loan)
    assert before["statement"]["lines"], before["statement"]

    refused = ctl(sc, "move-cooperative", coop.id, "0")
    assert refused.returncode == 1 and "is running: stop the system first" in refused.stderr, refused

    settle(sc)
    for name in reversed(sc.services):
        assert sc.stop_service(name) == 0
    moved = ctl(sc, "move-cooperative", coop.id, "0")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert re.match(r"cooperative %s moved from shard 1 \(transactions-1\) to shard 0 "
                    r"\(transactions\): 1 members, 6 entries, 1 loans, 0 time deposits, \d+ records"
                    % coop.id, moved.stdout), moved.stdout
    assert "%s = 0" % coop.id in open(os.path.join(sc.data_dir, "shard.map")).read()
    v = ctl(sc, "verify")
    assert v.returncode == 0, v.stdout + v.stderr
    assert "transactions-1: outbox of" in v.stdout and "verify: " in v.stdout, v.stdout
    # a map that gives the cooperative back to shard 1 does not match the stores: verify says so
    wrong_map = os.path.join(sc.tmp, "wrong.map")
    with open(wrong_map, "w") as f:
        f.write("%s = 1\n" % coop.id)
    bad = subprocess.run([os.path.join(BIN, "lumbungctl"), "verify"],
                         env=dict(sc.env, LUMBUNG_SHARD_MAP=wrong_map),
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1, bad.stdout
    assert "transactions: holds cooperative %s, which the shard map gives to shard 1" % coop.id \
        in bad.stdout, bad.stdout
    again = ctl(sc, "move-cooperative", coop.id, "0")
    assert again.returncode == 1 and "already on shard 0" in again.stderr, again

    sc._token = None
    sc.start()
    after = snapshot(coop, member, loan)
    # a report states the sequence of the stream of the cooperative's shard: now shard 0's
    seq_before, seq_after = before["statement"].pop("as_of_seq"), after["statement"].pop("as_of_seq")
    assert int(seq_before) <= ping(sc, "transactions-1").head_seq
    assert int(seq_after) <= ping(sc, "transactions").head_seq
    assert after == before
    # a retry with the key of a deposit made before the move answers from the stored reply
    r = sc.api("POST", coop.base + "/deposits",
               {"member_id": member, "kind": "voluntary", "amount": "25000",
                "value_date": "2025-01-08"}, headers={"Idempotency-Key": key})
    assert r.status == 201 and r.json["entry_id"] == keyed_entry, r
    # new postings of the cooperative are booked by shard 0, with shard 0's ids
    r = coop.deposit(member, "voluntary", "10000", value_date="2025-01-09")
    assert int(r["entry_id"]) < SPAN and r["balance"] == str(300000 + 50000 + 25000 + 10000)
    assert trial(coop)["1-101"][2] == str(4212000 + 50000 + 25000 + 10000)
    assert reported_trial(coop) == trial(coop)
    refused = bus_tx(sc, "transactions-1", "trial_balance", {"cooperative_id": coop.id})
    assert refused.error.code == "wrong_shard"
    # a backup of the district holds both shards and the map; it restores and verifies
    target = os.path.join(sc.tmp, "backup-after-move")
    out = ctl(sc, "backup", "all", target)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(os.listdir(target)) == ["MANIFEST", "gateway", "members", "reporting",
                                          "shard.map", "transactions", "transactions-1"]
    fresh = os.path.join(sc.tmp, "restored")
    r = subprocess.run([os.path.join(BIN, "lumbungctl"), "restore", target],
                       env=dict(sc.env, LUMBUNG_DATA=fresh), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "shard map restored into %s/shard.map" % fresh in r.stdout, r.stdout
    assert "verify: 5 stores in %s are sound" % fresh in r.stdout, r.stdout
    assert open(os.path.join(fresh, "shard.map")).read() == open(
        os.path.join(sc.data_dir, "shard.map")).read()
