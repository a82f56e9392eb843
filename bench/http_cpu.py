#!/usr/bin/python3
"""The gateway's cost per HTTP request, alone (step 4 of bench/bench.py without the rest).

Starts the four services, then runs bench/http_load over BENCH_CONNECTIONS keep-alive
connections for BENCH_SECONDS per phase: deposits, GET a member's accounts, /healthz, each
BENCH_ROUNDS times interleaved. For each phase it prints requests/s, p99 and the gateway's CPU
per request (user + sys of the gateway process from /proc, divided by the requests answered),
the figure to compare between builds on a shared machine, where requests/s depends on what
else runs. LUMBUNG_BUILD picks the build, so an A/B is two runs with two builds.

    LUMBUNG_BUILD=build bench/http_cpu.py
    BENCH_ROUNDS=1 BENCH_PERF=/tmp/prof bench/http_cpu.py     # then perf report -i /tmp/prof/accounts.data
    BENCH_PERF_GRAPH=dwarf ...                                  # callers inside libc, libmicrohttpd, libzmq
    BENCH_PHASES=deposits ...                                   # some phases only (comma-separated)

Each phase also shows the bytes each service wrote per request (wchar of /proc/PID/io: what
its commits handed to the kernel). BENCH_THREADS=1 adds, per phase, the CPU per request of
every thread of the services that worked (/proc/PID/task/TID/stat, named as `comm` names them:
the loop thread, ZeroMQ's I/O thread `ZMQbg/IO/0`, the gateway's audit writer) and of the load
generator (its rusage as a child), which is where a read's cost beyond /healthz shows.
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PERF_DIR = os.environ.get("BENCH_PERF")     # perf record of the gateway per phase, into here
PERF_GRAPH = os.environ.get("BENCH_PERF_GRAPH", "fp")   # "dwarf" for stacks through libraries
PERF_SERVICE = os.environ.get("BENCH_PERF_SERVICE", "gateway")   # the process perf records
PHASES = [p for p in os.environ.get("BENCH_PHASES", "deposits,accounts,healthz").split(",") if p]
TICKS = os.sysconf("SC_CLK_TCK")
THREADS = os.environ.get("BENCH_THREADS") == "1"


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS       # utime, stime


def thread_cpu_s(pid):
    """{(service thread name, tid): CPU seconds} of every thread of pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except FileNotFoundError:        # a thread that ended meanwhile
            continue
        fields = tail.split()
        out[(head.split("(", 1)[1], tid)] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def threads_line(procs, before, load_cpu_s, n):
    """'gateway:lumbung-gateway=14.2 gateway:ZMQbg/IO/0=4.1 ... load=7.9' in us per request,
    threads under 0.5 us left out."""
    parts = []
    for name, p in procs.items():
        for key, sec in thread_cpu_s(p.pid).items():
            us = (sec - before[name].get(key, 0.0)) * 1e6 / n
            if us >= 0.5:
                parts.append(f"{name}:{key[0]}={us:.1f}")
    parts.append(f"load={load_cpu_s * 1e6 / n:.1f}")
    return " ".join(parts)


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def written(pid):
    with open(f"/proc/{pid}/io") as f:
        return int(next(line for line in f if line.startswith("wchar:")).split()[1])


def main():
    c = bench.cluster()
    try:
        for name in ("members", "transactions", "reporting", "gateway"):
            c.start_service(name)
        c.wait_gateway_ready()
        coop, member = bench.http_setup(c)
        token = c.admin_token()
        body = ('{"member_id":"%s","kind":"voluntary","amount":"1000",'
                '"value_date":"2025-01-06"}' % member)
        phases = {
            "deposits": ("POST", f"/api/v1/cooperatives/{coop}/deposits", token, body,
                         f"cpu-{uuid.uuid4().hex[:12]}-%u"),
            "accounts": ("GET", f"/api/v1/cooperatives/{coop}/members/{member}/accounts", token),
            "healthz": ("GET", "/healthz"),
        }
        phases = {name: args for name, args in phases.items() if name in PHASES}
        pid = c.procs[PERF_SERVICE].pid
        results = {name: [] for name in phases}
        for r in range(ROUNDS):
            for name, args in phases.items():
                if name == "deposits":   # a new key template each round: every deposit is new
                    args = args[:4] + (f"cpu-{uuid.uuid4().hex[:12]}-%u",)
                perf = None
                if PERF_DIR:
                    perf = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "--call-graph", PERF_GRAPH, "-p",
                                             str(pid), "-o", f"{PERF_DIR}/{name}.data"])
                before = {n: cpu_s(p.pid) for n, p in c.procs.items()}
                threads_before = {n: thread_cpu_s(p.pid) for n, p in c.procs.items()}
                load_before = children_cpu_s()
                wrote = {n: written(p.pid) for n, p in c.procs.items()}
                fig = bench.tool("http_load", c.http_port, bench.CONNECTIONS, bench.SECONDS,
                                 *args)[0]
                n = fig.get("requests", 0) or 1
                used = {k: (cpu_s(p.pid) - before[k]) * 1e6 / n for k, p in c.procs.items()}
                fig["cpu_us"] = used["gateway"]
                fig["threads"] = threads_line(c.procs, threads_before,
                                              children_cpu_s() - load_before, n)
                if perf:
                    perf.send_signal(signal.SIGINT)
                    perf.wait()
                fig["others"] = " ".join(f"{k}={v:.0f}" for k, v in used.items() if k != "gateway")
                fig["bytes"] = " ".join(f"{k}={(written(p.pid) - wrote[k]) / n:.0f}"
                                        for k, p in c.procs.items())
                results[name].append(fig)
        for name, figs in results.items():
            med = lambda k: sorted(f.get(k, 0.0) for f in figs)[len(figs) // 2]   # noqa: E731
            print(f"{name:9s} rps={med('rps'):.0f} p99_ms={med('p99_ms'):.2f} "
                  f"cpu_us_per_req={med('cpu_us'):.1f} failed={sum(f.get('failed', 0) for f in figs):.0f}"
                  f"  (rounds: {', '.join('%.1f' % f['cpu_us'] for f in figs)} us; "
                  f"other services, us per request: {figs[-1]['others']}; "
                  f"bytes written per request: {figs[-1]['bytes']})")
            if THREADS:
                for f in figs:
                    print(f"          threads, us per request: {f['threads']}")
        if "healthz" not in results or "accounts" not in results:
            return
        h = sorted(f.get("rps", 0) for f in results["healthz"])[ROUNDS // 2]
        a = sorted(f.get("rps", 0) for f in results["accounts"])[ROUNDS // 2]
        hc = sorted(f["cpu_us"] for f in results["healthz"])[ROUNDS // 2]
        ac = sorted(f["cpu_us"] for f in results["accounts"])[ROUNDS // 2]
        print(f"accounts/healthz: rps {a / h:.2f}, cpu {hc / ac:.2f}")
    finally:
        c.stop()
        shutil.rmtree(c.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
