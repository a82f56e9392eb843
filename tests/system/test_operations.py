"""lumbungctl's operations on real stores (docs/operations.md): `backup all` taken while
deposits keep arriving restores into an empty data directory, passes `verify` and serves the
same balances; `restore` refuses a data directory that holds a store; `verify` names a tampered
account total; `status` shows each service's head, its followers' lag, its store and its peers.
Backups are readable by their owner only."""
import itertools
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, BusClient, Cluster  # noqa: E402
from tx_util import Coop, assert_books_balance, tx_call  # noqa: E402

_serials = itertools.count(1)
DEPOSIT_SEN = 12345


def ctl(cluster, *args, data_dir=None):
    env = dict(cluster.env)
    if data_dir:
        env["LUMBUNG_DATA"] = data_dir
    return subprocess.run([os.path.join(BIN, "lumbungctl"), *args], env=env,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def oc():
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()


def coop_with_members(c, n=3):
    coop = Coop(c, "KSP Cadangan %d" % next(_serials), serial_base=100 * next(_serials))
    return coop, [coop.member() for _ in range(n)]


def deposit_body(coop, member):
    return {"cooperative_id": str(coop.id), "member_id": str(member),
            "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(DEPOSIT_SEN),
            "value_date": "2025-03-01"}


def deposit(c, coop, member, i, client=None):
    reply, _ = tx_call(c, "deposit", deposit_body(coop, member), key="load-%d-%d" % (coop.id, i),
                       after=coop.seq, client=client)
    assert not reply.HasField("error"), reply.error
    return reply


def private(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_backup_taken_under_load_restores_verifies_and_serves_the_same_balances(oc):
    coop, members = coop_with_members(oc)
    load_done, sent = threading.Event(), []

    def load():
        client = BusClient(oc, "transactions")
        try:
            i = 0
            while not load_done.is_set() or i < 60:
                deposit(oc, coop, members[i % len(members)], i, client=client)
                sent.append(i)
                i += 1
        finally:
            client.close()

    worker = threading.Thread(target=load)
    worker.start()
    while len(sent) < 20:
        time.sleep(0.01)
    target = os.path.join(tempfile.mkdtemp(prefix="lumbung-backup-"), "set")
    try:
        out = ctl(oc, "backup", "all", target)
        load_done.set()
        worker.join(60)
        assert out.returncode == 0, out.stderr
        # Consumers before producers, each outbox head noted.
        lines = [x for x in open(os.path.join(target, "MANIFEST")) if not x.startswith("#")]
        assert [x.split()[0] for x in lines] == ["gateway", "reporting", "transactions", "members"]
        assert all("outbox_head=" in x for x in lines)
        assert private(target) == 0o700 and private(os.path.join(target, "MANIFEST")) == 0o600
        for name in ("gateway", "reporting", "transactions", "members"):
            assert private(os.path.join(target, name)) == 0o700
            assert private(os.path.join(target, name, "data.mdb")) == 0o600
        checked = ctl(oc, "verify", target)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "verify: 4 stores" in checked.stdout and "sound" in checked.stdout

        # The original after the load: every deposit once.
        final = {m: coop.balance(m) for m in members}
        assert sum(final.values()) == DEPOSIT_SEN * len(sent)

        restored = Cluster()
        try:
            done = ctl(restored, "restore", target, data_dir=restored.data_dir)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "sound" in done.stdout                       # restore verifies what it wrote
            assert private(os.path.join(restored.data_dir, "transactions", "data.mdb")) == 0o600
            restored.start()
            again = Coop.__new__(Coop)
            again.cluster, again.id, again.seq = restored, coop.id, coop.seq
            at_backup = {m: again.balance(m) for m in members}
            assert 20 * DEPOSIT_SEN <= sum(at_backup.values()) <= sum(final.values())
            assert all(v % DEPOSIT_SEN == 0 for v in at_backup.values())
            # The clients send the same requests again (same idempotency keys): what the backup
            # holds is answered from it, the rest posts; the books end where the original's did.
            for i in sent:
                deposit(restored, again, members[i % len(members)], i)
            assert {m: again.balance(m) for m in members} == final
            assert_books_balance(again)
            for name in ("gateway", "reporting", "transactions", "members"):
                assert restored.stop_service(name) == 0
            after = ctl(restored, "verify", restored.data_dir)     # offline, after the catch-up
            assert after.returncode == 0, after.stdout
        finally:
            restored.stop()
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)


def test_restore_refuses_a_data_directory_that_holds_a_store(oc):
    target = os.path.join(tempfile.mkdtemp(prefix="lumbung-backup-"), "set")
    try:
        assert ctl(oc, "backup", "all", target).returncode == 0
        out = ctl(oc, "restore", target)                      # the running district's own data
        assert out.returncode == 1
        assert "is not empty: restore only into an empty data directory" in out.stderr
        again = ctl(oc, "backup", "all", target)              # and a backup never overwrites
        assert again.returncode == 1 and "is not empty" in again.stderr
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)


def put_records(store_dir, table, records):
    """Writes (key, value) byte pairs into one table of a stopped store, with lmdb-utils."""
    dump = subprocess.run(["mdb_dump", "-s", table, store_dir], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    header = dump[:dump.index("HEADER=END") + 1]
    lines = [x for k, v in records for x in (" " + k.hex(), " " + v.hex())]
    subprocess.run(["mdb_load", "-s", table, store_dir], input="\n".join(header + lines + ["DATA=END"]) + "\n",
                   check=True, capture_output=True, text=True)


def tamper_debit_total(store_dir, add_sen):
    """Adds add_sen to the stored debit total of the first account with a debit (the packed
    record of services/transactions/store.h: [8] debit_total_sen i64 big-endian)."""
    dump = subprocess.run(["mdb_dump", "-s", "tx_accounts", store_dir], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    header_end = dump.index("HEADER=END")
    body = dump[header_end + 1:]
    for k in range(0, len(body) - 1, 2):
        if body[k] == "DATA=END":
            break
        value = bytearray.fromhex(body[k + 1].strip())
        debit = int.from_bytes(value[8:16], "big", signed=True)
        if debit > 0:
            value[8:16] = (debit + add_sen).to_bytes(8, "big", signed=True)
            key = bytes.fromhex(body[k].strip())
            text = "\n".join(dump[:header_end + 1] + [body[k], " " + value.hex(), "DATA=END"]) + "\n"
            subprocess.run(["mdb_load", "-s", "tx_accounts", store_dir], input=text, check=True,
                           capture_output=True, text=True)
            return int.from_bytes(key[:8], "big"), key[8:].decode(), debit
    raise AssertionError("no account with a debit")


def test_verify_names_a_tampered_account_total(oc):
    coop, members = coop_with_members(oc, 1)
    for i in range(3):
        deposit(oc, coop, members[0], i)
    target = os.path.join(tempfile.mkdtemp(prefix="lumbung-backup-"), "set")
    try:
        assert ctl(oc, "backup", "all", target).returncode == 0
        assert ctl(oc, "verify", target).returncode == 0
        coop_id, code, debit = tamper_debit_total(os.path.join(target, "transactions"), 100)
        out = ctl(oc, "verify", target)
        assert out.returncode == 1
        assert re.search(r"transactions: cooperative %d account %s: stored totals debit %d / "
                         r"credit \d+ sen, but its lines sum to debit %d / credit \d+ sen"
                         % (coop_id, re.escape(code), debit + 100, debit), out.stdout), out.stdout
        assert "verify: 1 problem found" in out.stdout
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)


def test_status_shows_heads_lag_store_and_peers(oc):
    coop, members = coop_with_members(oc, 1)
    deposit(oc, coop, members[0], 0)
    assert oc.http("GET", "/readyz", timeout=5).status == 200     # the gateway has asked lately
    out = ctl(oc, "status")
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    sections = {}
    for line in text.splitlines():
        if not line.startswith(" "):
            name = line.split()[0]
        sections.setdefault(name, []).append(line)
    assert sorted(sections) == ["members", "reporting", "transactions"], text
    for name, lines in sections.items():
        assert re.match(r"%s\s+up\s+head \d+\s+store \d+ KiB of \d+ MiB \([\d.]+ %% of the map\)$"
                        % name, lines[0]), text
        peers = [x for x in lines if "peers (last minute):" in x][0].split(":")[1].split()
        assert "gateway" in peers and "lumbungctl" in peers, text
    head = int(re.search(r"head (\d+)", sections["transactions"][0]).group(1))
    assert head > 0
    follows = " ".join(sections["reporting"])
    assert re.search(r"follows members\s+cursor \d+ of \d+\s+lag \d+", follows), text
    assert re.search(r"follows transactions\s+cursor \d+ of \d+\s+lag \d+", follows), text
    assert re.search(r"follows members\s+cursor \d+ of \d+\s+lag \d+", " ".join(sections["transactions"]))


def test_verify_names_an_outbox_gap_and_a_replica_ahead_of_its_producer(oc):
    coop, members = coop_with_members(oc, 1)
    deposit(oc, coop, members[0], 0)
    target = os.path.join(tempfile.mkdtemp(prefix="lumbung-backup-"), "set")
    try:
        assert ctl(oc, "backup", "all", target).returncode == 0
        heads = dict(re.findall(r"^(\w+) outbox_head=(\d+)", open(os.path.join(target, "MANIFEST")).read(), re.M))
        members_head = int(heads["members"])
        # an event two past the head of members: a gap
        put_records(os.path.join(target, "members"), "outbox",
                    [((members_head + 2).to_bytes(8, "big"), b"\x08\x01")])
        # reporting claims to have applied 100 transactions events more than there are
        tx_head = int(heads["transactions"])
        put_records(os.path.join(target, "reporting"), "cursors",
                    [(b"transactions", (tx_head + 100).to_bytes(8, "big"))])
        out = ctl(oc, "verify", target)
        assert out.returncode == 1
        assert "members: outbox: event %d follows %d (a gap or a bad key)" % (
            members_head + 2, members_head) in out.stdout, out.stdout
        assert ("reporting: its replica of transactions is at event %d but transactions's outbox "
                "ends at %d" % (tx_head + 100, tx_head)) in out.stdout, out.stdout
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)
