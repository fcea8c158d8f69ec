#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The refusals of mosd and `mos status` that need no container: options, services files, the
# status socket missing or answering garbage. (test-runtime.sh runs the containers.)
. "$(dirname "$0")/../lib.sh"
MOS=$1
MOSD=$2

mktemp_dir T
mkdir -p "$T/logs" "$T/rootfs"

# mosd's options.
expect 2 "--services and --manifest exclude each other" -- "$MOSD" --services x --manifest y
expect 2 "Unknown option '--bogus'" -- "$MOSD" --bogus
expect 2 "Unexpected argument 'extra'" -- "$MOSD" --services x extra
expect 2 "Invalid value '0' for --settle-ms" -- "$MOSD" --services x --settle-ms 0
expect 2 "Invalid value 'soon' for --backoff-max-ms" -- "$MOSD" --services x --backoff-max-ms soon
expect 2 "Invalid value '0' for --max-failures" -- "$MOSD" --services x --max-failures 0
expect 2 "Invalid value '-1' for --log-max-size" -- "$MOSD" --services x --log-max-size -1
expect 2 "Invalid --log-level 'loud'" -- "$MOSD" --services x --log-level loud
expect 2 "Option '--services' needs a value" -- "$MOSD" --services
expect 0 '^mosd [0-9]+\.[0-9]+\.[0-9]+$' -- "$MOSD" --version
expect 0 'Usage: mosd \[--services FILE \| --manifest FILE\]' -- "$MOSD" --help

# Appliance mode (docs/appliance.md): the verified manifest must be there and parse, or mosd
# refuses before it touches anything.
expect 1 "mosd: refused: cannot read the verified manifest $T/none.json: No such file or directory" -- \
        "$MOSD" --manifest "$T/none.json" --log-dir "$T/logs" --userns-db "$T/userns.json"
printf '{"release":1}' >"$T/manifest.json"
expect 3 "mosd: refused: the verified manifest $T/manifest.json does not parse: .*" -- \
        "$MOSD" --manifest "$T/manifest.json" --log-dir "$T/logs" --userns-db "$T/userns.json"

# Services files: each refusal names the file and the field.
bad() { # JSON REGEX
        printf '%s' "$1" >"$T/bad.json"
        expect 3 "Invalid services file '$T/bad.json': $2" -- \
                "$MOSD" --services "$T/bad.json" --log-dir "$T/logs" --runtime-dir "$T/run" \
                --status-socket "$T/run/status.sock" --userns-db "$T/userns.json"
}
svc() { printf '{"services":[{"name":"x","rootfs":"%s","command":["/bin/true"]%s}]}' "$T/rootfs" "$1"; }
bad "$(svc ',"network":"bridge"')" "field 'services\[0\]\.network': expected \"none\" or \"host\""
bad "$(svc ',"restart":"sometimes"')" "field 'services\[0\]\.restart': expected \"no\", \"on-failure\" or \"always\""
bad "$(svc ',"privileged":true')" "field 'services\[0\]\.privileged': unknown field"
bad "$(svc ',"user":70000')" "field 'services\[0\]\.user': expected 0\.\.65535"
bad "$(svc ',"volumes":[{"source":"/data/x","destination":"/proc/sys"}]')" \
        "field 'services\[0\]': volume destination '/proc/sys': expected a normalized absolute path, not /, /proc, /sys or /dev"
bad "$(svc ',"volumes":[{"source":"../x","destination":"/data"}]')" \
        "field 'services\[0\]': volume source '\.\./x': expected a normalized absolute path below /"
bad "$(svc ',"environment":["1X=y"]')" "field 'services\[0\]': env '1X=y': expected KEY=value"
bad '{"services":[{"name":"x","rootfs":"relative","command":["/bin/true"]}]}' \
        "field 'services\[0\]': rootfs 'relative': expected a normalized absolute path below /"
bad '{"services":[{"name":"x","rootfs":"/r","command":["/bin/true"]},{"name":"x","rootfs":"/r","command":["/bin/true"]}]}' \
        "field 'services\[1\]': service name 'x' is used twice"
bad '{"services":[{"name":"x"}' "line 1, column [0-9]+: "
bad '{"services":[],"services":[]}' "line 1, column [0-9]+: duplicate object key"
expect 1 "Failed to read services file '$T/nonexistent.json': No such file or directory" -- \
        "$MOSD" --services "$T/nonexistent.json" --log-dir "$T/logs"
printf '{"services":[]}' >"$T/empty.json"
expect 1 "Failed to set up the supervisor \(log directory '$T/nope'\): No such file or directory" -- \
        "$MOSD" --services "$T/empty.json" --log-dir "$T/nope"
printf 'x' >"$T/userns.json"
printf '%s' "$(svc '')" >"$T/one.json"
expect 3 "Invalid user-namespace record '$T/userns.json': line 1, column 1: '\\[' or '\\{' expected near 'x'" -- \
        "$MOSD" --services "$T/one.json" --log-dir "$T/logs" --runtime-dir "$T/run" \
        --status-socket "$T/run/status.sock" --userns-db "$T/userns.json"

# mos status.
expect 1 "Failed to get the status from mosd at '$T/none.sock': No such file or directory" -- \
        "$MOS" status --socket "$T/none.sock"
expect 2 "unknown option '--frob'" -- "$MOS" status --frob
expect 2 "unexpected argument 'extra'" -- "$MOS" status extra
expect 2 "option '--socket' needs a value" -- "$MOS" status --socket
expect 0 'Usage: mos status \[--json\] \[--socket PATH\]' -- "$MOS" status --help

# A socket that answers garbage, or an error: `mos status` says which.
fake() { # SOCKET RESPONSE: answers one request
        python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); c.recv(4096); c.sendall(sys.argv[2].encode()); c.close()
PY
        track_pid $!
        local n=50
        while [ ! -S "$1" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
}
command -v python3 >/dev/null || { done_testing; exit; }
fake "$T/a.sock" '{"version":1,"boot_good":true,"services":[{"name":"x"}]}'
expect 3 "Malformed status from mosd at '$T/a.sock': field 'services\[0\]\.kind': missing" -- \
        "$MOS" status --socket "$T/a.sock"
fake "$T/b.sock" '{"version":2,"boot_good":true,"services":[]}'
expect 3 "Malformed status from mosd at '$T/b.sock': field 'version': unsupported version 2, expected 1" -- \
        "$MOS" status --json --socket "$T/b.sock"
fake "$T/c.sock" '{"error":"permission denied","version":1}'
expect 1 "mosd at '$T/c.sock' refused the request: permission denied" -- \
        "$MOS" status --socket "$T/c.sock"
fake "$T/d.sock" '{"version":1,"boot_good":true,"services":[]}'
expect 0 '^\{"boot_good":true,"services":\[\],"version":1\}$' -- "$MOS" status --json --socket "$T/d.sock"

done_testing
