#!/bin/sh
# tests/crashsafe.sh - a model file survives `spamlr train` and `spamlr
# learn` being killed.
#
#   sh tests/crashsafe.sh build/spamlr [RUNS]
#
# Starts `spamlr train -o MODEL` over an existing MODEL and kills it with
# SIGKILL after a random delay, RUNS times (default 40): half the delays
# are spread over the whole run, half crowd its end, where the model is
# written, and every third run is killed as soon as its temporary file
# appears, in the middle of writing it. After every run MODEL must load (spamlr inspect) and be either
# the old model (same bytes) or the new one (same bytes except the training
# time stamp and the CRC). A killed run may leave its MODEL.tmp-HOST-PID-*
# behind; the next writer under MODEL.lock removes it (tests/README.md
# "Crash safety"): after a run that finished none is left, after a killed
# one at most its own.
set -u
BIN=${1:?usage: sh tests/crashsafe.sh path/to/spamlr [RUNS]}
RUNS=${2:-40}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-crash.XXXXXX") || exit 1
trap 'rm -rf "$T"' 0
trap 'exit 1' HUP INT TERM
fail() { echo "crashsafe.sh: FAIL: $*" >&2; exit 1; }

# training data big enough that writing the model takes a moment
awk 'BEGIN { srand(11); for (i = 0; i < 3000; i++) { s = (i % 2 ? "spam" : "ham") "\t";
       for (j = 0; j < 25; j++) s = s " w" int(rand() * 60000); print s } }' > "$T/data.tsv"
printf 'spam\tfree prize now\nham\tlunch at noon\nspam\tcheap pills\nham\tsee you\n' > "$T/old.tsv"
"$BIN" train -q --threads 1 -o "$T/old.slr" "$T/old.tsv" || fail "cannot train the old model"
start=$(date +%s.%N)
"$BIN" train -q --threads 1 -o "$T/new.slr" "$T/data.tsv" || fail "cannot train the new model"
end=$(date +%s.%N)
size=$(wc -c < "$T/new.slr")
dur=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')

# same_but_time FILE REF: equal to REF but for the time stamp (bytes
# 141-148, 1-based, after the fixed header and the metadata before it) and
# the CRC
same_but_time() {
    n=$(wc -c < "$2")
    [ "$(wc -c < "$1")" = "$n" ] || return 1
    cmp -l "$1" "$2" | awk -v n="$n" '$1 < 141 || ($1 > 148 && $1 <= n - 4) { bad = 1 }
        END { exit bad }'
}
same_as_new() { same_but_time "$1" "$T/new.slr"; }

mkdir "$T/run"
cp "$T/old.slr" "$T/run/m.slr"
killed=0 finished=0 old=0 new=0
i=0
while [ $i -lt "$RUNS" ]; do
    delay=$(awk -v d="$dur" -v i=$i 'BEGIN { srand(1000 + i); r = rand();
        printf "%.3f", i == 0 ? d * 0.05 : (i % 2) ? r * d * 1.1 : d * (0.8 + 0.35 * r) }')
    "$BIN" train -q --threads 1 -o "$T/run/m.slr" "$T/data.tsv" 2>/dev/null &
    pid=$!
    if [ $((i % 3)) = 2 ]; then
        # kill the moment the temporary file appears: mid-write (a shell
        # builtin loop, no fork per poll)
        delay=tmpfile
        while kill -0 $pid 2>/dev/null; do
            set -- "$T"/run/m.slr.tmp-*
            [ -e "$1" ] && break
        done
    else
        sleep "$delay"
    fi
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    st=$?
    case $st in
        0) finished=$((finished + 1)) ;;
        137) killed=$((killed + 1)) ;;
        *) fail "run $i: train exited $st" ;;
    esac
    "$BIN" inspect "$T/run/m.slr" > /dev/null 2>"$T/err" ||
        fail "run $i (killed after ${delay}s): model does not load: $(cat "$T/err")"
    if cmp -s "$T/run/m.slr" "$T/old.slr"; then
        old=$((old + 1))
    elif same_as_new "$T/run/m.slr"; then
        new=$((new + 1))
    else
        fail "run $i: the model is neither the old nor the new one"
    fi
    ntmp=$(ls "$T/run" | grep -c '^m\.slr\.tmp-')
    if [ "$st" = 0 ]; then
        [ "$ntmp" = 0 ] || fail "run $i finished: $ntmp stale temporary files left: $(ls "$T/run")"
    else
        [ "$ntmp" -le 1 ] || fail "run $i killed: $ntmp temporary files: $(ls "$T/run")"
    fi
    i=$((i + 1))
done
# the next writer removes dead writers' temporary files of this host, and
# only those: a reaped process's and the last killed run's go, a living
# process's (this shell's), another host's and another model's stay
host=$(hostname 2>/dev/null | tr -cd 'A-Za-z0-9.' | cut -c1-64)
[ -n "$host" ] || host=localhost
sh -c 'exit 0' & dead=$!
wait $dead
: > "$T/run/m.slr.tmp-$host-$dead-abc123"
: > "$T/run/m.slr.tmp-$host-$$-abc123"
: > "$T/run/m.slr.tmp-$host.elsewhere-$dead-abc123"
: > "$T/run/other.slr.tmp-$host-$dead-abc123"
"$BIN" train -q --threads 1 -o "$T/run/m.slr" "$T/old.tsv" 2>/dev/null ||
    fail "the final train failed"
left=$(cd "$T/run" && LC_ALL=C ls | grep '\.tmp-' | tr '\n' ' ')
[ "$left" = "m.slr.tmp-$host-$$-abc123 m.slr.tmp-$host.elsewhere-$dead-abc123 other.slr.tmp-$host-$dead-abc123 " ] ||
    fail "after the final train the temporary files are: $left"
rm -f "$T"/run/*.tmp-*
"$BIN" train -q --threads 1 -o "$T/run/m.slr" "$T/data.tsv" 2>/dev/null ||
    fail "cannot train the new model again"
# the model and its lock file (every writer takes MODEL.lock)
[ "$(ls "$T/run" | grep -v '^m\.slr\.lock$' | grep -vc '^m\.slr\.tmp-')" = 1 ] ||
    fail "unexpected files: $(ls "$T/run")"
echo "crashsafe.sh: $RUNS runs (one takes ${dur}s): $killed killed, $finished finished;" \
     "model was old $old times, new $new times; $(ls "$T/run" | grep -c tmp-) temporary files left"

# spamlr learn updates MODEL in place (under MODEL.lock): killed at random
# points, MODEL must load and be the model before the update or after it.
mkdir "$T/mails" "$T/lrun"
awk -v dir="$T/mails" 'NR <= 600 { f = sprintf("%s/%04d.txt", dir, NR);
    sub(/^[a-z]+\t/, ""); print "Subject: note " NR "\n\n" $0 > f; close(f) }' "$T/data.tsv"
cp "$T/old.slr" "$T/learned.slr"
start=$(date +%s.%N)
"$BIN" learn -m "$T/learned.slr" --spam "$T/mails" 2>/dev/null || fail "learn does not run"
end=$(date +%s.%N)
ldur=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
lkilled=0 lold=0 lnew=0
j=0
while [ $j -lt 12 ]; do
    cp "$T/old.slr" "$T/lrun/m.slr"
    delay=$(awk -v d="$ldur" -v j=$j 'BEGIN { srand(500 + j); printf "%.3f", rand() * d * 1.1 }')
    "$BIN" learn -m "$T/lrun/m.slr" --spam "$T/mails" 2>/dev/null &
    pid=$!
    sleep "$delay"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ $? = 137 ] && lkilled=$((lkilled + 1))
    "$BIN" inspect "$T/lrun/m.slr" > /dev/null 2>"$T/err" ||
        fail "learn run $j (killed after ${delay}s): model does not load: $(cat "$T/err")"
    if cmp -s "$T/lrun/m.slr" "$T/old.slr"; then
        lold=$((lold + 1))
    elif same_but_time "$T/lrun/m.slr" "$T/learned.slr"; then
        lnew=$((lnew + 1))
    else
        fail "learn run $j: the model is neither the one before nor the one after"
    fi
    j=$((j + 1))
done
echo "crashsafe.sh: 12 learn runs (one takes ${ldur}s): $lkilled killed;" \
     "model was the one before $lold times, after $lnew times"
