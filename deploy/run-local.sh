#!/usr/bin/env bash
# `make run`: every service on loopback, stores under $LUMBUNG_DATA (default ./var), in the
# foreground. Ctrl-C or SIGTERM stops them all cleanly; no terminal is needed.
set -u
cd "$(dirname "$0")/.."
BIN=${LUMBUNG_BIN:-build/bin}
export LUMBUNG_DATA=${LUMBUNG_DATA:-$PWD/var}
export LUMBUNG_HTTP_PORT=${LUMBUNG_HTTP_PORT:-8080}
mkdir -p "$LUMBUNG_DATA"
"$BIN/lumbungctl" keys init >/dev/null || exit 1

pids=()
stop() {
    trap - INT TERM
    echo "stopping Lumbung..." >&2
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    echo "stopped" >&2
    exit 0
}
trap stop INT TERM

# Producers first so followers find them; followers retry anyway.
for svc in members transactions reporting gateway; do
    "$BIN/lumbung-$svc" &
    pids+=($!)
done
echo "Lumbung is running: web interface on http://127.0.0.1:$LUMBUNG_HTTP_PORT/ (log in as admin), HTTP API on http://127.0.0.1:$LUMBUNG_HTTP_PORT/api/v1 (see docs/openapi.yaml), data in $LUMBUNG_DATA. Ctrl-C stops it." >&2

# If any service dies, stop the rest rather than run half a system.
while true; do
    for p in "${pids[@]}"; do
        if ! kill -0 "$p" 2>/dev/null; then
            echo "a service (pid $p) exited; stopping the others" >&2
            stop
        fi
    done
    sleep 1 & wait $!
done
