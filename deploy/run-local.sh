#!/usr/bin/env bash
# `make run`: every service on loopback, stores under $LUMBUNG_DATA (default ./var), in the
# foreground, supervised the way systemd's Restart=always would: a service that dies is started
# again after a back-off (1 s, doubling to 30 s; back to 1 s once it has run for a minute), each
# exit and restart is logged with its status, and the supervisor gives up (stopping everything,
# exit 1) only when one service crashed 5 times within 60 s. Ctrl-C, SIGTERM or SIGHUP to this
# script (or to `make run`, which passes SIGTERM on) stops every service cleanly.
#
# Tunables, for tests and for operators who want other limits (all in milliseconds but the count):
#   LUMBUNG_RESTART_DELAY_MS=1000  LUMBUNG_RESTART_DELAY_MAX_MS=30000
#   LUMBUNG_RESTART_BURST=5        LUMBUNG_RESTART_INTERVAL_MS=60000
#   LUMBUNG_STOP_TIMEOUT_MS=30000  (then SIGKILL: a service stuck in shutdown cannot hang us)
# LUMBUNG_TRANSACTIONS_SHARDS=2 runs transactions as two shards, "transactions" and
# "transactions-1" (the same binary with LUMBUNG_TRANSACTIONS_SHARD=1), each supervised on its
# own; the shard map is $LUMBUNG_DATA/shard.map when there is one (docs/operations.md).
set -u
cd "$(dirname "$0")/.."
BIN=${LUMBUNG_BIN:-build/bin}
export LUMBUNG_DATA=${LUMBUNG_DATA:-$PWD/var}
export LUMBUNG_HTTP_PORT=${LUMBUNG_HTTP_PORT:-8080}
DELAY_MS=${LUMBUNG_RESTART_DELAY_MS:-1000}
DELAY_MAX_MS=${LUMBUNG_RESTART_DELAY_MAX_MS:-30000}
BURST=${LUMBUNG_RESTART_BURST:-5}
INTERVAL_MS=${LUMBUNG_RESTART_INTERVAL_MS:-60000}
STOP_TIMEOUT_MS=${LUMBUNG_STOP_TIMEOUT_MS:-30000}
STABLE_MS=60000                       # a run this long resets the back-off to its first step
SHARDS=${LUMBUNG_TRANSACTIONS_SHARDS:-1}
case "$SHARDS" in [1-8]) ;; *) echo "lumbung: LUMBUNG_TRANSACTIONS_SHARDS=$SHARDS is not 1..8" >&2; exit 2 ;; esac
[ "$SHARDS" -gt 1 ] && export LUMBUNG_TRANSACTIONS_SHARDS
SERVICES=(members transactions)       # producers first; followers retry anyway
for ((k = 1; k < SHARDS; k++)); do SERVICES+=("transactions-$k"); done
SERVICES+=(reporting gateway)

mkdir -p "$LUMBUNG_DATA"
"$BIN/lumbungctl" keys init >/dev/null || exit 1

declare -A pid=() started_ms=() next_start_ms=() delay_ms=() crashes=()

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
say() { echo "lumbung: $*" >&2; }

start_service() {
    local svc=$1
    case "$svc" in
        transactions-*) LUMBUNG_TRANSACTIONS_SHARD=${svc#transactions-} "$BIN/lumbung-transactions" & ;;
        *) "$BIN/lumbung-$svc" & ;;
    esac
    pid[$svc]=$!
    started_ms[$svc]=$(now_ms)
    next_start_ms[$svc]=0
    say "started $svc (pid ${pid[$svc]})"
}

describe_status() {
    local st=$1
    if [ "$st" -gt 128 ]; then
        echo "killed by signal $((st - 128)) ($(kill -l $((st - 128)) 2>/dev/null || echo '?'))"
    else
        echo "exited with status $st"
    fi
}

# Adds a crash at `now`, keeps those of the last INTERVAL_MS and sets recent_crashes to their
# count (a global, not an echo: a $(...) subshell would lose the update of crashes[]).
recent_crashes=0
count_crash() {
    local svc=$1 now=$2 kept="" t
    recent_crashes=0
    for t in ${crashes[$svc]:-} $now; do
        if [ $((now - t)) -le "$INTERVAL_MS" ]; then
            kept="$kept $t"
            recent_crashes=$((recent_crashes + 1))
        fi
    done
    crashes[$svc]=$kept
}

on_exit() {
    local svc=$1 st=$2 now ran n
    now=$(now_ms)
    ran=$((now - started_ms[$svc]))
    unset "pid[$svc]"
    count_crash "$svc" "$now"
    n=$recent_crashes
    if [ "$n" -ge "$BURST" ]; then
        say "$svc $(describe_status "$st") after $((ran / 1000)) s: $n crashes within $((INTERVAL_MS / 1000)) s, giving up"
        stop 1
    fi
    if [ "$ran" -ge "$STABLE_MS" ] || [ -z "${delay_ms[$svc]:-}" ]; then
        delay_ms[$svc]=$DELAY_MS
    else
        delay_ms[$svc]=$((delay_ms[$svc] * 2))
        [ "${delay_ms[$svc]}" -gt "$DELAY_MAX_MS" ] && delay_ms[$svc]=$DELAY_MAX_MS
    fi
    next_start_ms[$svc]=$((now + delay_ms[$svc]))
    say "$svc $(describe_status "$st") after $((ran / 1000)) s; restarting in $((delay_ms[$svc])) ms (crash $n of $BURST allowed within $((INTERVAL_MS / 1000)) s)"
}

stopping=0
stop() {
    local code=${1:-0} deadline p svc
    [ "$stopping" = 1 ] && return
    stopping=1
    trap - INT TERM HUP
    say "stopping..."
    for svc in "${!pid[@]}"; do kill -TERM "${pid[$svc]}" 2>/dev/null; done
    deadline=$(( $(now_ms) + STOP_TIMEOUT_MS ))
    for svc in "${!pid[@]}"; do
        p=${pid[$svc]}
        while kill -0 "$p" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then
            say "$svc (pid $p) did not stop within $((STOP_TIMEOUT_MS / 1000)) s; killing it"
            kill -KILL "$p" 2>/dev/null
        fi
        wait "$p" 2>/dev/null
        say "$svc stopped ($(describe_status $?))"
    done
    say "stopped"
    exit "$code"
}
trap 'stop 0' INT TERM HUP

for svc in "${SERVICES[@]}"; do start_service "$svc"; done
say "running: web interface on http://127.0.0.1:$LUMBUNG_HTTP_PORT/ (log in as admin), HTTP API on http://127.0.0.1:$LUMBUNG_HTTP_PORT/api/v1 (see docs/openapi.yaml), data in $LUMBUNG_DATA. Ctrl-C stops it."

# The loop wakes every 200 ms: it reaps any service that died and starts the ones whose
# back-off is over. `sleep & wait` keeps the traps responsive (bash runs them between commands).
while true; do
    for svc in "${SERVICES[@]}"; do
        p=${pid[$svc]:-}
        if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; then
            wait "$p" 2>/dev/null
            on_exit "$svc" $?
        elif [ -z "$p" ] && [ "$(now_ms)" -ge "${next_start_ms[$svc]}" ]; then
            start_service "$svc"
        fi
    done
    sleep 0.2 & wait $!
done
