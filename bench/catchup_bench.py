#!/usr/bin/python3
"""Reporting's catch-up alone (step 2 of bench/bench.py), A/B between builds, as CPU per posting.

    bench/catchup_bench.py [BUILD ...]          (default: $LUMBUNG_BUILD or build)

Members + transactions (of $LUMBUNG_BUILD) take the two phases of `tx_bench drive` once; then
for BENCH_ROUNDS rounds (3), interleaved, each build's lumbung-reporting starts on an empty
store and applies every event up to the transactions head. For each build it prints the
median over the rounds of: user+sys CPU of the reporting process per posting applied (from
/proc/PID/stat, at the moment its cursor reached the head), postings/s (wall clock: noisy on a
shared machine, the CPU figure is the one to compare), the free-page fraction of its store
afterwards (bench.py's store_free_fraction) and the bytes it wrote (wchar of /proc/PID/io: the
pages its commits wrote) per posting. Sizes: BENCH_SECONDS (4) per drive phase,
BENCH_BATCH, BENCH_DEPTH, BENCH_DIR as for bench.py; BENCH_PERF=PATH also records each catch-up
with `perf record -g` into PATH.BUILDNAME (the CPU figure then includes perf's start-up noise).

BENCH_LIVE_SECONDS=N (0: skipped) then also measures following live: for BENCH_ROUNDS rounds
(builds in alternating order), each build's reporting and gateway start caught up, tx_bench
drives both phases for N s each, and the CPU each used from the drive's start until it had
applied the head is divided by the postings of that drive (the gateway's is its bus-audit
followers' work plus its idle loop).
"""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LIVE_SECONDS = int(os.environ.get("BENCH_LIVE_SECONDS", "0"))
PERF = os.environ.get("BENCH_PERF")      # a path: each catch-up also recorded by perf there
TICK = os.sysconf("SC_CLK_TCK")


def label(build):
    """A build's name in the output: its directory, or its path when that is just "build"."""
    return build if os.path.basename(os.path.normpath(build)) == "build" else os.path.basename(build)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK      # utime, stime


def written_bytes(pid):
    with open(f"/proc/{pid}/io") as f:
        return int(dict(line.split(": ") for line in f.read().splitlines())["wchar"])


def one_catch_up(c, build, head):
    """(CPU s, wall s, free fraction, store bytes, bytes written) of one catch-up by build's
    reporting."""
    shutil.rmtree(os.path.join(c.data_dir, "reporting"), ignore_errors=True)
    start = time.monotonic()
    c._spawn("reporting", [os.path.join(build, "bin", "lumbung-reporting")])
    pid = c.procs["reporting"].pid
    perf = PERF and subprocess.Popen(["perf", "record", "-q", "-g", "-p", str(pid), "-o",
                                      f"{PERF}.{label(build).strip('/').replace('/', '_')}"])
    c.wait_ready("reporting")
    rep = c.bus("reporting")
    while bench.reporting_cursor(bench.ping(rep)) < head:
        time.sleep(0.01)
    wall = time.monotonic() - start
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait()
    cpu = cpu_seconds(pid)
    wrote = written_bytes(pid)
    c.stop_service("reporting")
    free, size = bench.store_free_fraction(os.path.join(c.data_dir, "reporting"))
    return cpu, wall, free, size, wrote


def settle(pid):
    """Waits until the process has used (almost) no CPU for 0.3 s: done catching up."""
    before = cpu_seconds(pid)
    while True:
        time.sleep(0.3)
        now = cpu_seconds(pid)
        if now - before < 0.02:
            return
        before = now


def one_live(c, build, seconds):
    """(reporting CPU s, gateway CPU s, postings) while tx_bench drives for `seconds` a phase
    with build's reporting and gateway following; both start caught up."""
    c._spawn("reporting", [os.path.join(build, "bin", "lumbung-reporting")])
    c._spawn("gateway", [os.path.join(build, "bin", "lumbung-gateway")])
    c.wait_ready("reporting")
    c.wait_gateway_ready()
    rep, gw = c.procs["reporting"].pid, c.procs["gateway"].pid
    tx = c.bus("transactions")
    while bench.reporting_cursor(bench.ping(c.bus("reporting"))) < bench.ping(tx).head_seq:
        time.sleep(0.05)
    settle(rep)
    settle(gw)
    cpu = cpu_seconds(rep), cpu_seconds(gw)
    saved = bench.SECONDS
    bench.SECONDS = seconds
    figures = bench.drive(c)
    bench.SECONDS = saved
    head = bench.ping(tx).head_seq
    while bench.reporting_cursor(bench.ping(c.bus("reporting"))) < head:
        time.sleep(0.01)
    settle(gw)
    used = cpu_seconds(rep) - cpu[0], cpu_seconds(gw) - cpu[1]
    c.stop_service("gateway")
    c.stop_service("reporting")
    return used[0], used[1], int(figures["batch_postings"] + figures["single_postings"])


def live_report(builds, c):
    runs = {b: [] for b in builds}
    for i in range(ROUNDS):
        for b in builds if i % 2 == 0 else builds[::-1]:
            runs[b].append(one_live(c, b, LIVE_SECONDS))
    print(f"following live ({LIVE_SECONDS} s a drive phase), {ROUNDS} rounds")
    for b in builds:
        rep = median([r[0] / r[2] for r in runs[b]]) * 1e6
        gw = median([r[1] / r[2] for r in runs[b]]) * 1e6
        print(f"  {label(b):<16} reporting_cpu_us_per_posting={rep:.2f} "
              f"gateway_cpu_us_per_posting={gw:.2f}  (postings per round: "
              + ", ".join(f"{r[2]:,}" for r in runs[b]) + ")")


def median(xs):
    return sorted(xs)[len(xs) // 2]


def main():
    builds = [os.path.abspath(b) for b in sys.argv[1:] or [bench.BUILD]]
    c = bench.cluster()
    try:
        for name in ("members", "transactions"):
            c.start_service(name)
        figures = bench.drive(c)
        postings = int(figures["batch_postings"] + figures["single_postings"])
        head = bench.ping(c.bus("transactions")).head_seq
        print(f"catch-up of {postings:,} postings ({head:,} events), {ROUNDS} rounds")
        runs = {b: [] for b in builds}
        for _ in range(ROUNDS):
            for b in builds:
                runs[b].append(one_catch_up(c, b, head))
        for b in builds:
            cpu = median([r[0] for r in runs[b]])
            wall = median([r[1] for r in runs[b]])
            free = median([r[2] for r in runs[b]])
            size = median([r[3] for r in runs[b]])
            wrote = median([r[4] for r in runs[b]])
            print(f"  {label(b):<16} cpu_us_per_posting={cpu / postings * 1e6:.2f} "
                  f"postings_per_s={postings / wall:,.0f} free_fraction={free:.3f} "
                  f"store_mb={size / bench.MB:.1f} written_bytes_per_posting={wrote / postings:.0f}"
                  "  (cpu s per round: "
                  + ", ".join(f"{r[0]:.2f}" for r in runs[b]) + ")")
        if LIVE_SECONDS:
            live_report(builds, c)
    finally:
        c.stop()
        shutil.rmtree(c.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
