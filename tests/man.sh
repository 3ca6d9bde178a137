#!/bin/sh
# tests/man.sh - lints the man pages: mandoc -Tlint must print nothing
# (errors, warnings and style notes alike); without mandoc, groff -man -ww
# -z must print no warning; without either the check is skipped.
#
#   sh tests/man.sh cli/spamlr.1 include/libspamlr.3 cli/spamlr.5
set -u
fail=0
if command -v mandoc >/dev/null 2>&1; then
    tool="mandoc -Tlint"
    for p in "$@"; do
        out=$(mandoc -Tlint "$p" 2>&1)
        if [ $? != 0 ] || [ -n "$out" ]; then
            echo "man.sh: $p: $out" >&2
            fail=1
        fi
    done
elif command -v groff >/dev/null 2>&1; then
    tool="groff -man -ww -z"
    for p in "$@"; do
        out=$(groff -t -man -ww -z "$p" 2>&1)
        if [ $? != 0 ] || [ -n "$out" ]; then
            echo "man.sh: $p: $out" >&2
            fail=1
        fi
    done
else
    echo "man.sh: neither mandoc nor groff installed (apt-get install mandoc): man pages not linted"
    exit 0
fi
# every subcommand of spamlr(1) has its section
for c in train predict eval inspect explain learn filter serve prune import curve; do
    grep -q "^\.SS $c\$" cli/spamlr.1 || { echo "man.sh: spamlr.1 has no section for $c" >&2; fail=1; }
done
[ $fail = 0 ] && echo "man.sh: $# pages clean ($tool)"
exit $fail
