#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make check`: everything CI runs, in order.
#   1. gcc build with warnings as errors, all suites (unit, fuzz, integration, vm, style);
#   2. clang build with address and undefined sanitizers (and libFuzzer binaries), running the
#      unit, fuzz and integration suites;
#   3. the summary line, computed from meson's test logs of both builds.
# Exits non-zero when anything failed or nothing ran. The summary is also written to
# build/tests-summary.txt for .ci/run.
set -u
cd "$(dirname "$0")/.."
jobs=$(nproc)
status=0
summary_file=build/tests-summary.txt

setup() { # DIR [meson options...]
        local dir=$1
        shift
        if [ -f "$dir/build.ninja" ]; then
                meson configure "$dir" "$@" >/dev/null
        else
                meson setup "$dir" "$@" >/dev/null
        fi
}

step() { echo "== $*"; }

mkdir -p build
rm -f build/meson-logs/testlog.json build-asan/meson-logs/testlog.json

step "gcc build (-Werror)"
if CC=gcc setup build -Dwerror=true && ninja -C build; then
        step "gcc: all suites"
        meson test -C build --print-errorlogs --num-processes "$jobs" || status=1
else
        status=1
fi

step "clang build with -fsanitize=address,undefined"
if CC=clang setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dfuzz=true && ninja -C build-asan; then
        step "clang+sanitizers: unit, fuzz, integration"
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                meson test -C build-asan --print-errorlogs --num-processes "$jobs" \
                --suite unit --suite fuzz --suite integration || status=1
else
        status=1
fi

step "summary"
python3 tools/test-summary.py build build-asan | tee "$summary_file.tmp"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
mv "$summary_file.tmp" "$summary_file"
exit $status
