#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The `mos` command's contract (CLI.md): help at every level, version, exit codes, usage errors.
. "$(dirname "$0")/../lib.sh"
MOS=$1

expect 0 '^mos [0-9]+\.[0-9]+\.[0-9]+$' -- "$MOS" --version
expect 0 'Usage: mos .*NOUN VERB' -- "$MOS" --help
expect 0 'Exit codes:' -- "$MOS" -h
expect 2 "missing command\. See 'mos --help'" -- "$MOS"
expect 2 "unknown command 'frobnicate'\. See 'mos --help'" -- "$MOS" frobnicate
expect 2 "unknown option '--frob'" -- "$MOS" --frob
expect 2 "Option '--log-level' needs a value" -- "$MOS" --log-level
expect 2 "Invalid --log-level 'loud'" -- "$MOS" --log-level loud --version
expect 0 '^mos ' -- "$MOS" --log-level debug --version
expect 0 '^mos ' -- "$MOS" --log-level=error --version
expect 0 'Ignoring invalid \$MOS_LOG_LEVEL' -- env MOS_LOG_LEVEL=loud "$MOS" --version

done_testing
