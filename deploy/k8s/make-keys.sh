#!/bin/sh
# make-keys.sh OVERLAY — the key directories of a district's services for its Kubernetes overlay
# (docs/operations.md, "Kubernetes"), made with lumbungctl as on separate hosts: each service
# gets its own keypair in OVERLAY/keys/SERVICE/, the public keys of the services it connects to
# (keys import ... none) and an allow.list admitting its clients (keys import ... service).
# Every transactions shard is a service of its own here (transactions, transactions-1, ...: as
# many as `shards` in OVERLAY/shard.map, 1 without one), with its own keypair; its clients and
# servers are transactions'. The overlay's secretGenerator turns each directory into the
# Secret lumbung-keys-SERVICE.
#
# Idempotent: existing keys are kept, so running it again after adding a service changes
# nothing else. LUMBUNGCTL names the lumbungctl to run (default: the one on the PATH).
# Keep OVERLAY/keys out of version control: it holds every service's secret key.
set -eu
overlay=${1:?usage: make-keys.sh OVERLAY-DIRECTORY}
ctl=${LUMBUNGCTL:-lumbungctl}
keys="$overlay/keys"
mkdir -p "$keys"
chmod 700 "$keys"

on() {  # on SERVICE lumbungctl-arguments...: lumbungctl with SERVICE's key directory
    dir="$keys/$1"; shift
    LUMBUNG_KEYS="$dir" LUMBUNG_DATA="$dir" "$ctl" "$@" >/dev/null
}

# share NAME FROM TO ROLE: NAME's public key, read in FROM's directory, imported into TO's.
share() {
    key=$(LUMBUNG_KEYS="$keys/$2" LUMBUNG_DATA="$keys/$2" "$ctl" keys show "$1")
    on "$3" keys import "$1" "$key" "$4"
}

shards=1
if [ -f "$overlay/shard.map" ]; then
    shards=$(sed -n 's/^[[:space:]]*shards[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
             "$overlay/shard.map")
fi
case "$shards" in
    [1-8]) ;;
    *) echo "make-keys.sh: $overlay/shard.map: 'shards = N' with N from 1 to 8 expected" >&2
       exit 1 ;;
esac
tx="transactions"                       # the shards' names: transactions, transactions-1, ...
k=1
while [ "$k" -lt "$shards" ]; do
    tx="$tx transactions-$k"
    k=$((k + 1))
done

for s in members $tx reporting gateway; do
    on "$s" keys add "$s" service
done

# Who connects to whom: CLIENT: SERVERS (the base's NetworkPolicies say the same).
pairs="gateway:members gateway:reporting reporting:members"
for t in $tx; do
    pairs="$pairs gateway:$t reporting:$t $t:members"
done
for pair in $pairs; do
    client=${pair%%:*}
    server=${pair#*:}
    share "$server" "$server" "$client" none
    share "$client" "$client" "$server" service
done
echo "keys of members, $tx, reporting and gateway in $keys"
