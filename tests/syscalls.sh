#!/bin/sh
# tests/syscalls.sh - reading a message file costs few system calls: at
# most 5 a file (open, fstat, read, close today) when `spamlr train` reads
# a directory of 50 small mails, and when it reads them through an index.
# Counted with strace: every call whose path, or whose descriptor's path
# (strace -y), is one of the mails. Skipped, with a message, where strace
# is missing or cannot trace (a container without ptrace).
#
#   sh tests/syscalls.sh build/spamlr          (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup syscalls.sh "${1:?usage: sh tests/syscalls.sh path/to/spamlr}" grep awk

MAX=5   # system calls a file, at most
N=50    # mails

if ! command -v strace >/dev/null 2>&1; then
    echo "syscalls.sh: skipped (no strace; apt-get install strace)"
    exit 0
fi
if ! strace -f -o /dev/null true >/dev/null 2>&1; then
    echo "syscalls.sh: skipped (strace cannot trace here: no ptrace)"
    exit 0
fi
# LeakSanitizer stops the world with ptrace, which fails under strace
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

mkdir -p "$T/mail/spam" "$T/mail/ham"
i=0
while [ $i -lt $N ]; do
    if [ $((i % 2)) = 0 ]; then
        printf 'From: win%d@prize.biz\nSubject: you won %d\n\nclaim your prize now, cheap pills\n' \
            $i $i > "$T/mail/spam/mail$i.eml"
        echo "spam spam/mail$i.eml" >> "$T/mail/list.idx"
    else
        printf 'From: ann%d@example.org\nSubject: lunch %d\n\nthe meeting notes for tomorrow\n' \
            $i $i > "$T/mail/ham/mail$i.eml"
        echo "ham ham/mail$i.eml" >> "$T/mail/list.idx"
    fi
    i=$((i + 1))
done

# count WHAT ARGS...: trains under strace; fails unless every mail was
# touched and no more than MAX calls a mail on average.
count() {
    current=$1
    shift
    checks=$((checks + 1))
    strace -f -y -qq -e trace=file,desc -o "$T/trace" $WRAP "$BIN" train -q -c 1 --threads 1 \
        -o "$T/m.slr" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    expect_rc 0
    calls=$(grep -cE '/mail[0-9]+\.eml' "$T/trace")
    files=$(grep -oE '/mail[0-9]+\.eml' "$T/trace" | sort -u | wc -l)
    [ "$files" -eq $N ] || fail "the trace names $files of the $N mails"
    [ "$calls" -le $((MAX * N)) ] ||
        fail "$calls system calls on $N mail files: $(awk "BEGIN { printf \"%.1f\", $calls / $N }") a file, more than $MAX" \
             "($(grep -E '/mail[0-9]+\.eml' "$T/trace" | grep -oE '^[0-9]+ +[a-z0-9_]+' | awk '{ print $2 }' | sort | uniq -c | tr -s ' \n' ' '))"
    echo "syscalls.sh: $current: $calls calls on $N files"
}

count "a directory of mails" --spam "$T/mail/spam" --ham "$T/mail/ham"
count "an index of mails" --index "$T/mail/list.idx"

# From the disk: the mails dropped from the page cache first (GNU dd's
# nocache, as a machine that has not read them lately holds them), so
# that they are read ahead (stat, open, fadvise, read, close): still at
# most MAX a file, and, where the pages did go (not on tmpfs; fincore
# tells), the read-ahead did run.
sync
for f in "$T"/mail/spam/*.eml "$T"/mail/ham/*.eml; do
    dd if="$f" iflag=nocache count=0 status=none 2>/dev/null
done
dropped=no
if command -v fincore >/dev/null 2>&1 &&
   [ "$(fincore --noheadings --output PAGES "$T/mail/ham/mail1.eml" 2>/dev/null | tr -d ' ')" = 0 ]; then
    dropped=yes
fi
count "an index of mails from the disk" --index "$T/mail/list.idx"
if [ "$dropped" = yes ]; then
    checks=$((checks + 1))
    ahead=$(grep -E '/mail[0-9]+\.eml' "$T/trace" | grep -c 'fadvise64')
    [ "$ahead" -gt 0 ] || fail "mails read from the disk, none asked for ahead"
    echo "syscalls.sh: $ahead of $N mails asked for ahead"
fi
echo "syscalls.sh: $checks checks passed (at most $MAX system calls a mail file)"
