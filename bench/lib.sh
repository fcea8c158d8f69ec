# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for bench/*.sh: time a command (wall seconds and peak RSS in KiB).
set -eu
MOS=${MOS:-$(cd "$(dirname "$0")/.." && pwd)/build/src/mos/mos}
[ -x "$MOS" ] || { echo "build mos first (ninja -C build), or set MOS" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time" >&2; exit 1; }
BENCH_TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/mos-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT

# run NAME CMD...: runs CMD once, keeps in ${NAME}_s the fastest time seen for NAME so far (the
# run least disturbed by other load) and in ${NAME}_kb the largest peak RSS. Scripts call it in
# rounds, the commands they compare one after the other in each round, so that load that comes
# and goes hits them alike.
REPEAT=${REPEAT:-3}
NAMES=()
run() {
        local name=$1 out wall cpu rss best kb
        shift
        out=$(/usr/bin/time -f '%e %U %S %M' "$@" 2>&1 >/dev/null | tail -1)
        read -r wall cpu rss <<<"$(python3 -c "import sys; e, u, s, m = sys.argv[1].split(); print(e, float(u) + float(s), m)" "$out")"
        best=$(eval "echo \${${name}_s:-}")
        kb=$(eval "echo \${${name}_kb:-0}")
        if [ -z "$best" ]; then
                NAMES+=("$name")
                best=$wall
                printf -v "${name}_cpu" '%s' "$cpu"
        elif python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$wall" "$best"; then
                best=$wall
                printf -v "${name}_cpu" '%s' "$cpu"
        fi
        [ "$rss" -gt "$kb" ] && kb=$rss
        printf -v "${name}_s" '%s' "$best"
        printf -v "${name}_kb" '%s' "$kb"
}

# Prints what run() kept, in the order the names first ran.
report() {
        local n s kb cpu
        echo "  (fastest of $REPEAT rounds; load average $(cut -d' ' -f1-3 /proc/loadavg))"
        for n in "${NAMES[@]}"; do
                s=$(eval "echo \$${n}_s")
                kb=$(eval "echo \$${n}_kb")
                cpu=$(eval "echo \$${n}_cpu")
                printf '  %-28s %8.3f s wall %8.3f s cpu %8d KiB peak\n' "$n" "$s" "$cpu" "$kb"
        done
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
