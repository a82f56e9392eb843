#!/usr/bin/python3
"""The throughput bench of issue 14 (`make bench`): one run, one table.

Every figure is printed beside its target and its ratio to a limit measured in the same run on
the same disk: raw LMDB at full durability, a ZeroMQ round trip and the same bus pipelined
(calls/s and the CPU a call costs both ends), and a PostgreSQL peer doing the same double-entry
posting (Debian's postgresql, a throwaway cluster in the bench's own
directory, reached over a Unix socket only). Bus endpoints are ipc:// sockets in that
directory and the HTTP port is one the kernel hands out, so nothing collides with what else
runs on the machine.

Steps (in order; 1-5 in one cluster, 6 in a second):
  1. members + transactions alone: batch messages of BENCH_BATCH postings, then single
     postings pipelined (bench/tx_bench.c drive);
  2. reporting starts on a fresh store and catches up everything posted so far: postings/s,
     and the free pages of its store after the catch-up (mdb_stat);
  3. the gateway starts: the same two phases with reporting following, its lag sampled;
  4. HTTP over BENCH_CONNECTIONS keep-alive connections (bench/http_load.c): deposits (each a
     new Idempotency-Key), GET a member's accounts, and /healthz;
  5. the resident memory of each service (anonymous, i.e. apart from LMDB's mapped file);
  6. a second cluster, members + transactions as two shards (cooperative id mod 2): batch
     messages to a cooperative on shard 0 alone, then to one cooperative on each shard at the
     same time, one client thread per shard (bench/tx_bench.c drive-shards); the ratio of the
     two, and every cooperative's books checked after;
  7. close-day at district scale, for each size of BENCH_CLOSE_LOANS in a cluster of its own
     (members + transactions): loans written by tests/system/txseed (the service's own apply
     and disburse rules, straight into the stopped store), all overdue so that every one
     changes class; the close's seconds, the slowest read of another cooperative answered
     while it ran, and the service's anonymous memory after it.
The machine's limits are measured three times (before step 1, after step 2, after step 5) and
each is the median of the three.

Sizes (environment): BENCH_SECONDS (4) per phase, BENCH_BATCH (1000), BENCH_DEPTH (1024),
BENCH_CONNECTIONS (64), BENCH_DIR (/var/tmp), BENCH_PG=0 skips the PostgreSQL peer,
BENCH_CLOSE_LOANS (100000,1000000; empty skips step 7), BENCH_SYSTEM_ROUNDS (3) rounds of
steps 3-5, each followed by "alone" again.
Prints figures and ratios; never fails on timing. Exits 1 only when a step could not run.
"""
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("LUMBUNG_BUILD", "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from lumbung import BusClient, Cluster, pb, shard_name  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
DEPTH = int(os.environ.get("BENCH_DEPTH", "1024"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SYSTEM_ROUNDS = max(1, int(os.environ.get("BENCH_SYSTEM_ROUNDS", "3")))
BENCH_DIR = os.environ.get("BENCH_DIR", "/var/tmp")
CLOSE_LOANS = [int(n) for n in os.environ.get("BENCH_CLOSE_LOANS", "100000,1000000").split(",")
               if n.strip()]
CLOSE_TARGET_S = {100000: 2, 1000000: 20}       # issue 14
CLOSE_DATE = "2025-05-11"    # more than 3 months past txseed's first due date: all substandard
LOAN_SEN = 100000000         # Rp 1.000.000, txseed's principal
MB = 1024 * 1024


def kv(text):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([-0-9.]+)", text)}


def tool(name, *args, env=None, timeout=600):
    out = subprocess.run([os.path.join(BUILD, "bench", name), *map(str, args)], env=env,
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-2000:])
    return kv(out.stdout), out.returncode


def free_port():
    """A port the kernel picked as free; held by nothing once returned (the gateway binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the PostgreSQL peer

PG_SCHEMA = """
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE entries (id bigserial PRIMARY KEY, member bigint NOT NULL, amount bigint NOT NULL,
                      value_date date NOT NULL, posted_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE lines (entry bigint NOT NULL REFERENCES entries, account bigint NOT NULL,
                    debit bigint NOT NULL, credit bigint NOT NULL);
CREATE INDEX lines_account ON lines (account, entry);
INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 1100) g;
CREATE FUNCTION post_one(m bigint, amt bigint) RETURNS void AS $$
DECLARE e bigint;
BEGIN
  INSERT INTO entries (member, amount, value_date) VALUES (m, amt, '2025-01-10') RETURNING id INTO e;
  INSERT INTO lines VALUES (e, 1, amt, 0), (e, 1000 + m, 0, amt);
  UPDATE accounts SET balance = balance + amt WHERE id = 1;
  UPDATE accounts SET balance = balance - amt WHERE id = 1000 + m;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION post_batch(n int) RETURNS void AS $$
BEGIN
  FOR i IN 1..n LOOP PERFORM post_one(1 + i % 100, 100 + i % 900); END LOOP;
END $$ LANGUAGE plpgsql;
"""


def pg_peer():
    """Postings/s of PostgreSQL doing the same double-entry posting on the same disk (fsync and
    synchronous_commit on): {'batch': ..., 'single': ...}, or None without postgresql."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if os.environ.get("BENCH_PG") == "0" or not initdb or not shutil.which("pgbench"):
        return None
    bindir = os.path.dirname(initdb[-1])
    pgdir = tempfile.mkdtemp(prefix="lumbung-bench-pg-", dir=BENCH_DIR)   # postgres must reach it
    as_user = []
    if os.getuid() == 0:          # initdb refuses root: the cluster runs as Debian's postgres user
        pw = pwd.getpwnam("postgres")
        os.chown(pgdir, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(pgdir, "data")

    def run(*argv, **kw):
        return subprocess.run(as_user + list(argv), capture_output=True, text=True, **kw)
    run(os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", check=True)
    opts = f"-k {pgdir} -c listen_addresses='' -c max_connections=100 -c shared_buffers=256MB"
    run(os.path.join(bindir, "pg_ctl"), "-D", data, "-o", opts, "-w", "-l",
        os.path.join(pgdir, "log"), "start", check=True)
    try:
        base = ["-h", pgdir, "-U", "postgres", "postgres"]
        run("psql", "-q", "-v", "ON_ERROR_STOP=1", "-c", PG_SCHEMA, *base, check=True)
        scripts = {"batch": (f"SELECT post_batch({BATCH});\n", 4, BATCH),
                   "single": ("\\set m random(1, 100)\nSELECT post_one(:m, 100);\n", 64, 1)}
        out = {}
        for name, (sql, clients, per_tx) in scripts.items():
            path = os.path.join(pgdir, f"{name}.sql")
            with open(path, "w") as f:
                f.write(sql)
            os.chmod(path, 0o644)
            r = run("pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(SECONDS), "-f", path,
                    *base)
            m = re.search(r"tps = ([0-9.]+)", r.stdout)
            out[name] = float(m.group(1)) * per_tx if m else 0.0
        return out
    finally:
        run(os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(pgdir, ignore_errors=True)


# ---------------------------------------------------------------- the cluster

def cluster(shards=1):
    tempfile.tempdir = BENCH_DIR
    c = Cluster(services=[], shards=shards)
    names = ["members", "transactions", "reporting", "gateway"]
    for name in names + [shard_name(k) for k in range(1, shards)]:
        var = name.upper().replace("-", "_")
        for kind in ("router", "pub"):
            c.env[f"LUMBUNG_{var}_{kind.upper()}"] = f"ipc://{c.tmp}/{name}.{kind}"
    c.http_port = free_port()
    c.env["LUMBUNG_HTTP_PORT"] = str(c.http_port)
    c.env["LUMBUNG_LOG_LEVEL"] = "warn"
    c.ctl("keys", "add", "bench", "service")
    return c


def limits(workdir):
    return tool("tx_bench", "limits", workdir, SECONDS / 2)[0]


def median_limits(rounds):
    """Each limit's median over rounds measured at the start, between the steps and at the end,
    so that a limit is not taken from a quiet moment and the figures from a busy one."""
    keys = set().union(*rounds)
    return {k: sorted(r.get(k, 0.0) for r in rounds)[len(rounds) // 2] for k in keys}


def ping(client):
    req = pb.envelope_pb2.Request()
    req.ping.SetInParent()
    return client.call(req, timeout=10).pong


def reporting_cursor(pong):
    return {f.stream: f.cursor for f in pong.followers}.get("transactions", 0)


def drive(c):
    env = dict(c.env, TX_BENCH_SECONDS=str(SECONDS), TX_BENCH_BATCH=str(BATCH),
               TX_BENCH_DEPTH=str(DEPTH))
    figures, rc = tool("tx_bench", "drive", env=env, timeout=SECONDS * 10 + 120)
    if rc != 0 or "batch_postings_per_s" not in figures:
        raise RuntimeError("tx_bench drive failed")
    return figures


def shards_step():
    """Members + transactions as two shards in a cluster of their own: batch postings/s to one
    shard alone and to both at once (tx_bench drive-shards), or None with the reason on stderr
    when the step could not run."""
    c = cluster(shards=2)
    try:
        for name in ("members",) + tuple(c.shard_names()):
            c.start_service(name)
        env = dict(c.env, TX_BENCH_SECONDS=str(SECONDS), TX_BENCH_BATCH=str(BATCH))
        figures, rc = tool("tx_bench", "drive-shards", env=env, timeout=SECONDS * 10 + 120)
        if rc != 0 or "all_postings_per_s" not in figures:
            sys.stderr.write("bench: tx_bench drive-shards failed\n")
            return None
        return figures
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        sys.stderr.write(f"bench: the two-shard step could not run: {e}\n")
        return None
    finally:
        c.stop()
        shutil.rmtree(c.tmp, ignore_errors=True)


def close_step(loans):
    """Close-day of `loans` loans that all change class, in a cluster of its own: seconds of
    the close request, the latencies of reads of another cooperative answered meanwhile, and
    the service's anonymous memory after; or None with the reason on stderr."""
    from tx_util import Coop, tx_call     # tests/system: the system tests' bus helpers
    c = cluster()
    try:
        for name in ("members", "transactions"):
            c.start_service(name)
        other = Coop(c, "KSP Tetangga Bench", 9100)
        other_member = other.member()
        other.move("deposit", other_member, "voluntary", 125050, key="bench-dep")
        coop = Coop(c, "KSP Bench Tutup Hari", 9200)
        members = [coop.member() for _ in range(20)]
        coop.fund(loans * LOAN_SEN)
        c.stop_service("transactions")
        seeded = subprocess.run([os.path.join(BUILD, "tests", "system", "txseed"), c.data_dir,
                                 str(coop.id), str(loans)] + [str(m) for m in members],
                                capture_output=True, text=True, timeout=3600)
        if seeded.returncode != 0:
            raise RuntimeError(f"txseed failed: {seeded.stderr.strip()}")
        c.start_service("transactions")
        result = {}

        def run():
            start = time.monotonic()
            result["reply"], result["day"] = tx_call(
                None, "close_day", {"cooperative_id": str(coop.id), "business_date": CLOSE_DATE},
                key="bench-close", client=BusClient(c, "transactions"), timeout=600)
            result["s"] = time.monotonic() - start

        closer = threading.Thread(target=run)
        reader, reads = BusClient(c, "transactions"), []
        closer.start()
        while closer.is_alive():
            start = time.monotonic()
            tx_call(None, "get_member_accounts", {"cooperative_id": str(other.id),
                                                  "member_id": str(other_member)},
                    client=reader, timeout=60)
            if closer.is_alive():
                reads.append((time.monotonic() - start) * 1000)
        closer.join()
        reader.close()
        if result["reply"].HasField("error") or result["day"].reclassified != loans:
            raise RuntimeError(f"the close failed: {result['reply'].error}")
        reads.sort()
        return {"loans": loans, "s": result["s"], "reads": len(reads),
                "read_max_ms": reads[-1] if reads else 0.0,
                "read_p99_ms": reads[int(0.99 * (len(reads) - 1))] if reads else 0.0,
                "anon": resident(c.procs["transactions"].pid)[0]}
    except (RuntimeError, OSError, subprocess.SubprocessError, AssertionError) as e:
        sys.stderr.write(f"bench: the close-day step of {loans:,} loans could not run: {e}\n")
        return None
    finally:
        c.stop()
        shutil.rmtree(c.tmp, ignore_errors=True)


class LagSampler(threading.Thread):
    """Every 50 ms: the transactions head and reporting's cursor. The lag at a sample is how
    long ago the oldest event reporting has not applied yet was first seen at the head (so a
    lag under one sampling interval reads 0), and how many events it is behind."""

    def __init__(self, c):
        super().__init__(daemon=True)
        self.tx, self.rep = BusClient(c, "transactions"), BusClient(c, "reporting")
        self.heads, self.lags, self.behind, self.stop = [], [], [], threading.Event()

    def run(self):
        while not self.stop.wait(0.05):
            now = time.monotonic()
            head = ping(self.tx).head_seq
            self.heads.append((now, head))
            cursor = reporting_cursor(ping(self.rep))
            self.behind.append(max(head - cursor, 0))
            pending = [t for t, h in self.heads if h > cursor]
            self.lags.append(now - pending[0] if pending else 0.0)

    def finish(self):
        self.stop.set()
        self.join()
        self.tx.close()
        self.rep.close()
        lags = sorted(self.lags) or [0.0]
        return lags[int(0.99 * (len(lags) - 1))], lags[-1], max(self.behind or [0])


def gateway_caught_up(c, timeout=600):
    """Waits until the gateway's audit followers have the transactions head (/metrics shows
    their cursors), so that the whole-system phase measures following, not a catch-up."""
    head = ping(c.bus("transactions")).head_seq
    pattern = re.compile(r'^lumbung_follower_cursor\{service="gateway",stream="transactions"\} (\d+)$',
                         re.M)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = pattern.search(c.http("GET", "/metrics").text)
        if m and int(m.group(1)) >= head:
            return
        time.sleep(0.05)
    raise RuntimeError("the gateway's follower of transactions did not reach the head")


def catch_up(c):
    """Starts reporting on an empty store; seconds until it applied the transactions head."""
    start = time.monotonic()
    c.start_service("reporting")
    catch_up_wait(c)
    return time.monotonic() - start


def catch_up_wait(c):
    """Until the running reporting has applied the transactions head."""
    head = ping(c.bus("transactions")).head_seq
    rep = c.bus("reporting")
    while reporting_cursor(ping(rep)) < head:
        time.sleep(0.02)


def store_free_fraction(store_dir):
    """Fraction of the data file that is free pages (LMDB's freelist plus pages past the last
    one used), from mdb_stat."""
    out = subprocess.run(["mdb_stat", "-ef", store_dir], capture_output=True, text=True).stdout
    page = int(re.search(r"Page size: (\d+)", out).group(1))
    used = int(re.search(r"Number of pages used: (\d+)", out).group(1))
    free = int(re.search(r"Free pages: (\d+)", out).group(1))
    file_pages = os.path.getsize(os.path.join(store_dir, "data.mdb")) // page
    return 1 - (used - free) / max(file_pages, 1), file_pages * page


def resident(pid):
    with open(f"/proc/{pid}/status") as f:
        st = dict(line.split(":", 1) for line in f)
    kb = lambda k: int(st.get(k, "0 kB").split()[0]) * 1024     # noqa: E731
    return kb("RssAnon"), kb("RssFile") + kb("RssShmem")


def http_setup(c):
    r = c.api("POST", "/api/v1/cooperatives", {
        "name": "KSP Bench HTTP", "type": "savings_loan",
        "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
    assert r.status == 201, r
    coop = r.json["id"]
    r = c.api("POST", f"/api/v1/cooperatives/{coop}/members", {
        "nik": "3204105707850001", "name": "Siti Bench", "sex": "female",
        "birth_date": "1985-07-17", "joined_on": "2024-01-15"})
    assert r.status == 201, r
    member = r.json["id"]
    deadline = time.time() + 20         # the transactions replica learns of the member
    while time.time() < deadline:
        r = c.api("POST", f"/api/v1/cooperatives/{coop}/deposits",
                  {"member_id": member, "kind": "voluntary", "amount": "1000",
                   "value_date": "2025-01-06"}, headers={"Idempotency-Key": str(uuid.uuid4())})
        if r.status == 201:
            break
        time.sleep(0.1)
    assert r.status == 201, r
    return coop, member


def http_phase(c):
    if not hasattr(c, "http_member"):        # one cooperative and member for every round
        c.http_member = http_setup(c)
    coop, member = c.http_member
    token = c.admin_token()
    body = ('{"member_id":"%s","kind":"voluntary","amount":"1000","value_date":"2025-01-06"}'
            % member)
    run = lambda *a: tool("http_load", c.http_port, CONNECTIONS, SECONDS, *a)[0]   # noqa: E731
    return {
        "deposits": run("POST", f"/api/v1/cooperatives/{coop}/deposits", token, body,
                        f"bench-{uuid.uuid4().hex[:12]}-%u"),
        "accounts": run("GET", f"/api/v1/cooperatives/{coop}/members/{member}/accounts", token),
        "healthz": run("GET", "/healthz"),
    }


# ---------------------------------------------------------------- the table

def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def row(figure, value, target, limit_name="", limit=None, note=""):
    lim = f"{limit_name} {limit:,.0f}" if limit else limit_name
    r = ratio(value, limit) if isinstance(value, (int, float)) and limit else ""
    val = f"{value:,.2f}" if isinstance(value, float) and value < 100 else (
        f"{value:,.0f}" if isinstance(value, (int, float)) else value)
    print(f"  {figure:<46} {val:>12}  {target:<14} {lim:<34} {r:>6} {note}")


def bus_read_ceiling(healthz_rps, call_cpu_us):
    """Reads/s that an HTTP request costing what /healthz costs, plus one bus call costing what
    the bare pipelined call of the limits costs, could reach when the cores are the bound:
    /healthz spends cpu_count / healthz_rps of CPU per request (the load generator's share
    included), a read adds the call's CPU, and nothing else (no session check, no routing, no
    suspend of the connection, no service work). Any real read is below it."""
    if not healthz_rps or not call_cpu_us:
        return None
    cpu_us_per_s = (os.cpu_count() or 1) * 1e6
    return cpu_us_per_s / (cpu_us_per_s / healthz_rps + call_cpu_us)


def table(f):
    lim, pg, alone = f["limits"], f["pg"], f["alone"]
    lmdb_b, lmdb_s = lim.get("lmdb_batched_puts_per_s"), lim.get("lmdb_single_commits_per_s")
    print(f"\nLumbung bench: {os.cpu_count()} CPUs, {SECONDS} s a phase, batches of {BATCH}, "
          f"{DEPTH} single postings in flight, {CONNECTIONS} HTTP connections; CURVE on, LMDB "
          "full sync; limits: medians of 3 rounds (start, middle, end); whole system and HTTP: "
          f"the median of {SYSTEM_ROUNDS} rounds; other figures: one round")
    print(f"  {'figure':<46} {'measured':>12}  {'target':<14} {'limit (same run)':<34} "
          f"{'ratio':>6}")
    print("  machine limits")
    row("raw LMDB durable commits of 1,000 puts, puts/s", lmdb_b, "")
    row("raw LMDB durable single-put commits/s", lmdb_s, "")
    row("ZeroMQ round trip (ipc, CURVE), us", lim.get("zmq_round_trip_us", 0.0), "")
    row("ZeroMQ calls pipelined (64 in flight)/s", lim.get("zmq_pipelined_calls_per_s", 0.0), "")
    row("  CPU of both ends per call, us", lim.get("zmq_pipelined_call_cpu_us", 0.0), "")
    if pg:
        row("PostgreSQL peer, batches of postings/s", pg["batch"], "")
        row("PostgreSQL peer, single postings (64 clients)/s", pg["single"], "")
    else:
        row("PostgreSQL peer", "not run", "", "postgresql not installed or BENCH_PG=0")
    print("  transactions alone (members + transactions)")
    row(f"batch postings ({BATCH} a message)/s", alone["batch_postings_per_s"], ">= 0.3 LMDB",
        "LMDB batched puts", lmdb_b)
    if pg:
        row("  same, against the PostgreSQL peer", alone["batch_postings_per_s"], ">= 30x PG",
            "PG batches", pg["batch"])
    row(f"  p99 of a message, ms", alone["batch_p99_ms"], "")
    row("single postings pipelined/s", alone["single_postings_per_s"], "", "LMDB batched puts",
        lmdb_b)
    if pg:
        row("  same, against the PostgreSQL peer", alone["single_postings_per_s"], "", "PG single",
            pg["single"])
    row("  p99 of a message, ms", alone["single_p99_ms"], "")
    print("  reporting")
    row("catch-up postings/s (fresh store)", f["catchup_pps"], ">= 200,000", "LMDB batched puts",
        lmdb_b, f"({f['catchup_postings']:,} postings in {f['catchup_s']:.2f} s)")
    row("free pages after catch-up, fraction of file", f["free_fraction"], "< 0.25", "", None,
        f"(file {f['store_bytes'] / MB:,.0f} MB)")
    system_table(f["system"], f["limits"])
    shards_table(f["shards"])
    close_table(f["close"])


def median_round(rounds, ratio_of):
    """The round whose ratio is the median, and every round's ratio in the order they ran."""
    ratios = [ratio_of(r) for r in rounds]
    order = sorted(range(len(rounds)), key=lambda i: ratios[i])
    return rounds[order[len(order) // 2]], " ".join(f"{x:.2f}" for x in ratios)


def system_table(rounds, lim):
    after = rounds[-1]["alone_after"]
    print("  transactions alone again, after the last round of the whole system (on the store "
          "it left)")
    row(f"batch postings ({BATCH} a message)/s", after["batch_postings_per_s"], "")
    row("single postings pipelined/s", after["single_postings_per_s"], "")
    print("  whole system (all four services, reporting following; alone: the mean of the two "
          "rounds around it; the median round)")
    for kind, name in (("batch", "batch postings/s"), ("single", "single postings pipelined/s")):
        key = f"{kind}_postings_per_s"
        alone = lambda r: (r["alone_before"][key] + r["alone_after"][key]) / 2   # noqa: E731
        mid, ratios = median_round(rounds, lambda r: r["full"][key] / alone(r))
        row(name, mid["full"][key], ">= 0.8 alone", "alone", alone(mid), f"(rounds: {ratios})")
    worst = max(rounds, key=lambda r: r["lag_p99"])
    row("reporting lag p99, s (sampled every 0.05 s)", worst["lag_p99"], "< 1", "", None,
        f"(the worst round; max {max(r['lag_max'] for r in rounds):.2f} s; at most "
        f"{max(r['lag_events'] for r in rounds):,} events behind)")
    http = [r["http"] for r in rounds]
    d = median_round(http, lambda h: h["deposits"].get("rps", 0.0))[0]["deposits"]
    row("HTTP deposits/s", d.get("rps", 0.0), ">= 10,000", "", None,
        f"({sum(h['deposits'].get('failed', 0) for h in http):.0f} failed; rounds: "
        + " ".join(f"{h['deposits'].get('rps', 0.0):,.0f}" for h in http) + ")")
    row("  p99, ms", d.get("p99_ms", 0.0), "<= 10", "", None, "(of the median round)")
    mid, ratios = median_round(http, lambda h: h["accounts"].get("rps", 0.0)
                               / max(h["healthz"].get("rps", 0.0), 1.0))
    a, h = mid["accounts"], mid["healthz"]
    row("HTTP GET a member's accounts/s", a.get("rps", 0.0), ">= 0.6 healthz", "/healthz",
        h.get("rps", 0.0), f"(p99 {a.get('p99_ms', 0):.1f} ms; rounds: {ratios})")
    ceiling = bus_read_ceiling(h.get("rps", 0.0), lim.get("zmq_pipelined_call_cpu_us", 0.0))
    if ceiling:
        row("  same, against /healthz plus one bus call", a.get("rps", 0.0), "",
            "the ceiling", ceiling, f"(the ceiling is {ceiling / h['rps']:.2f} of /healthz)")
    row("HTTP GET /healthz/s", h.get("rps", 0.0), "", "", None, f"(p99 {h.get('p99_ms', 0):.1f} ms)")
    print("  resident memory, MB, the most of any round (anonymous; LMDB's mapped file apart)")
    for name in rounds[0]["rss"]:
        anon, mapped = max((r["rss"][name] for r in rounds), key=lambda x: x[0])
        row(name, anon / MB, "<= 100", "", None, f"(+ {mapped / MB:,.0f} MB of mapped file)")


def close_table(closes):
    print("  close-day at district scale (members + transactions; every loan changes class)")
    for loans, cl in closes:
        if not cl:
            row(f"close-day of {loans:,} loans, s", "not run", "", "see the errors above")
            continue
        target = CLOSE_TARGET_S.get(loans)
        row(f"close-day of {loans:,} loans, s", cl["s"], f"<= {target}" if target else "", "",
            None, f"({loans / cl['s']:,.0f} loans/s)")
        row("  slowest read of another cooperative meanwhile, ms", cl["read_max_ms"], "<= 50", "",
            None, f"(p99 {cl['read_p99_ms']:.1f} ms of {cl['reads']:,} reads)")
        row("  transactions resident memory after, MB", cl["anon"] / MB, "<= 100", "", None,
            "(anonymous)")


def shards_table(sh):
    print(f"  two transactions shards (members + 2 shards; {os.cpu_count()} CPUs shared by the "
          "shards, members and the bench's client threads)")
    if not sh:
        row("batch postings/s", "not run", "", "see the errors above")
        return
    one = sh["one_postings_per_s"]
    row("batch postings/s, one shard (the other idle)", one, "")
    row("batch postings/s, two shards together", sh["all_postings_per_s"], "~2.0 one shard",
        "one shard", one, f"(shard 0 {sh['shard0_postings_per_s']:,.0f} + shard 1 "
        f"{sh['shard1_postings_per_s']:,.0f}; books balanced)")
    row("  p99 of a message, ms (one shard / two)", sh["one_p99_ms"], "", "", None,
        f"(two: {max(sh['shard0_p99_ms'], sh['shard1_p99_ms']):.2f})")


def system_round(c, with_reporting):
    """One round of the whole system: reporting (after the first round: already caught up
    once, so it catches up only what "alone" posted since) and the gateway start, the two
    posting phases run with reporting following and its lag sampled, then HTTP and the
    resident memory; then reporting and the gateway stop and "alone" runs again on the store
    the round left: every posting makes the stores larger and the next one a little dearer, so
    a round's "alone" is the mean of the rounds before and after it."""
    if with_reporting:
        c.start_service("reporting")
        catch_up_wait(c)
    c.start_service("gateway")
    c.wait_gateway_ready()
    gateway_caught_up(c)
    one = {}
    sampler = LagSampler(c)
    sampler.start()
    one["full"] = drive(c)
    one["lag_p99"], one["lag_max"], one["lag_events"] = sampler.finish()
    one["http"] = http_phase(c)
    one["rss"] = {n: resident(c.procs[n].pid) for n in ("members", "transactions", "reporting",
                                                        "gateway")}
    for name in ("gateway", "reporting"):
        c.stop_service(name)
    one["alone_after"] = drive(c)
    return one


def main():
    if not os.path.exists(os.path.join(BUILD, "bench", "tx_bench")):
        sys.exit(f"{BUILD}/bench/tx_bench is missing: run `make bench`")
    f = {}
    c = cluster()
    try:
        rounds = [limits(c.tmp)]
        try:
            f["pg"] = pg_peer()
        except (subprocess.CalledProcessError, OSError, KeyError) as e:
            sys.stderr.write(f"bench: the PostgreSQL peer could not run: {e}\n")
            f["pg"] = None
        for name in ("members", "transactions"):
            c.start_service(name)
        f["alone"] = drive(c)
        f["catchup_postings"] = int(f["alone"]["batch_postings"] + f["alone"]["single_postings"])
        f["catchup_s"] = catch_up(c)
        f["catchup_pps"] = f["catchup_postings"] / f["catchup_s"]
        f["free_fraction"], f["store_bytes"] = store_free_fraction(
            os.path.join(c.data_dir, "reporting"))
        rounds.append(limits(c.tmp))
        f["system"] = []
        alone_before = f["alone"]
        for r in range(SYSTEM_ROUNDS):
            one = system_round(c, with_reporting=r > 0)
            one["alone_before"] = alone_before
            alone_before = one["alone_after"]
            f["system"].append(one)
        rounds.append(limits(c.tmp))
        f["limits"] = median_limits(rounds)
    finally:
        c.stop()
        shutil.rmtree(c.tmp, ignore_errors=True)
    f["shards"] = shards_step()
    f["close"] = [(n, close_step(n)) for n in CLOSE_LOANS]
    table(f)
    if f["shards"] is None or any(cl is None for _, cl in f["close"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
