"""`make run` keeps a district running: a service killed under it comes back (logged with its
status), a service that keeps crashing is given up on after the burst limit, and SIGTERM to
the `make` process itself stops every service cleanly."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, BUILD, ROOT, _pick_port_base  # noqa: E402

SERVICES = ["members", "transactions", "reporting", "gateway"]
TIMEOUT_S = 60


class Run:
    """`make run` (or the supervisor script alone) in its own session with its own stores."""

    def __init__(self, via_make=True, bin_dir=BIN, extra_env=None, shards=1):
        self.tmp = tempfile.mkdtemp(prefix="lumbung-run-")
        port_base = _pick_port_base(shards)
        self.http_port = port_base + 85
        env = dict(os.environ)
        env.update({"LUMBUNG_DATA": os.path.join(self.tmp, "var"),
                    "LUMBUNG_PORT_BASE": str(port_base),
                    "LUMBUNG_HTTP_PORT": str(self.http_port),
                    "LUMBUNG_ADMIN_PASSWORD": "admin-password-for-tests",
                    "LUMBUNG_PWHASH_FAST": "1"})
        env.update(extra_env or {})
        build = os.path.basename(BUILD)
        if via_make:
            argv = ["make", "-s", "-C", ROOT, "run", "BUILD=" + build]
            if build == "build-san":
                argv.append("SAN=1")
        else:
            env["LUMBUNG_BIN"] = bin_dir
            argv = [os.path.join(ROOT, "deploy", "run-local.sh")]
        self.log_path = os.path.join(self.tmp, "run.log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log, cwd=self.tmp,
                                         start_new_session=True)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, text, count=1, timeout=TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.log().count(text) >= count:
                return
            if self.proc.poll() is not None and self.log().count(text) < count:
                break
            time.sleep(0.1)
        raise AssertionError(f"never logged {text!r} x{count}:\n{self.log()[-4000:]}")

    def pid_of(self, svc, nth=1):
        """The pid the supervisor logged for the nth start of svc."""
        starts = [l for l in self.log().splitlines() if l.startswith(f"lumbung: started {svc} (pid ")]
        return int(starts[nth - 1].split("(pid ")[1].rstrip(")"))

    def readyz(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/readyz", timeout=2) as r:
                return json.load(r) if r.status == 200 else None
        except OSError:
            return None

    def ready(self):
        body = self.readyz()
        return body is not None and body["status"] == "ready"

    def wait_ready(self, timeout=TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.ready():
                return
            time.sleep(0.1)
        raise AssertionError("never ready:\n" + self.log()[-4000:])

    def login(self):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}/api/v1/auth/login", method="POST",
            data=json.dumps({"username": "admin", "password": "admin-password-for-tests"}).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:          # a zombie is not alive
        return f.read().split(") ")[1][0] != "Z"


@pytest.fixture
def run():
    runs = []

    def make(**kw):
        r = Run(**kw)
        runs.append(r)
        return r
    yield make
    for r in runs:
        r.stop()


def test_a_killed_service_comes_back_and_term_to_make_stops_everything(run):
    r = run()
    r.wait_log("lumbung: running:")
    r.wait_ready()
    first = r.pid_of("members")
    os.kill(first, signal.SIGKILL)
    r.wait_log("lumbung: members killed by signal 9 (KILL)")
    r.wait_log("lumbung: started members (pid", count=2)
    assert r.pid_of("members", 2) != first and alive(r.pid_of("members", 2))
    assert "restarting in 1000 ms (crash 1 of 5 allowed within 60 s)" in r.log()
    r.wait_ready()
    status, body = r.login()                      # the gateway reaches members again
    assert status == 200 and body["user"]["username"] == "admin"

    pids = [r.pid_of(s, 2 if s == "members" else 1) for s in SERVICES]
    r.proc.send_signal(signal.SIGTERM)            # to make itself, not its process group
    # make passes SIGTERM on to the supervisor, waits for it, then dies of the signal itself.
    assert r.proc.wait(timeout=TIMEOUT_S) in (0, -signal.SIGTERM), r.log()[-3000:]
    assert r.log().rstrip().endswith("lumbung: stopped"), r.log()[-3000:]
    for svc, pid in zip(SERVICES, pids):
        assert not alive(pid), f"{svc} (pid {pid}) still running after TERM to make"
        assert f"lumbung: {svc} stopped (exited with status 0)" in r.log()


def test_a_service_that_keeps_crashing_is_given_up_after_the_burst(run):
    """reporting replaced by a program that exits 3 at once: restarted with a doubling delay,
    then given up on at the 5th crash within the interval, and the others are stopped."""
    bin_dir = tempfile.mkdtemp(prefix="lumbung-bin-")
    for name in os.listdir(BIN):
        os.symlink(os.path.join(BIN, name), os.path.join(bin_dir, name))
    os.unlink(os.path.join(bin_dir, "lumbung-reporting"))
    with open(os.path.join(bin_dir, "lumbung-reporting"), "w") as f:
        f.write("#!/bin/sh\necho 'reporting: cannot open store' >&2\nexit 3\n")
    os.chmod(os.path.join(bin_dir, "lumbung-reporting"), 0o755)
    try:
        r = run(via_make=False, bin_dir=bin_dir,
                extra_env={"LUMBUNG_RESTART_DELAY_MS": "100", "LUMBUNG_RESTART_DELAY_MAX_MS": "400",
                           "LUMBUNG_RESTART_INTERVAL_MS": "60000"})
        assert r.proc.wait(timeout=TIMEOUT_S) == 1, r.log()[-3000:]
        log = r.log()
        delays = [l.split("restarting in ")[1].split(" ms")[0] for l in log.splitlines()
                  if l.startswith("lumbung: reporting exited with status 3") and "restarting in" in l]
        assert delays == ["100", "200", "400", "400"], log
        assert "lumbung: reporting exited with status 3 after 0 s: 5 crashes within 60 s, giving up" in log
        for svc in ("members", "transactions", "gateway"):
            assert f"lumbung: {svc} stopped (exited with status 0)" in log
            assert not alive(r.pid_of(svc))
    finally:
        shutil.rmtree(bin_dir, ignore_errors=True)


def test_two_shards_under_make_run_each_supervised(run):
    """LUMBUNG_TRANSACTIONS_SHARDS=2 make run: shard 1 runs beside shard 0, the gateway reaches
    both, a killed shard comes back on its own, and TERM stops both cleanly."""
    r = run(extra_env={"LUMBUNG_TRANSACTIONS_SHARDS": "2"}, shards=2)
    r.wait_log("lumbung: running:")
    r.wait_ready()
    assert r.readyz()["services"] == {"members": "up", "transactions": "up",
                                      "transactions-1": "up", "reporting": "up"}
    first = r.pid_of("transactions-1")
    with open(f"/proc/{first}/environ", "rb") as f:
        assert b"LUMBUNG_TRANSACTIONS_SHARD=1" in f.read().split(b"\0")
    os.kill(first, signal.SIGKILL)
    r.wait_log("lumbung: transactions-1 killed by signal 9 (KILL)")
    r.wait_log("lumbung: started transactions-1 (pid", count=2)
    assert alive(r.pid_of("transactions")) and alive(r.pid_of("transactions-1", 2))
    r.wait_ready()
    pids = [r.pid_of("transactions"), r.pid_of("transactions-1", 2)]
    r.proc.send_signal(signal.SIGTERM)
    assert r.proc.wait(timeout=TIMEOUT_S) in (0, -signal.SIGTERM), r.log()[-3000:]
    for svc, pid in zip(("transactions", "transactions-1"), pids):
        assert not alive(pid)
        assert f"lumbung: {svc} stopped (exited with status 0)" in r.log()
