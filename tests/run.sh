#!/usr/bin/env bash
# Runs every test and ends with one summary line: "N passed, M failed, K skipped".
# Anything that should have run and did not (a skipped test, a module that cannot be imported,
# a unit binary that crashed before reporting) makes the run fail.
#   tests/run.sh            unit tests (cmocka binaries), then system tests (pytest)
#   tests/run.sh unit       only unit tests
#   tests/run.sh system     only system tests; arguments (files, -k ...) replace tests/system
#   tests/run.sh fuzz       only the fuzz smoke runs
# Unit tests, then each libFuzzer target of LUMBUNG_FUZZ_BUILD (when set) for
# FUZZ_SMOKE_SECONDS over a scratch copy of its seeds (one test each), then system tests.
# LUMBUNG_BUILD names the build directory (build, or build-san for SAN=1).
set -u
cd "$(dirname "$0")/.."
BUILD=${LUMBUNG_BUILD:-build}
what=${1:-all}
[ $# -gt 0 ] && shift
passed=0
failed=0
skipped=0
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run_unit() {
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        out=$("$t" 2>&1)
        rc=$?
        echo "$out" > "$logdir/$name.log"
        p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        s=$(echo "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
        p=${p:-0}
        f=${f:-0}
        skipped=$((skipped + ${s:-0}))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$f" -ne 0 ]; then
            echo "FAIL $name"
            echo "$out" | grep -E 'FAILED|ERROR|Assert|error' | head -20
        else
            echo "ok   $name ($p)"
        fi
    done
}

# Each target runs over a scratch copy of tests/fuzz/corpus/NAME, so what it finds never
# changes the committed seeds; a crash leaves its input in $logdir/NAME-crash-*.
run_fuzz() {
    local fb=${LUMBUNG_FUZZ_BUILD:-} secs=${FUZZ_SMOKE_SECONDS:-5} t name scratch
    [ -n "$fb" ] || return 0
    for src in tests/fuzz/fuzz_*.c; do
        name=$(basename "$src" .c)
        t=$fb/fuzz/$name
        if [ ! -x "$t" ]; then
            echo "FAIL $name (not built in $fb)"; failed=$((failed + 1)); continue
        fi
        scratch=$(mktemp -d)
        [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$scratch/"
        if "$t" -max_total_time="$secs" -artifact_prefix="$logdir/$name-" "$scratch" \
               >"$logdir/$name.log" 2>&1; then
            echo "ok   $name ($(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logdir/$name.log" | tail -1) runs)"
            passed=$((passed + 1))
        else
            echo "FAIL $name"; tail -30 "$logdir/$name.log"
            failed=$((failed + 1))
        fi
        rm -rf "$scratch"
    done
}

run_system() {
    local out="$logdir/system.log"
    # An exception in a test's helper thread fails that test instead of passing silently.
    # A module that cannot be imported is an error that counts as a failure, and the other
    # modules still run (--continue-on-collection-errors).
    LUMBUNG_BUILD=$BUILD /usr/bin/python3 -m pytest -p no:cacheprovider -q -rfEs \
        --continue-on-collection-errors \
        -W error::pytest.PytestUnhandledThreadExceptionWarning \
        "${@:-tests/system}" 2>&1 | tee "$out"
    local line
    line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|errors?)\b|no tests ran' "$out" | tail -1)
    local p f e s
    p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    e=$(echo "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+')
    s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0}))
    skipped=$((skipped + ${s:-0}))
    if [ -z "$line" ]; then failed=$((failed + 1)); echo "pytest produced no summary"; fi
}

case "$what" in
    unit) run_unit ;;
    fuzz) run_fuzz ;;
    system) run_system "$@" ;;
    *) run_unit; run_fuzz; run_system "$@" ;;
esac

[ "$skipped" -gt 0 ] && echo "$skipped test(s) skipped: everything in this suite must run here (see -rs above)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] && [ "$passed" -gt 0 ]
