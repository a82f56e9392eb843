"""crash_load — a supervised district and a load client that survives it being killed, for the
crash suite (test_crash_suite.py) and the fault-injection tests (test_faults.py).

    d = Supervised(extra_env={...})      # deploy/run-local.sh, as `make run` starts it
    d.start()                            # waits for /readyz
    d.kill_random(rnd)                   # SIGKILL one running service; the supervisor restarts it
    d.exits("transactions")              # the supervisor's lines about its exits
    d.stop()                             # SIGTERM to the supervisor, which stops everything

Supervised is a lumbung.Cluster whose processes belong to the supervisor, so the harness's
http(), api(), admin_token(), bus() and keys work on it unchanged.

    log = AckLog(path)                   # every acknowledged request, one JSON line each
    h = HttpLoad(d, log, token)          # .post(path, body, key) -> JSON, retried until answered
    b = BusLoad(d, log, key_name)        # .call(op, body, key) -> result, retried likewise

A request is retried with the same idempotency key after anything that is not an answer from
the service: a refused or reset connection, a gateway 502/503/504, a bus timeout or an
unavailable service. Every other answer is final and, when it is a success, acknowledged."""
import datetime
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, ROOT, BusClient, Cluster, pb  # noqa: E402
from tx_util import tx_request  # noqa: E402

SERVICES = ["members", "transactions", "reporting", "gateway"]
READY_TIMEOUT_S = 60
ANSWER_TIMEOUT_S = 90            # one request retried this long without an answer fails the test
RETRY_PAUSE_S = 0.05
RETRYABLE_HTTP = (502, 503, 504)
RETRYABLE_BUS = (pb.envelope_pb2.ERROR_KIND_UNAVAILABLE, pb.envelope_pb2.ERROR_KIND_TIMEOUT)
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def jakarta_today():
    """Value dates may not lie in the future in Asia/Jakarta time, whatever the host's zone."""
    return datetime.datetime.now(JAKARTA).date()


class Supervised(Cluster):
    """The four services under deploy/run-local.sh, with their own stores and ports."""

    def __init__(self, extra_env=None, integrators=()):
        env = {"LUMBUNG_RESTART_DELAY_MS": "100", "LUMBUNG_RESTART_DELAY_MAX_MS": "400",
               "LUMBUNG_RESTART_BURST": "1000", "LUMBUNG_BIN": BIN}
        env.update(extra_env or {})
        super().__init__(services=[], env=env)
        for name in integrators:
            # an integrator's key needs a scope since lumbungctl's scopes (docs/operations.md)
            self.ctl("keys", "add", name, "integrator", "--cooperatives", "all", "--operations", "all")
        self.run_log = os.path.join(self.tmp, "run.log")
        self.sup = None

    def start(self):
        with open(self.run_log, "wb") as log:
            self.sup = subprocess.Popen([os.path.join(ROOT, "deploy", "run-local.sh")],
                                        env=self.env, stdout=log, stderr=log, cwd=self.tmp,
                                        start_new_session=True)
        self.wait_ready()
        return self

    def log(self, name=None):
        with open(self.run_log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_ready(self, timeout=READY_TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.sup.poll() is None, "supervisor ended:\n" + self.log()[-4000:]
            try:
                if self.http("GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("never ready:\n" + self.log()[-4000:])

    def wait_log(self, text, count=1, timeout=READY_TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.log().count(text) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"never logged {text!r} x{count}:\n{self.log()[-4000:]}")

    def pid(self, svc):
        """The pid of the latest start of svc, and whether it still runs."""
        starts = [l for l in self.log().splitlines() if l.startswith(f"lumbung: started {svc} (pid ")]
        if not starts:
            return None, False
        pid = int(starts[-1].split("(pid ")[1].rstrip(")"))
        try:
            with open(f"/proc/{pid}/stat") as f:
                return pid, f.read().split(") ")[1][0] != "Z"
        except OSError:
            return pid, False

    def starts(self, svc):
        return self.log().count(f"lumbung: started {svc} (pid ")

    def exits(self, svc):
        return [l for l in self.log().splitlines()
                if l.startswith(f"lumbung: {svc} ") and " after " in l and "restarting" in l]

    def kill_random(self, rnd):
        """SIGKILLs one service that runs now; returns its name."""
        for _ in range(200):
            svc = rnd.choice(SERVICES)
            pid, running = self.pid(svc)
            if running:
                os.kill(pid, signal.SIGKILL)
                return svc
            time.sleep(0.05)
        raise AssertionError("no service running to kill:\n" + self.log()[-3000:])

    def stop(self):
        """SIGTERM to the supervisor; True when everything stopped cleanly (and no sanitizer
        reported anything)."""
        clean = False
        if self.sup and self.sup.poll() is None:
            self.sup.send_signal(signal.SIGTERM)
            try:
                clean = self.sup.wait(60) == 0
            except subprocess.TimeoutExpired:
                os.killpg(self.sup.pid, signal.SIGKILL)
                self.sup.wait()
        for b in self._bus.values():
            b.close()
        self._bus.clear()
        if self.sup and any(mark in self.log() for mark in self.SANITIZER_MARKS):
            clean = False
        if os.environ.get("LUMBUNG_KEEP_TMP") is None:
            subprocess.run(["rm", "-rf", self.tmp])
        return clean


class AckLog:
    """Every acknowledged request: in memory for the checks, and as JSON lines in a file (the
    record a real client would keep)."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.items = []
        self.file = open(path, "a")
        self.retries = 0

    def add(self, **item):
        with self.lock:
            self.items.append(item)
            self.file.write(json.dumps(item) + "\n")
            self.file.flush()

    def retried(self):
        with self.lock:
            self.retries += 1

    def of(self, **match):
        with self.lock:
            return [i for i in self.items if all(i.get(k) == v for k, v in match.items())]

    def close(self):
        self.file.close()


class Unanswered(AssertionError):
    pass


class HttpLoad:
    """HTTP calls through the gateway, retried with their Idempotency-Key until answered."""

    def __init__(self, district, log, token):
        self.d, self.log, self.token = district, log, token

    def request(self, method, path, body=None, key=None, raw=None, headers=None):
        hdrs = dict(headers or {})
        if key:
            hdrs["Idempotency-Key"] = key
        deadline = time.time() + ANSWER_TIMEOUT_S
        last = None
        while time.time() < deadline:
            try:
                r = self.d.http(method, path, body, token=self.token, headers=hdrs, raw=raw,
                                timeout=20)
            except (OSError, http.client.HTTPException, urllib.error.URLError) as e:
                last = repr(e)                       # the gateway died or is not up yet
            else:
                if r.status not in RETRYABLE_HTTP:
                    return r
                last = r
            self.log.retried()
            time.sleep(RETRY_PAUSE_S)
        raise Unanswered(f"{method} {path} (key {key}) unanswered for {ANSWER_TIMEOUT_S} s: {last}")

    def post(self, path, body, key, what, raw=None, headers=None, **record):
        """A POST that must succeed; acknowledged with `what` and `record` in the log."""
        r = self.request("POST", path, body, key, raw=raw, headers=headers)
        assert r.status in (200, 201), (path, body, r)
        self.log.add(via="http", what=what, key=key, **record, reply=r.json)
        return r.json

    def get(self, path):
        r = self.request("GET", path)
        assert r.status == 200, (path, r)
        return r.json


class BusLoad:
    """Calls to the transactions service as an integrator (CURVE key `key_name`)."""

    def __init__(self, district, log, key_name):
        self.d, self.log, self.key_name = district, log, key_name
        self.bus = BusClient(district, "transactions", key_name=key_name)

    def call(self, op, body, key, what, **record):
        req = tx_request(op, body, actor=None, key=key)
        deadline = time.time() + ANSWER_TIMEOUT_S
        while time.time() < deadline:
            try:
                reply = self.bus.call(req, timeout=3)
            except TimeoutError:
                self.log.retried()                   # died with our request, or not up yet
                continue
            if reply.HasField("error") and reply.error.kind in RETRYABLE_BUS:
                self.log.retried()
                time.sleep(RETRY_PAUSE_S)
                continue
            assert not reply.HasField("error"), (op, body, reply.error)
            result = getattr(reply.transactions, reply.transactions.WhichOneof("result"))
            self.log.add(via="bus", what=what, key=key, **record)
            return result
        raise Unanswered(f"bus {op} (key {key}) unanswered for {ANSWER_TIMEOUT_S} s")

    def head_seq(self):
        """The transactions stream's head, from a Ping."""
        req = pb.envelope_pb2.Request()
        req.ping.SetInParent()
        for _ in range(100):
            try:
                reply = self.bus.call(req, timeout=3)
            except TimeoutError:
                continue
            if not reply.HasField("error"):
                return reply.pong.head_seq
        raise Unanswered("no Pong from transactions")

    def close(self):
        self.bus.close()

