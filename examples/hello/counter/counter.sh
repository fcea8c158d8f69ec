#!/bin/sh
# The boot counter of the hello appliance: counts its starts in the persistent volume
# ($STATE lives on the encrypted data partition), prints the count, then stays up until mosd
# stops it (SIGTERM: as PID 1 of its container it must handle it itself).
set -eu
n=$(cat "$STATE" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$STATE.tmp"
mv "$STATE.tmp" "$STATE"
echo "hello-counter: boot $n"
trap 'echo "hello-counter: stopping"; exit 0' TERM
sleep 2147483647 &
wait
