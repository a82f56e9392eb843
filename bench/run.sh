#!/bin/sh
# `make bench`: the throughput bench of issue 14 (bench/bench.py), one table from one run.
# The report-file and import benches (bench/reports_bench.py, bench/import_bench.py) run too
# when BENCH_ALL=1. Not part of `make test`; prints figures and never fails on timing.
set -e
cd "$(dirname "$0")/.."
: "${LUMBUNG_BUILD:=build}"
export LUMBUNG_BUILD
status=0
/usr/bin/python3 bench/bench.py || status=1
if [ "${BENCH_ALL:-0}" = 1 ]; then
    for script in bench/reports_bench.py bench/import_bench.py; do
        echo "== $script"
        /usr/bin/python3 "$script" || status=1
    done
fi
exit $status
