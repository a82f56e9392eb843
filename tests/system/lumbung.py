"""lumbung — the system-test harness: real service binaries, real bus, real HTTP.

A Cluster starts the binaries of one build (LUMBUNG_BUILD, default build) on free loopback
ports with a temporary data directory, waits until each answers, and always cleans up.

    c = Cluster(services=["members", "transactions", "reporting", "gateway"], env={...})
    c = Cluster(shards=2)           # transactions as two shards: "transactions" and
                                    # "transactions-1" (LUMBUNG_TRANSACTIONS_SHARDS=2)
    c.start()                       # every service, waits for readiness
    r = c.http("POST", "/api/v1/auth/login", {"username": "admin", "password": c.admin_password})
    r.status, r.json, r.text, r.headers, r.body
    token = c.admin_token()         # cached login of the first admin
    c.api("GET", path, body=None, headers=None, raw=None)   # http() with the admin token
    c.bus("members").call(req)      # envelope_pb2.Request -> envelope_pb2.Reply (CURVE as 'systest')
    c.subscribe("members")          # a SUB socket: .recv(timeout) -> ("E", Event) | ("H", Heartbeat)
    c.shard_names()                 # ["transactions", "transactions-1"]
    c.kill("members")               # SIGKILL
    c.stop_service("members")       # SIGTERM, returns the exit code
    c.start_service("members", extra_env={...})
    c.log("members")                # everything the process wrote to stderr so far
    c.stop()

Generated protobuf modules: `from lumbung import pb` then pb.envelope_pb2, pb.members_pb2, ...
Dates on the bus are day numbers (docs/bus.md, "Dates"): day("2025-01-10") -> 20098,
date_text(20098) -> "2025-01-10", and bus_dict(descriptor, body) turns the "YYYY-MM-DD" of a
request body's date fields into day numbers before json_format.ParseDict, as the gateway does.
Test-only services (tests/system/testsvc.c): c.start_testsvc("tproducer", extra_env).
"""
import datetime
import importlib
import itertools
import json as jsonlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("LUMBUNG_BUILD", "build"))
BIN = os.path.join(BUILD, "bin")
sys.path.insert(0, os.path.join(BUILD, "py"))

pb = types.SimpleNamespace()
for _f in sorted(os.listdir(os.path.join(BUILD, "py"))) if os.path.isdir(os.path.join(BUILD, "py")) else []:
    if _f.endswith("_pb2.py"):
        setattr(pb, _f[:-3], importlib.import_module(_f[:-3]))

import zmq  # noqa: E402  (after the path set-up on purpose)

EPOCH = datetime.date(1970, 1, 1)


DAY_BEFORE_1900 = -25568           # 1899-12-31: a day number no request may carry (invalid_date)


def day(text):
    """A date as the bus carries it: days since 1970-01-01."""
    return (datetime.date.fromisoformat(text) - EPOCH).days


def date_text(days):
    """The "YYYY-MM-DD" of a day number."""
    return (EPOCH + datetime.timedelta(days=days)).isoformat()


def is_date_field(field):
    """A date field of proto/: sint32 named as a date (the gateway's json_pb rule)."""
    name = field.name
    return field.type == field.TYPE_SINT32 and (
        name.endswith(("_date", "_on", "_from", "_to")) or name in ("as_of", "from", "to"))


def bus_dict(descriptor, body):
    """A copy of `body` (a dict for json_format.ParseDict into `descriptor`) whose date fields
    given as "YYYY-MM-DD" hold day numbers; everything else as it was."""
    if not isinstance(body, dict):
        return body
    out = {}
    for key, value in body.items():
        field = descriptor.fields_by_name.get(key)
        if field is not None and is_date_field(field):
            conv = lambda v: day(v) if isinstance(v, str) else v  # noqa: E731
            value = [conv(v) for v in value] if isinstance(value, list) else conv(value)
        elif field is not None and field.message_type is not None:
            sub = field.message_type
            value = ([bus_dict(sub, v) for v in value] if isinstance(value, list)
                     else bus_dict(sub, value))
        out[key] = value
    return out

ALL_SERVICES = ["members", "transactions", "reporting", "gateway"]
BUS_SERVICES = {"members": 0, "transactions": 10, "reporting": 20}
READY_TIMEOUT_S = 30
_request_ids = itertools.count(random.randint(1, 1 << 40))


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body                  # the bytes as sent (files: XLSX, PDF)
        self.text = body.decode("utf-8", "replace")
        self.headers = headers
        try:
            self.json = jsonlib.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<Response {self.status} {self.text[:300]}>"


def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def shard_name(k):
    """The service, store, key and stream name of transactions shard k (common/shard.h)."""
    return "transactions" if k == 0 else f"transactions-{k}"


def shard_offset(k):
    """The port offset of shard k's ROUTER (PUB: one more), as common/config.c has it."""
    return 10 + 2 * k if k <= 4 else 30 + 2 * (k - 5)


def _bases_outside_ephemeral_range():
    """Port bases (multiples of 100) clear of the kernel's ephemeral range: a port in it can be
    taken by any outgoing connection between our check and the service's bind."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        lo, hi = 32768, 60999
    top = 65000 + 1                         # common/config.c takes a base up to 65000
    bases = [b for b in range(10000, top, 100) if b + 99 < lo or b > hi]
    return bases or list(range(20000, 60000, 100))


def _pick_port_base(shards=1):
    offsets = [0, 1, 10, 11, 20, 21, 85, 90, 91, 92, 93]
    for k in range(1, shards):
        offsets += [shard_offset(k), shard_offset(k) + 1]
    bases = _bases_outside_ephemeral_range()
    for _ in range(200):
        base = random.choice(bases)
        if all(_port_free(base + off) for off in offsets):
            return base
    raise RuntimeError("no free loopback port range")


class BusClient:
    """A DEALER with CURVE, authenticated as `systest` (a service-role key)."""

    def __init__(self, cluster, service, endpoint=None, key_name="systest", ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        pub, sec = cluster.keypair(key_name)
        self.sock.curve_publickey = pub
        self.sock.curve_secretkey = sec
        self.sock.curve_serverkey = cluster.public_key(service)
        self.sock.connect(endpoint or cluster.endpoint(service, "router"))

    def send_raw(self, frames):
        self.sock.send_multipart(frames)

    def recv_raw(self, timeout=5.0):
        if not self.sock.poll(int(timeout * 1000)):
            return None
        return self.sock.recv_multipart()

    def call(self, req, timeout=5.0):
        if not req.request_id:
            req.request_id = next(_request_ids)
        self.sock.send_multipart([b"", req.SerializeToString()])
        deadline = time.time() + timeout
        while time.time() < deadline:
            frames = self.recv_raw(max(0.01, deadline - time.time()))
            if frames is None:
                break
            reply = pb.envelope_pb2.Reply()
            reply.ParseFromString(frames[-1])
            if reply.request_id == req.request_id:
                return reply
        raise TimeoutError(f"no reply to request {req.request_id}")

    def close(self):
        self.sock.close(0)


class Subscriber:
    def __init__(self, cluster, service, endpoint=None):
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        pub, sec = cluster.keypair("systest")
        self.sock.curve_publickey = pub
        self.sock.curve_secretkey = sec
        self.sock.curve_serverkey = cluster.public_key(service)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.sock.connect(endpoint or cluster.endpoint(service, "pub"))
        self.pending = []                   # events of the last batch not returned yet

    def recv(self, timeout=5.0):
        """("E", Event) for each event of the PUB's batches (topic B), one at a time, or
        ("H", Heartbeat); None when nothing came within timeout."""
        if self.pending:
            return ("E", self.pending.pop(0))
        if not self.sock.poll(int(timeout * 1000)):
            return None
        topic, body = self.sock.recv_multipart()
        if topic == b"B":
            batch = pb.envelope_pb2.EventBatch()
            batch.ParseFromString(body)
            for raw in batch.events:
                ev = pb.envelope_pb2.Event()
                ev.ParseFromString(raw)
                self.pending.append(ev)
            return ("E", self.pending.pop(0)) if self.pending else self.recv(timeout)
        hb = pb.envelope_pb2.Heartbeat()
        hb.ParseFromString(body)
        return ("H", hb)

    def close(self):
        self.sock.close(0)


class Cluster:
    def __init__(self, services=None, env=None, shards=1):
        self.shards = shards
        services = list(ALL_SERVICES if services is None else services)
        if "transactions" in services:         # every shard where transactions was named
            at = services.index("transactions")
            services[at + 1:at + 1] = [shard_name(k) for k in range(1, shards)]
        self.services = services
        self.tmp = tempfile.mkdtemp(prefix="lumbung-test-")
        self.data_dir = os.path.join(self.tmp, "var")
        self.port_base = _pick_port_base(shards)
        self.http_port = self.port_base + 85
        self.admin_password = "admin-password-for-tests"
        self.env = dict(os.environ)
        self.env.update({
            "LUMBUNG_DATA": self.data_dir,
            "LUMBUNG_PORT_BASE": str(self.port_base),
            "LUMBUNG_HTTP_PORT": str(self.http_port),
            "LUMBUNG_ADMIN_PASSWORD": self.admin_password,
            "LUMBUNG_PWHASH_FAST": "1",
        })
        if shards > 1:
            self.env["LUMBUNG_TRANSACTIONS_SHARDS"] = str(shards)
        self.env.update(env or {})
        self.procs = {}
        self.logs = {}
        self._token = None
        self._bus = {}
        self.ctl("keys", "init")
        self.ctl("keys", "add", "systest", "service")

    # ---- processes ----
    def ctl(self, *args):
        return subprocess.run([os.path.join(BIN, "lumbungctl"), *args], env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def start(self):
        for name in self.services:
            self.start_service(name, wait=False)
        for name in self.services:
            self.wait_ready(name)
        if "gateway" in self.services and set(BUS_SERVICES) <= set(self.services):
            self.wait_gateway_ready()
        return self

    def wait_gateway_ready(self, timeout=READY_TIMEOUT_S):
        """Each service answering its own ping does not yet mean the gateway's connections to
        them are up; tests start from a gateway whose /readyz says so."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.http("GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gateway not ready after {timeout}s:\n{self.log('gateway')[-3000:]}")

    def _spawn(self, name, argv, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        log_path = os.path.join(self.tmp, f"{name}.log")
        with open(log_path, "ab") as log:       # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=log, cwd=self.tmp)
        self.logs[name] = log_path

    def shard_names(self):
        return [shard_name(k) for k in range(self.shards)]

    def start_service(self, name, extra_env=None, wait=True):
        binary = name
        if name.startswith("transactions-"):    # a shard: the one binary, told which it is
            binary = "transactions"
            extra_env = dict(extra_env or {}, LUMBUNG_TRANSACTIONS_SHARD=name.split("-")[1])
        self._spawn(name, [os.path.join(BIN, f"lumbung-{binary}")], extra_env)
        if wait:
            self.wait_ready(name)

    def start_testsvc(self, name, extra_env=None, wait=True):
        self.ctl("keys", "add", name, "service")
        env = {"LUMBUNG_TEST_NAME": name}
        env.update(extra_env or {})
        self._spawn(name, [os.path.join(BUILD, "tests", "system", "testsvc")], env)
        if wait:
            self.wait_ready(name)

    def endpoint(self, name, kind):
        var = f"LUMBUNG_{name.upper().replace('-', '_')}_{kind.upper()}"
        if var in self.env:
            return self.env[var]
        if name.startswith("transactions-"):
            off = shard_offset(int(name.split("-")[1])) + (1 if kind == "pub" else 0)
            return f"tcp://127.0.0.1:{self.port_base + off}"
        off = BUS_SERVICES[name] + (1 if kind == "pub" else 0)
        return f"tcp://127.0.0.1:{self.port_base + off}"

    def set_test_endpoints(self, *names):
        """Gives test services fixed endpoints, visible to every process started afterwards."""
        for i, name in enumerate(names):
            self.env[f"LUMBUNG_{name.upper()}_ROUTER"] = f"tcp://127.0.0.1:{self.port_base + 90 + 2 * i}"
            self.env[f"LUMBUNG_{name.upper()}_PUB"] = f"tcp://127.0.0.1:{self.port_base + 91 + 2 * i}"

    def wait_ready(self, name, timeout=READY_TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log(name)[-3000:]}")
            try:
                if name == "gateway":
                    if self.http("GET", "/healthz", timeout=1).status == 200:
                        return
                else:
                    req = pb.envelope_pb2.Request()
                    req.ping.SetInParent()
                    if not self.bus(name).call(req, timeout=0.5).HasField("error"):
                        return
            except (OSError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{name} not ready after {timeout}s:\n{self.log(name)[-3000:]}")

    def kill(self, name):
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        self._drop_bus(name)

    def stop_service(self, name, timeout=15):
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"{name} did not stop within {timeout}s on SIGTERM")
        self._drop_bus(name)
        return proc.returncode

    def restart(self, name, extra_env=None):
        self.stop_service(name)
        self.start_service(name, extra_env)

    SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

    def stop(self):
        """Stops every process still running and fails when one of them did not stop cleanly
        (exit code not 0 on SIGTERM, or a sanitizer report anywhere in its log)."""
        codes, problems = {}, []
        for name in list(self.procs):
            was_running = self.procs[name].poll() is None
            try:
                codes[name] = self.stop_service(name)
            except RuntimeError:
                codes[name] = "hung"
            if was_running and codes[name] != 0:
                problems.append(f"{name} exited with {codes[name]} on SIGTERM")
            text = self.log(name)
            for mark in self.SANITIZER_MARKS:
                if mark in text:
                    at = text.index(mark)
                    problems.append(f"{name}: {text[max(0, at - 200):at + 1500]}")
                    break
        for b in self._bus.values():
            b.close()
        self._bus.clear()
        if os.environ.get("LUMBUNG_KEEP_TMP") is None:
            subprocess.run(["rm", "-rf", self.tmp])
        if problems:
            raise RuntimeError("unclean shutdown:\n" + "\n".join(problems))
        return codes

    def log(self, name):
        with open(self.logs[name], "rb") as f:
            return f.read().decode("utf-8", "replace")

    # ---- keys and bus ----
    def _keys_dir(self):
        return os.path.join(self.data_dir, "keys")

    def public_key(self, name):
        with open(os.path.join(self._keys_dir(), f"{name}.pub"), "rb") as f:
            return f.read().strip()

    def keypair(self, name):
        with open(os.path.join(self._keys_dir(), f"{name}.key"), "rb") as f:
            return self.public_key(name), f.read().strip()

    def bus(self, name):
        if name not in self._bus:
            self._bus[name] = BusClient(self, name)
        return self._bus[name]

    def _drop_bus(self, name):
        b = self._bus.pop(name, None)
        if b:
            b.close()

    def subscribe(self, name):
        return Subscriber(self, name)

    # ---- HTTP ----
    def http(self, method, path, body=None, token=None, headers=None, raw=None, timeout=30):
        url = f"http://127.0.0.1:{self.http_port}{path}"
        data = raw if raw is not None else (jsonlib.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(url, data=data, method=method)
        if body is not None and raw is None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return Response(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read(), dict(e.headers))

    def admin_token(self):
        if not self._token:
            r = self.http("POST", "/api/v1/auth/login", {"username": "admin", "password": self.admin_password})
            assert r.status == 200, r
            self._token = r.json["token"]
        return self._token

    def api(self, method, path, body=None, headers=None, raw=None, token=None):
        return self.http(method, path, body, token=token or self.admin_token(), headers=headers, raw=raw)
