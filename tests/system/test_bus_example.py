"""docs/examples/bus_example.py, the integrators' Python example, run as a person would run it
against a real bus service (tests/system/testsvc.c): ping, an idempotent command with a retry
and a reused key, and the exactly-once follower through a SIGKILL. Also checks that
docs/bus.md shows the example files (this one and bus_example.c) exactly as they are."""
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from lumbung import BUILD, ROOT, Cluster, pb

EXAMPLE = os.path.join(ROOT, "docs", "examples", "bus_example.py")


def emit(count):
    req = pb.envelope_pb2.Request()
    req.testing.emit.count = count
    return req


def example_argv(c, command, *extra):
    return [sys.executable, EXAMPLE, command, "--keys", os.path.join(c.data_dir, "keys"),
            "--me", "bank-demo", "--service", "tproducer",
            "--router", c.endpoint("tproducer", "router"), "--pub", c.endpoint("tproducer", "pub"),
            *extra]


def example_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(BUILD, "py")
    return env


def run_example(c, command, *extra, timeout=60):
    out = subprocess.run(example_argv(c, command, *extra), env=example_env(), capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


def wait_cursor(db, at_least, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            con = sqlite3.connect(db, timeout=1)
            row = con.execute("SELECT seq FROM cursors WHERE stream = 'tproducer'").fetchone()
            con.close()
            if row and row[0] >= at_least:
                return True
        except sqlite3.Error:
            pass                            # not created yet
        time.sleep(0.05)
    return False


def test_example_calls_retries_and_follows_exactly_once():
    c = Cluster(services=[])
    try:
        c.set_test_endpoints("tproducer")
        c.ctl("keys", "add", "bank-demo", "integrator", "--cooperatives", "all", "--operations", "all")
        c.start_testsvc("tproducer")

        assert run_example(c, "ping").strip() == "tproducer: head_seq 0"
        assert run_example(c, "testing-demo").splitlines() == [
            "first: value 750 event_seq 1",
            "retry: value 750 event_seq 1",
            "reuse: ERROR_KIND_CONFLICT idempotency_key_reused",
        ]

        db = os.path.join(c.tmp, "bank-demo.sqlite")
        producer = c.bus("tproducer")
        assert not producer.call(emit(9000), timeout=30).HasField("error")   # > 2 replay pages
        follower = subprocess.Popen(example_argv(c, "follow", "--db", db), env=example_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_cursor(db, 9001), "the follower did not catch up with the backlog"
        for _ in range(10):
            assert not producer.call(emit(1000), timeout=30).HasField("error")
            time.sleep(0.05)
        follower.kill()                     # SIGKILL while following live: no clean shutdown
        follower.wait(10)
        for _ in range(5):
            assert not producer.call(emit(1000), timeout=30).HasField("error")
        head = 1 + 9000 + 15 * 1000
        out = run_example(c, "follow", "--db", db, "--until-head")
        assert out.strip() == f"tproducer: cursor {head}, head {head}"

        con = sqlite3.connect(db)
        count, low, high = con.execute("SELECT count(*), min(seq), max(seq) FROM events").fetchone()
        assert (count, low, high) == (head, 1, head)      # every event once, none twice
        assert con.execute("SELECT seq FROM cursors WHERE stream = 'tproducer'").fetchone()[0] == head
        kinds = dict(con.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
        assert kinds == {"testing": head}
        con.close()
    finally:
        c.stop()


@pytest.mark.parametrize("name,language", [("bus_example.py", "python"), ("bus_example.c", "c")])
def test_bus_guide_shows_the_example_file_verbatim(name, language):
    with open(os.path.join(ROOT, "docs", "bus.md"), encoding="utf-8") as f:
        guide = f.read()
    with open(os.path.join(ROOT, "docs", "examples", name), encoding="utf-8") as f:
        code = f.read()
    assert "```%s\n" % language + code + "```\n" in guide
