#!/bin/sh
# make-keys.sh OVERLAY — the key directories of a district's services for its Kubernetes overlay
# (docs/operations.md, "Kubernetes"), made with lumbungctl as on separate hosts: each service
# gets its own keypair in OVERLAY/keys/SERVICE/, the public keys of the services it connects to
# (keys import ... none) and an allow.list admitting its clients (keys import ... service).
# The overlay's secretGenerator turns each directory into the Secret lumbung-keys-SERVICE.
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

for s in members transactions reporting gateway; do
    on "$s" keys add "$s" service
done

# Who connects to whom: CLIENT: SERVERS (the base's NetworkPolicies say the same).
for pair in gateway:members gateway:transactions gateway:reporting \
            reporting:members reporting:transactions transactions:members; do
    client=${pair%%:*}
    server=${pair#*:}
    share "$server" "$server" "$client" none
    share "$client" "$client" "$server" service
done
echo "keys of members, transactions, reporting and gateway in $keys"
