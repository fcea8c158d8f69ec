#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Adds up meson's test logs (BUILDDIR/meson-logs/testlog.json) of one or more builds and
prints `tests: N passed, N failed, N skipped`. Exits non-zero when a test failed, when a log
is missing or when no test ran."""
import json
import sys

passed = failed = skipped = 0
missing = []
for builddir in sys.argv[1:]:
    try:
        with open(f"{builddir}/meson-logs/testlog.json") as f:
            for line in f:
                if not line.strip():
                    continue
                result = json.loads(line)["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    print(f"FAILED: {builddir}: {json.loads(line)['name']} ({result})")
    except FileNotFoundError:
        missing.append(builddir)

for m in missing:
    print(f"no test log in {m}: its tests did not run")
print(f"tests: {passed} passed, {failed + len(missing)} failed, {skipped} skipped")
sys.exit(1 if failed or missing or passed == 0 else 0)
