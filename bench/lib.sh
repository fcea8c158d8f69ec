# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for bench/*.sh: time a command (wall seconds and peak RSS in KiB).
set -eu
MOS=${MOS:-$(cd "$(dirname "$0")/.." && pwd)/build/src/mos/mos}
[ -x "$MOS" ] || { echo "build mos first (ninja -C build), or set MOS" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time" >&2; exit 1; }
BENCH_TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/mos-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT

# run NAME CMD...: runs CMD $REPEAT times (default 3), sets ${NAME}_s (the fastest run, in
# seconds: the least disturbed by other load) and ${NAME}_kb (the largest peak RSS)
REPEAT=${REPEAT:-3}
run() {
        local name=$1 out best="" kb=0 i
        shift
        for ((i = 0; i < REPEAT; i++)); do
                out=$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)
                if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "${out% *}" "$best"; then
                        best=${out% *}
                fi
                [ "${out#* }" -gt "$kb" ] && kb=${out#* }
        done
        printf -v "${name}_s" '%s' "$best"
        printf -v "${name}_kb" '%s' "$kb"
        printf '  %-28s %8.3f s  %8d KiB peak\n' "$name" "$best" "$kb"
}

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

# The SHA-256 floor: seconds to hash BYTES on all cores at openssl's best block size.
sha256_floor() {
        local bytes=$1 n kbs
        n=$(nproc)
        kbs=$(openssl speed -evp sha256 -multi "$n" -seconds 3 2>/dev/null | awk '/^sha256 / {print $NF}' | tail -1)
        kbs=${kbs%k}
        python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[2]) * 1000):.3f}')" "$bytes" "$kbs"
}
