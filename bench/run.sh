#!/bin/sh
# Runs every benchmark and prints its figures (`make bench`). Not part of `make test`.
# Each bench/*.py is a self-contained script; each bench/*.c is built by the Makefile into
# $LUMBUNG_BUILD/bench/NAME and run here.
set -e
cd "$(dirname "$0")/.."
: "${LUMBUNG_BUILD:=build}"
export LUMBUNG_BUILD
status=0
for script in bench/*.py; do
    [ -e "$script" ] || continue
    echo "== $script"
    /usr/bin/python3 "$script" || status=1
done
for bin in "$LUMBUNG_BUILD"/bench/*; do
    [ -x "$bin" ] || continue
    echo "== $bin"
    "$bin" || status=1
done
exit $status
