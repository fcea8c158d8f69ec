#!/bin/sh
# The boot counter of the hello appliance: counts its starts in the persistent volume
# ($STATE lives on the encrypted data partition), prints the count, then stays up.
set -eu
n=$(cat "$STATE" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$STATE.tmp"
mv "$STATE.tmp" "$STATE"
echo "hello-counter: boot $n"
exec sleep 2147483647
