"""A district on several hosts (docs/operations.md, "Lay out hosts"): one network namespace per
host joined by a bridge (tests/system/netns.py), one host per service and per transactions
shard (two shards: transactions and transactions-1, the shard map `default = mod` on every
host), an integrator's host and a stranger's. Every bus connection is CURVE over TCP between
host addresses; each host has its own key directory, made there with `lumbungctl keys add`
(each shard host its own shard's key), and learns its peers' public keys with `lumbungctl keys
import` (what `keys show` prints on the peer's own host), as an administrator distributes them.

Proves: every host, every shard included, answers across the network; the integrator's host,
with its own key scoped to one cooperative, posts a batch with the C example client
(docs/examples/bus_example.c) on the shard that owns the cooperative and follows that shard's
events; the same batch sent to the other shard is refused with `wrong_shard` naming the owner
and posts nothing; the same key is refused for another cooperative (typed error); a host whose
key nobody admitted is refused by both shards (ZAP logs its address); the reporting host is cut
off the network for 10 s while deposits go on to both shards and, once reconnected, has lost
nothing: its trial balances equal each shard's ledger, sen for sen.

Where the namespaces cannot be made, the test fails and says why (it never skips).
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest
import zmq

sys.path.insert(0, os.path.dirname(__file__))
from example_util import deposit_lines, run_c_example  # noqa: E402
from lumbung import BIN, BusClient, Cluster, day, pb, shard_name, shard_offset  # noqa: E402
from netns import Network, NetworkUnavailable  # noqa: E402
from topology import BUS_PORTS, CLIENTS, HTTP_PORT  # noqa: E402
from tx_util import Coop, shard_for, tx_call, tx_ok  # noqa: E402

# The transactions shards, one host each (docs/operations.md, 1b): shard K on host
# transactionsK, with the ports a shard has on one host (7110/7111, 7112/7113).
SHARDS = 2
TX_HOSTS = ["transactions%d" % i for i in range(SHARDS)]
HOSTS = ["members", *TX_HOSTS, "reporting", "gateway", "integrator", "stranger"]
ADMIN = {"user": "admin", "role": "ROLE_ADMIN"}
CUT_S = 10
BANK = "bank-multihost"
OPERATOR = "systest"        # the operator's service key, on the gateway host
SHARD_MAP = "shards = %d\ndefault = mod\n" % SHARDS
SPAN = 1 << 48              # shard K's entry ids: K * SPAN + 1, ...


def service_of(host):
    """The name a host's service has: its key, stream and line in `status` (a shard's name)."""
    return shard_name(TX_HOSTS.index(host)) if host in TX_HOSTS else host


def binary_of(host):
    return "transactions" if host in TX_HOSTS else host


def shard_env(shard):
    """What makes a transactions process shard `shard`; the rest (the number of shards, the
    map) is the district's, the same on every host."""
    return {"LUMBUNG_TRANSACTIONS_SHARD": str(shard)}


def shard_endpoints(net):
    """Every shard's endpoints, for the services that route by cooperative and for the shards'
    own bind; shard 0's are LUMBUNG_TRANSACTIONS_ROUTER/_PUB (set with the other services)."""
    router = BUS_PORTS["transactions"][0] - 10
    env = {"LUMBUNG_TRANSACTIONS_SHARDS": str(SHARDS)}
    for k in range(1, SHARDS):
        for kind, port in (("ROUTER", router + shard_offset(k)), ("PUB", router + shard_offset(k) + 1)):
            env["LUMBUNG_TRANSACTIONS_%d_%s" % (k, kind)] = "tcp://%s:%d" % (net.addr(TX_HOSTS[k]), port)
    return env


class District:
    """The services of one district on their hosts, each with its own data and key directory.
    Offers what tests/system/tx_util.Coop needs of a cluster (bus, endpoint), from the
    gateway host, with the operator's key."""

    def __init__(self, net, tmp):
        self.net, self.tmp = net, tmp
        self.procs, self.logs, self._bus = {}, {}, {}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LUMBUNG_")}
        self.env.update({"LUMBUNG_ADMIN_PASSWORD": "admin-password-for-tests",
                         "LUMBUNG_PWHASH_FAST": "1",
                         "LUMBUNG_HTTP_HOST": net.addr("gateway"),
                         "LUMBUNG_HTTP_PORT": str(HTTP_PORT)})
        for service, (router, pub) in BUS_PORTS.items():
            host = TX_HOSTS[0] if service == "transactions" else service
            self.env["LUMBUNG_%s_ROUTER" % service.upper()] = "tcp://%s:%d" % (net.addr(host), router)
            self.env["LUMBUNG_%s_PUB" % service.upper()] = "tcp://%s:%d" % (net.addr(host), pub)
        self.env.update(shard_endpoints(net))
        with net.inside("gateway"):
            self.ctx = zmq.Context()
            self.ctx.socket(zmq.DEALER).close(0)   # starts its I/O thread on the gateway host

    def host_env(self, host):
        env = dict(self.env)
        env["LUMBUNG_DATA"] = os.path.join(self.tmp, host, "var")
        env["LUMBUNG_KEYS"] = os.path.join(self.tmp, host, "keys")
        return env

    def write_shard_map(self, host):
        """The district's shard map, the same file on every host (its default place)."""
        data = self.host_env(host)["LUMBUNG_DATA"]
        os.makedirs(data, exist_ok=True)
        with open(os.path.join(data, "shard.map"), "w") as f:
            f.write(SHARD_MAP)

    def ctl(self, host, *args, netns=False):
        argv = [os.path.join(BIN, "lumbungctl"), *args]
        r = subprocess.run(self.net.argv(host, argv) if netns else argv, env=self.host_env(host),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (host, args, r.stdout, r.stderr)
        return r.stdout

    def keys_dir(self, host):
        return self.host_env(host)["LUMBUNG_KEYS"]

    def share(self, name, from_host, to_host, role, *scope):
        """NAME's public key, read on its own host, admitted (or only installed: role none)."""
        key = self.ctl(from_host, "keys", "show", name).strip()
        self.ctl(to_host, "keys", "import", name, key, role, *scope)

    def start(self, host, extra_env=None):
        env = self.host_env(host)
        env.update(extra_env or {})
        self.logs[host] = os.path.join(self.tmp, host + ".log")
        with open(self.logs[host], "ab") as log:
            self.procs[host] = subprocess.Popen(
                self.net.argv(host, [os.path.join(BIN, "lumbung-" + binary_of(host))]),
                env=env, stdout=log, stderr=log, cwd=self.tmp)

    def http(self, method, path, body=None, token=None):
        """(status, JSON) of a request to the gateway, made on the gateway host."""
        url = "http://%s:%d%s" % (self.net.addr("gateway"), HTTP_PORT, path)
        req = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with self.net.inside("gateway"):
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    return r.status, json.loads(r.read() or b"null")
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read() or b"null")

    def log(self, host):
        with open(self.logs[host], "rb") as f:
            return f.read().decode("utf-8", "replace")

    # ---- what tx_util.Coop and BusClient use ----
    shards = SHARDS         # tx_util routes a cooperative's calls to its shard by this

    def endpoint(self, service, kind):
        return self.env["LUMBUNG_%s_%s" % (service.upper().replace("-", "_"), kind.upper())]

    def public_key(self, name):
        with open(os.path.join(self.keys_dir("gateway"), name + ".pub"), "rb") as f:
            return f.read().strip()

    def keypair(self, name):
        with open(os.path.join(self.keys_dir("gateway"), name + ".key"), "rb") as f:
            return self.public_key(name), f.read().strip()

    def client(self, service):
        with self.net.inside("gateway"):
            return BusClient(self, service, key_name=OPERATOR, ctx=self.ctx)

    def bus(self, service):
        if service not in self._bus:
            self._bus[service] = self.client(service)
        return self._bus[service]

    def ping(self, service, timeout=2.0, client=None):
        req = pb.envelope_pb2.Request()
        req.ping.SetInParent()
        reply = (client or self.bus(service)).call(req, timeout=timeout)
        assert not reply.HasField("error"), reply.error
        return reply.pong

    def stop(self):
        problems = []
        for b in self._bus.values():
            b.close()
        for host, proc in self.procs.items():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                if proc.returncode != 0:
                    problems.append("%s exited with %s on SIGTERM" % (host, proc.returncode))
            for mark in Cluster.SANITIZER_MARKS:
                if mark in self.log(host):
                    problems.append("%s: %s" % (host, mark))
        self.ctx.destroy(linger=0)
        return problems


def distribute_keys(d):
    """Each host makes its own keys; each client gets its servers' public keys (role none) and
    each server admits its clients (role service): who connects to whom, as in
    docs/operations.md."""
    for host in ["members", *TX_HOSTS, "reporting", "gateway"]:
        d.write_shard_map(host)
        d.ctl(host, "keys", "add", service_of(host), "service")
    d.ctl("gateway", "keys", "add", OPERATOR, "service")
    hosts_of = lambda service: TX_HOSTS if service == "transactions" else [service]  # noqa: E731
    clients = {host: [s for server in CLIENTS[service] for s in hosts_of(server)]
               for service in CLIENTS for host in hosts_of(service)}
    for client_host, servers in clients.items():
        names = [service_of(client_host)] + ([OPERATOR] if client_host == "gateway" else [])
        for server in servers:
            d.share(service_of(server), server, client_host, "none")
            for name in names:
                d.share(name, client_host, server, "service")


def start_district(d):
    for host in ["members", *TX_HOSTS, "reporting", "gateway"]:
        extra = shard_env(TX_HOSTS.index(host)) if host in TX_HOSTS else None
        d.start(host, extra)
    deadline = time.time() + 60
    for host in ["members", *TX_HOSTS, "reporting"]:
        while True:
            try:
                d.ping(service_of(host), timeout=1.0)
                break
            except TimeoutError:
                assert time.time() < deadline, "%s did not answer:\n%s" % (host, d.log(host))
    while True:
        try:
            if d.http("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        assert time.time() < deadline, "gateway not ready:\n" + d.log("gateway")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def district():
    net, why = None, None
    try:
        net = Network(HOSTS)
    except NetworkUnavailable as e:
        why = str(e)
    if why:
        pytest.fail("the multi-host test needs network namespaces, which cannot be made "
                    "here: %s" % why, pytrace=False)
    tmp = tempfile.mkdtemp(prefix="lumbung-multihost-")
    d = None
    try:
        d = District(net, tmp)
        distribute_keys(d)
        start_district(d)
        yield d
    finally:
        problems = d.stop() if d else []
        net.destroy()
        if os.environ.get("LUMBUNG_KEEP_TMP") is None:
            subprocess.run(["rm", "-rf", tmp])
        assert not problems, problems


def c_example(d, host, me, shard, *args, **kw):
    """The C example on `host` as `me`, talking to transactions shard `shard`."""
    name = shard_name(shard)
    return run_c_example(d.keys_dir(host), me, name, d.endpoint(name, "router"),
                         *args, netns=d.net.ns(host), **kw)


def coop_on(d, shard, name, serial_base):
    """A new cooperative on `shard` (ids are handed out 1, 2, 3, ...; the map's rule: id mod
    SHARDS)."""
    while True:
        coop = Coop(d, name, serial_base)
        if int(coop.id) % SHARDS == shard:
            return coop


def test_every_host_has_its_own_keys_and_status_reaches_every_host(district):
    d = district
    for host in ["members", *TX_HOSTS, "reporting", "gateway"]:
        secret = sorted(f for f in os.listdir(d.keys_dir(host)) if f.endswith(".key"))
        assert secret == sorted({"gateway": ["gateway.key", OPERATOR + ".key"]}.get(
            host, [service_of(host) + ".key"]))
    members_listing = d.ctl("members", "keys", "list")
    names = sorted(line.split()[0] for line in members_listing.splitlines()[1:])
    assert names == sorted(["gateway", "members", "reporting", "transactions", "transactions-1",
                            OPERATOR])
    out = d.ctl("gateway", "keys", "list")
    assert sorted(line.split()[0] for line in out.splitlines()[1:]) == ["gateway", OPERATOR]
    # lumbungctl status on the operator's host reaches every service across the network.
    env_key = {"LUMBUNG_CTL_KEY": OPERATOR}
    r = subprocess.run(d.net.argv("gateway", [os.path.join(BIN, "lumbungctl"), "status"]),
                       env=dict(d.host_env("gateway"), **env_key), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    ups = [line.split()[:2] for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert ups == [["members", "up"], ["transactions", "up"], ["transactions-1", "up"],
                   ["reporting", "up"]], r.stdout
    # The gateway on its host reaches every shard.
    status, ready = d.http("GET", "/readyz")
    assert (status, ready["services"]) == (200, {
        "members": "up", "transactions": "up", "transactions-1": "up", "reporting": "up"}), ready


def test_the_integrator_host_posts_on_its_cooperatives_shard_only_and_a_stranger_is_refused(district):
    d = district
    mine = coop_on(d, 1, "KSP Lintas Host", serial_base=100)
    a, b = mine.member(), mine.member()
    other = coop_on(d, 1, "KSP Tetangga", serial_base=200)
    o = other.member()
    scope = ("--cooperatives", str(mine.id), "--operations", "deposit,post_batch")
    d.ctl("integrator", "keys", "add", BANK, "integrator", *scope)
    for tx in TX_HOSTS:
        d.share(service_of(tx), tx, "integrator", "none")
        d.share(BANK, "integrator", tx, "integrator", *scope)

    heads = {name: d.ping(name).head_seq for name in map(shard_name, range(SHARDS))}
    after = max(mine.seq, other.seq)
    postings = deposit_lines([(a, 1066185), (b, 46), (a, 250000)])
    # To shard 0, which does not own the cooperative: refused, naming the owner; nothing posted.
    rc, out, err = c_example(d, "integrator", BANK, 0, "deposit-batch", "--cooperative", mine.id,
                             "--key", "multihost:wrong:1", "--after-members-seq", after,
                             stdin=postings)
    assert (rc, out) == (3, [
        "multihost:wrong:1: error ERROR_KIND_INVALID wrong_shard field cooperative_id: cooperative "
        "%d lives on transactions shard 1 (transactions-1, %s), not on this one: send its "
        "requests there" % (mine.id, d.endpoint("transactions-1", "router"))]), (rc, out, err)
    assert d.ping("transactions").head_seq == heads["transactions"]

    rc, out, err = c_example(d, "integrator", BANK, 1, "deposit-batch", "--cooperative", mine.id,
                             "--key", "multihost:batch:1", "--value-date", "2025-03-03",
                             "--after-members-seq", after, stdin=postings)
    assert rc == 0, (out, err)
    assert len(out) == 4, out
    for i, (line, balance) in enumerate(zip(out, [1066185, 46, 1316185])):
        words = line.split()
        assert words[:4] + words[5:] == ["posting", "%d:" % i, "ok", "entry", "balance",
                                         str(balance)], out
        assert int(words[4]) > SPAN, out                 # an entry id of shard 1
    assert out[3].startswith("multihost:batch:1: 3 posted, 0 failed, event_seq ")
    assert mine.balance(a) == 1316185 and mine.balance(b) == 46

    rc, out, err = c_example(d, "integrator", BANK, 1, "deposit-batch", "--cooperative", other.id,
                             "--key", "multihost:other:1", stdin=deposit_lines([(o, 5000)]))
    assert rc == 3 and out[0].startswith(
        "multihost:other:1: error ERROR_KIND_FORBIDDEN cooperative_not_allowed field "
        "cooperative_id: "), (out, err)
    assert other.balance(o) == 0

    rc, events, err = c_example(d, "integrator", BANK, 1, "follow", "--cursor",
                                heads["transactions-1"], "--until-head")
    assert rc == 0, err
    entries = [x.split() for x in events if x.startswith("  entry ")]
    assert [(e[3], e[5], e[7]) for e in entries] == [
        (str(mine.id), str(a), "+1066185"), (str(mine.id), str(b), "+46"),
        (str(mine.id), str(a), "+250000")], events
    assert [x.split()[2:] for x in events if x.startswith("event ")] == [
        ["transactions.entries_posted", "by", BANK]], events
    rc, events, err = c_example(d, "integrator", BANK, 0, "follow", "--cursor",
                                heads["transactions"], "--until-head")
    assert (rc, events) == (0, ["cursor %d head %d" % ((heads["transactions"],) * 2)]), (events, err)

    # The gateway, following every shard's stream across the network, audits the batch
    # under the integrator's key name, as an event of shard 1's stream.
    status, login = d.http("POST", "/api/v1/auth/login",
                           {"username": "admin", "password": d.env["LUMBUNG_ADMIN_PASSWORD"]})
    assert status == 200, login
    deadline, audited = time.time() + 30, []
    while not audited and time.time() < deadline:
        status, page = d.http("GET", "/api/v1/audit?user=%s&limit=50" % BANK, token=login["token"])
        assert status == 200, page
        audited = [(e["route"], e["role"], e["method"], e["cooperative_id"]) for e in page["items"]]
        time.sleep(0.1)
    assert audited == [("transactions-1.entries_posted", "integrator", "BUS", str(mine.id))]

    # The stranger's key is on no allow-list: no shard answers, and ZAP names its address.
    d.ctl("stranger", "keys", "add", "stranger", "integrator", "--cooperatives", "all",
          "--operations", "all")
    refused = "zap: refused a peer from %s" % d.net.addr("stranger")
    for k, tx in enumerate(TX_HOSTS):
        d.share(service_of(tx), tx, "stranger", "none")
        rc, out, err = c_example(d, "stranger", "stranger", k, "ping", "--timeout-ms", "1000")
        assert (rc, out) == (2, []) and "no reply after 3 attempts" in err, (rc, out, err)
        assert refused in d.log(tx), d.log(tx)[-2000:]


class Load(threading.Thread):
    """Deposits from the operator's host, one after another, each to the shard owning its
    cooperative, until stopped (at most `limit`): the district keeps working while reporting
    is cut off."""

    def __init__(self, d, coops, limit=20000):
        super().__init__(daemon=True)
        self.d, self.coops, self.limit = d, coops, limit
        self.stop_flag = threading.Event()
        self.posted, self.sums, self.error = 0, {}, None
        self.on_shard = {shard_name(k): 0 for k in range(SHARDS)}      # deposits per shard
        self.last_seq = dict.fromkeys(self.on_shard, 0)

    def run(self):
        clients = {}
        try:
            clients = {name: self.d.client(name) for name in self.on_shard}
            self._post(clients)
        except BaseException as e:      # the test thread reports it
            self.error = e
        finally:
            for client in clients.values():
                client.close()

    def _post(self, clients):
        while not self.stop_flag.is_set() and self.posted < self.limit:
            coop, member = self.coops[self.posted % len(self.coops)]
            sen = 1000 + (self.posted * 7919) % 100000
            body = {"cooperative_id": str(coop.id), "member_id": str(member),
                    "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(sen),
                    "value_date": "2025-04-01"}
            shard = shard_for(self.d, body)
            reply, _ = tx_call(self.d, "deposit", body, actor=ADMIN, client=clients[shard],
                               key="load-%d" % self.posted, after=coop.seq)
            assert not reply.HasField("error"), reply.error
            self.sums[coop.id] = self.sums.get(coop.id, 0) + sen
            self.last_seq[shard] = max(self.last_seq[shard], reply.event_seq)
            self.on_shard[shard] += 1
            self.posted += 1


def reporting_trial_balance(d, coop, heads):
    """Reporting's trial balance of the cooperative once it has applied every shard up to
    `heads` (after_shard_seqs: shard K's sequence at index K)."""
    req = pb.envelope_pb2.Request()
    req.actor.user, req.actor.role = "admin", pb.envelope_pb2.ROLE_ADMIN
    req.after_shard_seqs.extend(heads[shard_name(k)] for k in range(SHARDS))
    req.reporting.trial_balance.cooperative_id = int(coop.id)
    req.reporting.trial_balance.as_of = day("2999-12-31")
    reply = d.bus("reporting").call(req, timeout=30)
    assert not reply.HasField("error"), reply.error
    return reply.reporting.trial_balance


def rows(items):
    return sorted((i.code, i.debit_total_sen, i.credit_total_sen, i.balance_sen) for i in items)


def shard_heads(d):
    return {name: d.ping(name).head_seq for name in map(shard_name, range(SHARDS))}


def wait_until_reporting_has(d, heads, timeout=180):
    """Until reporting's cursor of every shard's stream has reached that shard's head."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            followers = {f.stream: f.cursor for f in d.ping("reporting", timeout=2).followers}
            if all(followers.get(name, 0) >= head for name, head in heads.items()):
                return followers
        except TimeoutError:
            pass
        time.sleep(0.2)
    raise AssertionError("reporting did not catch up with the shards' heads %s:\n%s"
                         % (heads, d.log("reporting")[-3000:]))


def test_reporting_cut_off_under_load_loses_nothing_and_equals_both_ledgers(district):
    d = district
    coops = []
    for shard in (0, 1, 0, 1):
        coop = coop_on(d, shard, "KSP Beban %d" % len(coops), serial_base=300 + 50 * len(coops))
        coops += [(coop, coop.member()), (coop, coop.member())]
    before = {c.id: c.trial_balance().total_debit_sen for c, _ in coops}
    wait_until_reporting_has(d, shard_heads(d))

    load = Load(d, coops)
    load.start()
    try:
        while load.posted < 50 and load.is_alive():
            time.sleep(0.05)
        d.net.unplug("reporting")
        cut_at = dict(load.on_shard)
        probe = d.client("reporting")             # a new connection: really cut off
        try:
            with pytest.raises(TimeoutError):
                d.ping("reporting", timeout=1.0, client=probe)
        finally:
            probe.close()
        time.sleep(CUT_S)
        during = {name: n - cut_at[name] for name, n in load.on_shard.items()}
        d.net.plug("reporting")
        target = load.posted + 50
        while load.posted < target and load.is_alive():
            time.sleep(0.05)
    finally:
        load.stop_flag.set()
        load.join(60)
    assert load.error is None, load.error
    assert all(n > 0 for n in during.values()), (
        "not every shard took deposits while reporting was cut off: %s" % during)

    heads = shard_heads(d)
    assert all(heads[name] >= seq for name, seq in load.last_seq.items()), (heads, load.last_seq)
    wait_until_reporting_has(d, heads)
    for coop, _ in coops[::2]:
        ledger = coop.trial_balance()             # from the shard that owns the cooperative
        ours = reporting_trial_balance(d, coop, heads)
        assert ledger.total_debit_sen == before[coop.id] + load.sums[coop.id]
        assert (ours.total_debit_sen, ours.total_credit_sen) == (ledger.total_debit_sen,
                                                                 ledger.total_credit_sen)
        assert ours.balanced and ledger.balanced
        assert rows(ours.items) == rows(ledger.items)
        assert ours.as_of_seq >= heads[shard_for(d, {"cooperative_id": coop.id})]
    per_member = {}
    for i in range(load.posted):
        coop, member = coops[i % len(coops)]
        per_member[member] = per_member.get(member, 0) + 1000 + (i * 7919) % 100000
    for coop, member in coops:
        got = tx_ok(d, "get_member_accounts", {"cooperative_id": str(coop.id),
                                               "member_id": str(member)}, after=coop.seq)
        voluntary = [x for x in got.items if x.kind == pb.transactions_pb2.SAVINGS_KIND_VOLUNTARY]
        assert voluntary[0].balance_sen == per_member[member]
