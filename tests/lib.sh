# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for shell tests (integration and vm suites). Output is TAP.
#   . "$(dirname "$0")/../lib.sh"
#   expect 2 'unknown command' -- "$MOS" nope
#   done_testing

set -u
_n=0
_failed=0
_tmpdirs=()
_pids=()

cleanup_all() {
        local p
        for p in "${_pids[@]}"; do
                kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
        done
        for p in "${_tmpdirs[@]}"; do
                rm -rf "$p"
        done
}
trap cleanup_all EXIT

# mktemp_dir VAR: a private directory removed at exit.
mktemp_dir() {
        local d
        d=$(mktemp -d "${TMPDIR:-/tmp}/mos-test.XXXXXX") || exit 1
        _tmpdirs+=("$d")
        printf -v "$1" '%s' "$d"
}

# track_pid PID: a background process stopped (by its process id) at exit.
track_pid() { _pids+=("$1"); }

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 77; }

# expect CODE REGEX -- CMD...: runs CMD, checks its exit code and that stderr+stdout match the
# extended regular expression REGEX (empty: no check). Output is kept in $OUT.
expect() {
        local code=$1 re=$2 rc
        shift 3
        OUT=$("$@" 2>&1)
        rc=$?
        if [ "$rc" != "$code" ]; then
                not_ok "$* -> exit $rc, expected $code"
                printf '%s\n' "$OUT" | sed 's/^/# /' | head -20
                return 1
        fi
        if [ -n "$re" ] && ! printf '%s\n' "$OUT" | grep -Eq -- "$re"; then
                not_ok "$* -> output does not match /$re/"
                printf '%s\n' "$OUT" | sed 's/^/# /' | head -20
                return 1
        fi
        ok "$* -> exit $code${re:+, /$re/}"
}

done_testing() {
        echo "1..$_n"
        [ "$_failed" = 0 ]
}
