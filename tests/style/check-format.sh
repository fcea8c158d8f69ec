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
# Merge conflict markers anywhere in the tree.
n=$((n + 1))
if markers=$(git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . ':!*.md' 2>/dev/null) && [ -n "$markers" ]; then
        bad=$((bad + 1))
        echo "not ok $n - merge conflict markers"
        printf '%s\n' "$markers" | sed 's/^/# /' | head -20
else
        echo "ok $n - no merge conflict markers"
fi
echo "1..$n"
[ "$bad" = 0 ]
