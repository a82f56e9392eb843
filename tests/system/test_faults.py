"""Fault injection: the stores' write, pwrite/writev and fdatasync made to fail with EIO or
ENOSPC by the LD_PRELOAD shim build/tests/faultfs.so (tests/fault/faultfs.c), armed and
disarmed by a file while the services run.

- An EIO on a commit's write, pwrite (the meta page) or fdatasync is fatal: the service acknowledges nothing of that
  commit, exits with STORE_EXIT_FATAL (74) at the first failure (the fsync is never retried in
  place: the shim counts one injected failure), `make run`'s supervisor restarts it, the
  request is absent after recovery, the client's retry with the same key applies it once, and
  everything acknowledged before is there.
- ENOSPC (a full disk) is not fatal: the write is answered 503 store_unavailable, reads keep
  working, the service stays up, and the same request succeeds (once) when space is back."""
import datetime
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from crash_load import Supervised, jakarta_today  # noqa: E402
from lumbung import BUILD, Cluster, day, pb  # noqa: E402
from members_util import nik  # noqa: E402

SHIM = os.path.join(BUILD, "tests", "faultfs.so")
STORE_EXIT_FATAL = 74
BIRTH = datetime.date(1984, 2, 3)


def shim_env(armed, calls, errno, path):
    env = {"LD_PRELOAD": SHIM, "FAULTFS_CALLS": calls, "FAULTFS_ERRNO": errno,
           "FAULTFS_PATH": path, "FAULTFS_ARMED": armed, "FAULTFS_LOG": "1",
           "LUMBUNG_GATEWAY_TIMEOUT_MS": "2000"}
    if "build-san" in BUILD:        # the shim is not instrumented; ASan need not come first
        env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    return env


class Coop:
    def __init__(self, c, name, serial=1):
        r = c.api("POST", "/api/v1/cooperatives",
                  {"name": name, "type": "savings_loan", "group": "women", "district": "Coblong",
                   "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
        assert r.status == 201, r
        self.c, self.id, self.serial = c, r.json["id"], serial
        self.base = "/api/v1/cooperatives/%s" % self.id

    def member_body(self):
        self.serial += 1
        return {"nik": nik(BIRTH, True, self.serial), "name": "Ibu Tahan %d" % self.serial,
                "sex": "female", "birth_date": BIRTH.isoformat(), "address": "Desa Ciater",
                "phone": "0812-7777-%04d" % self.serial, "joined_on": "2025-01-02"}

    def member(self):
        r = self.c.api("POST", self.base + "/members", self.member_body(),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status == 201, r
        return r.json["id"]

    def deposit(self, member, amount, key):
        return self.c.api("POST", self.base + "/deposits",
                          {"member_id": member, "kind": "voluntary", "amount": amount,
                           "value_date": jakarta_today().isoformat()},
                          headers={"Idempotency-Key": key})

    def balance(self, member):
        r = self.c.api("GET", self.base + "/members/%s/accounts" % member)
        assert r.status == 200, r
        return {i["kind"]: i["balance"] for i in r.json["items"]}["voluntary"]

    def journal_ids(self):
        r = self.c.api("GET", self.base + "/journal?limit=500")
        assert r.status == 200 and not r.json.get("next_cursor"), r
        return sorted(e["id"] for e in r.json["items"])


@pytest.fixture
def faulty():
    made = []

    def make(service, calls, errno, supervised=True, extra=None):
        tmp_armed = "/tmp/lumbung-faultfs-%s" % uuid.uuid4().hex
        env = shim_env(tmp_armed, calls, errno, "/%s/data.mdb" % service)
        env.update(extra or {})
        d = Supervised(extra_env=env) if supervised else Cluster(env=env)
        d.armed = tmp_armed
        made.append(d)
        d.start()
        return d
    yield make
    for d in made:
        if os.path.exists(d.armed):
            os.unlink(d.armed)
        if isinstance(d, Supervised):
            assert d.stop(), "the district did not stop cleanly"
        else:
            d.stop()


def restarted_after_fatal(d, service):
    """Waits for `service` to exit 74 at the injected failure, disarms the shim, waits for the
    supervisor's restart; returns the district's log."""
    d.wait_log("lumbung: %s exited with status %d" % (service, STORE_EXIT_FATAL))
    disarm(d)
    d.wait_log("lumbung: started %s (pid" % service, count=2)
    d.wait_ready()
    log = d.log()
    assert "commit failed: Input/output error; exiting" in log, log[-3000:]
    return log


def arm(d):
    open(d.armed, "w").close()


def disarm(d):
    os.unlink(d.armed)


@pytest.mark.parametrize("calls", ["fdatasync", "write", "pwrite"])
def test_an_io_error_in_a_transactions_commit_is_fatal_and_nothing_unacknowledged_remains(faulty, calls):
    d = faulty("transactions", calls, "EIO")
    coop = Coop(d, "KSP Disk Rusak %s" % calls)
    m = coop.member()
    first = coop.deposit(m, "150000", "dep-1")
    assert first.status == 201, first
    arm(d)
    lost = coop.deposit(m, "25000.50", "dep-2")
    assert lost.status in (503, 504), lost          # never acknowledged
    log = restarted_after_fatal(d, "transactions")
    # The first failed commit ended the process: the sync (or write) was not tried again in
    # place. (A failed meta-page pwrite may be followed by LMDB's own attempt to write the old
    # meta page back, a second injection within the same failed commit.)
    assert log.count("commit failed") == 1, log[-3000:]
    assert log.count("(injected 1)") == 1, log[-3000:]
    assert "(injected %d)" % (3 if calls == "pwrite" else 2) not in log, log[-3000:]
    assert len(d.exits("transactions")) == 1 and d.exits("members") == d.exits("gateway") == []
    # Recovered from what reached the disk: the acknowledged deposit, not the failed one.
    assert coop.balance(m) == "150000"
    assert coop.journal_ids() == [first.json["entry_id"]]
    again = coop.deposit(m, "25000.50", "dep-2")      # the client's retry: applied once
    assert again.status == 201 and again.json["balance"] == "175000.50", again
    twice = coop.deposit(m, "25000.50", "dep-2")
    assert twice.status == 201 and twice.json["entry_id"] == again.json["entry_id"], twice
    assert coop.balance(m) == "175000.50"
    assert coop.journal_ids() == sorted([first.json["entry_id"], again.json["entry_id"]])
    tb = d.api("GET", coop.base + "/trial-balance").json
    assert tb["balanced"] and tb["total_debit"] == "175000.50", tb


def test_an_fdatasync_error_in_a_members_commit_is_fatal_and_a_retry_applies_once(faulty):
    d = faulty("members", "fdatasync", "EIO")
    coop = Coop(d, "Koperasi Sinkron Gagal")
    kept = coop.member()
    body = coop.member_body()
    arm(d)
    r = d.api("POST", coop.base + "/members", body, headers={"Idempotency-Key": "new-member"})
    assert r.status in (503, 504), r
    log = restarted_after_fatal(d, "members")
    assert log.count("(injected 1)") == 1 and "(injected 2)" not in log
    listed = d.api("GET", coop.base + "/members").json["items"]
    assert [x["id"] for x in listed] == [kept]
    again = d.api("POST", coop.base + "/members", body, headers={"Idempotency-Key": "new-member"})
    assert again.status == 201, again
    twice = d.api("POST", coop.base + "/members", body, headers={"Idempotency-Key": "new-member"})
    assert twice.status == 201 and twice.json["id"] == again.json["id"]
    listed = d.api("GET", coop.base + "/members").json["items"]
    assert sorted(x["id"] for x in listed) == sorted([kept, again.json["id"]])


def test_a_full_disk_is_a_503_reads_keep_working_and_writes_resume_when_space_is_back(faulty):
    d = faulty("transactions", "write", "ENOSPC", supervised=False)
    coop = Coop(d, "KSP Disk Penuh")
    m = coop.member()
    assert coop.deposit(m, "80000", "full-1").status == 201
    arm(d)
    for _ in range(3):                                # the same request, again and again
        r = coop.deposit(m, "1000", "full-2")
        assert (r.status, r.json["error"]["code"]) == (503, "store_unavailable"), r
    assert coop.balance(m) == "80000"                 # reads keep working
    assert d.api("GET", coop.base + "/trial-balance").json["balanced"]
    assert d.procs["transactions"].poll() is None     # and the service stays up
    assert "faultfs: " in d.log("transactions") and "exiting" not in d.log("transactions")
    disarm(d)
    r = coop.deposit(m, "1000", "full-2")
    assert r.status == 201 and r.json["balance"] == "81000", r
    r2 = coop.deposit(m, "1000", "full-2")
    assert r2.json["entry_id"] == r.json["entry_id"]
    assert coop.deposit(m, "500", "full-3").json["balance"] == "81500"
    assert len(coop.journal_ids()) == 3


def test_a_full_disk_under_members_is_a_503_and_members_can_be_added_again_after(faulty):
    d = faulty("members", "write", "ENOSPC", supervised=False)
    coop = Coop(d, "Koperasi Disk Penuh")
    kept = coop.member()
    body = coop.member_body()
    arm(d)
    r = d.api("POST", coop.base + "/members", body, headers={"Idempotency-Key": "full-member"})
    assert (r.status, r.json["error"]["code"]) == (503, "store_unavailable"), r
    listed = d.api("GET", coop.base + "/members")
    assert listed.status == 200 and [x["id"] for x in listed.json["items"]] == [kept]
    assert d.procs["members"].poll() is None
    disarm(d)
    r = d.api("POST", coop.base + "/members", body, headers={"Idempotency-Key": "full-member"})
    assert r.status == 201, r
    listed = d.api("GET", coop.base + "/members").json["items"]
    assert sorted(x["id"] for x in listed) == sorted([kept, r.json["id"]])


def test_a_full_disk_under_reporting_keeps_its_reports_readable_and_it_catches_up_after(faulty):
    """Reporting cannot apply the transactions stream while its disk is full: read on the bus
    (no read-your-writes sequence) its reports keep answering, as of what it applied; through
    the gateway, which asks for what it saw written, they wait (504, retry). With space back
    it catches up by itself."""
    d = faulty("reporting", "write", "ENOSPC", supervised=False)
    coop = Coop(d, "KSP Laporan Penuh")
    m = coop.member()
    today = jakarta_today().isoformat()

    def on_bus():
        req = pb.envelope_pb2.Request()
        req.actor.user, req.actor.role = "admin", pb.envelope_pb2.ROLE_ADMIN
        req.reporting.trial_balance.cooperative_id = int(coop.id)
        req.reporting.trial_balance.as_of = day(today)
        reply = d.bus("reporting").call(req, timeout=10)
        assert not reply.HasField("error"), reply.error
        return reply.reporting.trial_balance.total_debit_sen

    def over_http():
        r = d.api("GET", coop.base + "/reports/trial-balance?as_of=" + today)
        return r.status, (r.json or {}).get("total_debit") or r.json["error"]["code"]

    def wait_http(total):
        deadline = time.time() + 30
        while over_http() != (200, total) and time.time() < deadline:
            time.sleep(0.1)
        assert over_http() == (200, total)

    assert coop.deposit(m, "70000", "rep-1").status == 201
    wait_http("70000")
    arm(d)
    assert coop.deposit(m, "5000", "rep-2").status == 201     # the ledger takes it
    deadline = time.time() + 30
    while "faultfs: " not in d.log("reporting") and time.time() < deadline:
        time.sleep(0.1)
    assert "faultfs: " in d.log("reporting")
    assert on_bus() == 7000000                                # behind, but answering
    assert over_http() == (504, "service_timeout")
    assert d.procs["reporting"].poll() is None
    disarm(d)
    wait_http("75000")                                        # space back: caught up
    assert on_bus() == 7500000


def logged(d, name, text, timeout=15):
    """Whether `text` appears in the service's log within `timeout` s: the line may reach the
    file a moment after the answer it explains."""
    deadline = time.time() + timeout
    while text not in d.log(name):
        if time.time() > deadline:
            return False
        time.sleep(0.05)
    return True


def audit_of(d, key):
    """The gateway's audit entries of the deposits sent with Idempotency-Key `key`."""
    r = d.api("GET", "/api/v1/audit?limit=500")
    assert r.status == 200, r
    return [e for e in r.json["items"] if e.get("idempotency_key") == key]


def test_a_deposit_whose_audit_entry_cannot_be_stored_for_a_full_disk_gets_a_503(faulty):
    """The gateway answers a state-changing call only once its audit entry is stored: with its
    own store full the deposit (which the ledger took) is answered 503 audit_unavailable, the
    gateway stays up and keeps answering reads, and with space back the retry with the same
    key returns the same posting, recorded this time, and the ledger has it once."""
    d = faulty("gateway", "write", "ENOSPC", supervised=False)
    coop = Coop(d, "KSP Jejak Penuh")
    m = coop.member()
    first = coop.deposit(m, "60000", "aud-1")
    assert first.status == 201, first
    # its entry, recorded as the call was sent, has its outcome, so the gateway's store is
    # idle when the disk fills (armed in the middle of that rewrite's commit, the fault would
    # fail LMDB's meta page write, which leaves the store unusable: the gateway exits then,
    # see exit_if_panicked in common/store.c)
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "aud-1")] == [(201, "ok")]
    arm(d)
    r = coop.deposit(m, "2500.25", "aud-2")
    assert (r.status, r.json["error"]["code"]) == (503, "audit_unavailable"), r
    assert r.headers.get("Retry-After") == "1" and "Location" not in r.headers, r.headers
    assert d.procs["gateway"].poll() is None
    assert logged(d, "gateway", "audit entry for POST %s/deposits (status 201) was not stored"
                  % coop.base)
    assert coop.balance(m) == "62500.25"          # reads work; the ledger took the deposit
    disarm(d)
    again = coop.deposit(m, "2500.25", "aud-2")
    assert again.status == 201 and again.json["balance"] == "62500.25", again
    twice = coop.deposit(m, "2500.25", "aud-2")
    assert twice.status == 201 and twice.json["entry_id"] == again.json["entry_id"], twice
    assert coop.journal_ids() == sorted([first.json["entry_id"], again.json["entry_id"]])
    stored = audit_of(d, "aud-2")
    assert [(e["status"], e["outcome"]) for e in stored] == [(201, "ok"), (201, "ok")], stored
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "aud-1")] == [(201, "ok")]


def deposit_then_fail(d, coop, m, first_key, key):
    """A first deposit, answered and audited (its entry, recorded as the call was sent, has its
    outcome, so the gateway's store is idle), then the fault armed and a second deposit sent
    that the gateway does not answer with success. Returns the first deposit and the second's
    status, None when the connection ended with the process."""
    first = coop.deposit(m, "30000", first_key)
    assert first.status == 201, first
    assert [(e["status"], e["outcome"]) for e in audit_of(d, first_key)] == [(201, "ok")]
    token = d.admin_token()
    arm(d)
    try:
        r = d.http("POST", coop.base + "/deposits", token=token, timeout=30,
                   body={"member_id": m, "kind": "voluntary", "amount": "1200",
                         "value_date": jakarta_today().isoformat()},
                   headers={"Idempotency-Key": key})
        return first, r.status
    except OSError:                                # the connection ended with the process
        return first, None


def test_a_failed_meta_page_write_leaves_a_store_lmdb_refuses_and_the_gateway_exits(faulty):
    """ENOSPC on LMDB's meta page write alone (its O_DSYNC descriptor: ext4 overwrites that
    page in place, a file system that allocates on overwrite may not) makes LMDB refuse every
    later transaction (MDB_PANIC). The gateway then exits 74 instead of answering from a store
    it can no longer read (before, every token got 401); restarted, it opens at the last meta
    page on disk, and the retry with the same key returns the posting the ledger took, once,
    with its audit entry."""
    d = faulty("gateway", "pwrite", "ENOSPC", extra={"FAULTFS_SYNC_FDS": "1"})
    coop = Coop(d, "KSP Halaman Induk")
    m = coop.member()
    first, status = deposit_then_fail(d, coop, m, "meta-1", "meta-2")
    assert status is None or status >= 500, status
    d.wait_log("lumbung: gateway exited with status %d" % STORE_EXIT_FATAL)
    disarm(d)
    d.wait_log("lumbung: started gateway (pid", count=2)
    d.wait_ready()
    log = d.log()
    assert "commit failed: MDB_PANIC" in log and "(injected 1)" in log, log[-3000:]
    assert len(d.exits("gateway")) == 1 and d.exits("transactions") == []
    again = coop.deposit(m, "1200", "meta-2")
    assert again.status == 201 and again.json["balance"] == "31200", again
    assert coop.journal_ids() == sorted([first.json["entry_id"], again.json["entry_id"]])
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "meta-2")] == [(201, "ok")]
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "meta-1")] == [(201, "ok")]


def test_an_io_error_in_the_gateways_audit_commit_is_fatal_and_the_retry_returns_the_posting(faulty):
    """An fdatasync EIO under the gateway's audit commit: the gateway exits 74 before it
    answers the deposit (no 2xx), is restarted, and the retry with the same key returns the
    posting the ledger took, once, with its audit entry."""
    d = faulty("gateway", "fdatasync", "EIO")
    coop = Coop(d, "KSP Jejak Rusak")
    m = coop.member()
    first, status = deposit_then_fail(d, coop, m, "aud-eio-1", "aud-eio-2")
    assert status is None or status >= 500, status
    log = restarted_after_fatal(d, "gateway")
    assert log.count("(injected 1)") == 1 and "(injected 2)" not in log, log[-3000:]
    assert len(d.exits("gateway")) == 1 and d.exits("transactions") == []
    again = coop.deposit(m, "1200", "aud-eio-2")
    assert again.status == 201 and again.json["balance"] == "31200", again
    twice = coop.deposit(m, "1200", "aud-eio-2")
    assert twice.json["entry_id"] == again.json["entry_id"], twice
    assert coop.journal_ids() == sorted([first.json["entry_id"], again.json["entry_id"]])
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "aud-eio-2")] == [(201, "ok"), (201, "ok")]
    assert [(e["status"], e["outcome"]) for e in audit_of(d, "aud-eio-1")] == [(201, "ok")]
