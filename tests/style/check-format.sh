#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C file follows .clang-format (clang-format 14, as in Debian 12).
set -u
cd "$1" || exit 1
CF=$(command -v clang-format-14 || command -v clang-format) || { echo "1..0 # SKIP no clang-format"; exit 77; }
n=0 bad=0
while IFS= read -r f; do
        n=$((n + 1))
        if "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then
                echo "ok $n - $f"
        else
                bad=$((bad + 1))
                echo "not ok $n - $f (run: $CF -i $f)"
        fi
done < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
echo "1..$n"
[ "$bad" = 0 ]
