"""A members write that fails because its disk is full must not stall anything else.

The members store lives on a small tmpfs of its own (the tests run as root; a machine where
mounting is impossible fails this module instead of skipping it). The disk is filled until a
members write is refused with 503 store_unavailable; from then on transactions and reporting
calls, which the gateway sends with the newest members sequence it has seen, must still be
answered at once (the failed reply carries no sequence, and the gateway ignores sequences of
error replies), and once the disk is freed every call works again without waiting for any
later members write."""
import datetime
import errno
import os
import subprocess
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error  # noqa: E402
from lumbung import Cluster  # noqa: E402
from members_util import nik  # noqa: E402

TMPFS_SIZE = "16m"
TIMEOUT_MS = 2000            # a call waiting for a sequence that never commits: 504 after this
WRITES_MAX = 400             # members writes tried before the full disk must have refused one


@pytest.fixture(scope="module")
def c():
    cl = Cluster(env={"LUMBUNG_GATEWAY_TIMEOUT_MS": str(TIMEOUT_MS)})
    store = os.path.join(cl.data_dir, "members")
    os.makedirs(store, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", store], check=True)
    cl.members_store = store
    members_exit = None
    try:
        cl.start()
        yield cl
    finally:
        try:            # members off its disk before the harness removes the data directory
            if "members" in cl.procs:
                members_exit = cl.stop_service("members")
        finally:
            subprocess.run(["umount", store], check=False)
            cl.stop()
    assert members_exit == 0, "members exited with %s on SIGTERM" % members_exit


def fill(directory):
    """Writes a file until the file system is full; returns its path."""
    path = os.path.join(directory, "filler")
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                break
    with open(path, "ab", buffering=0) as f:  # and the last partial block
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    return path


def member_body(serial):
    return {"nik": nik(datetime.date(1979, 3, 3), True, serial), "name": "Anggota %d" % serial,
            "sex": "female", "birth_date": "1979-03-03", "address": "Desa Sukamaju " + "x" * 200,
            "joined_on": "2025-01-02"}


def other_services_answer(c, coop, member):
    """Every call that carries after_members_seq: a deposit, a balance, a report."""
    base = "/api/v1/cooperatives/%s" % coop
    r = c.api("POST", base + "/deposits", {"member_id": member, "kind": "voluntary",
                                           "amount": "10000", "value_date": "2025-01-06"},
              headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r
    r = c.api("GET", base + "/members/%s/accounts" % member)
    assert r.status == 200, r
    r = c.api("GET", base + "/reports/balance-sheet?as_of=2025-01-31")
    assert r.status == 200, r
    r = c.api("GET", base + "/trial-balance")
    assert r.status == 200, r


def test_a_write_failed_for_a_full_disk_stalls_nothing_and_freeing_it_heals_at_once(c):
    coop = c.api("POST", "/api/v1/cooperatives",
                 {"name": "Koperasi Disk Penuh", "type": "savings_loan", "group": "women",
                  "district": "Coblong",
                  "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
    assert coop.status == 201, coop
    coop = coop.json["id"]
    first = c.api("POST", "/api/v1/cooperatives/%s/members" % coop, member_body(1))
    assert first.status == 201, first
    member = first.json["id"]
    other_services_answer(c, coop, member)

    filler = fill(c.members_store)
    try:
        refused = None
        for serial in range(2, 2 + WRITES_MAX):
            r = c.api("POST", "/api/v1/cooperatives/%s/members" % coop, member_body(serial))
            if r.status != 201:
                refused = r
                break
        assert refused is not None, "the full disk refused no members write"
        assert_error(refused, 503, "store_unavailable")
        # The members service keeps reading, and nothing else waits for the failed write.
        r = c.api("GET", "/api/v1/cooperatives/%s/members/%s" % (coop, member))
        assert r.status == 200, r
        other_services_answer(c, coop, member)
    finally:
        os.unlink(filler)

    # Freed: every call works again at once, before any members write commits.
    other_services_answer(c, coop, member)
    r = c.api("POST", "/api/v1/cooperatives/%s/members" % coop, member_body(9000))
    assert r.status == 201, r
    other_services_answer(c, coop, member)
