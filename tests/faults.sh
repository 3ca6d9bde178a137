#!/bin/sh
# tests/faults.sh - every system call of a model save, made to fail.
#
#   sh tests/faults.sh build/spamlr build/tests/faultshim.so
#
# For each writer of a model (train -o, learn, prune -o, import -o, eval
# --save-threshold), each call of the save path (open, write, fsync, close,
# fchmod, fchown, rename; see tests/faultshim.c) and each error (ENOSPC,
# EIO), the Nth such call of the save fails, for N = 1, 2, ... until the
# save makes fewer than N of them. After each trial:
#   - a failure (exit 1) left the old model: same bytes, same mode, the
#     same predictions, no MODEL.tmp-* file, and one line on stderr naming
#     the model and the system's reason;
#   - a success (exit 0; only a fault after the rename, when the model is
#     already replaced, may give one) left the new model, loadable, and a
#     failed fsync of the directory was reported as a warning naming it.
# Then, as root only, the same writers on a tmpfs too small for the model.
set -u
BIN=${1:?usage: sh tests/faults.sh path/to/spamlr path/to/faultshim.so}
SHIM=${2:?usage: sh tests/faults.sh path/to/spamlr path/to/faultshim.so}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
case $SHIM in /*) ;; *) SHIM=$(pwd)/$SHIM ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-faults.XXXXXX") || exit 1
trap 'cd /; [ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null; rm -rf "$T"' 0
trap 'exit 1' HUP INT TERM
cd "$T" || exit 1
# an ASan build wants its runtime first; the shim does not touch memory
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
fail() {
    echo "faults.sh: FAIL [$trial]: $*" >&2
    [ -s err ] && sed 's/^/    stderr: /' err | head -5 >&2
    exit 1
}

awk 'BEGIN { srand(5); for (i = 0; i < 200; i++) { s = (i % 2 ? "spam" : "ham") "\t";
       for (j = 0; j < 12; j++) s = s " w" int(rand() * 3000); print s } }' > data.tsv
printf 'spam\tbuy cheap pills now\nham\tthe meeting is at ten\n' > other.tsv
printf 'Subject: cheap pills\n\nbuy w12 w7 now\n' > msg.eml
"$BIN" train -q -o old.slr data.tsv 2>/dev/null || fail "cannot train the old model"
"$BIN" inspect old.slr --dump > old.dump || fail "cannot dump"
"$BIN" predict -m old.slr msg.eml data.tsv > old.pred || fail "cannot predict"
owner=''
[ "$(id -u)" = 0 ] && owner=65534:65534   # so that the save calls fchown too

save() {  # save WRITER: writes m.slr (over a copy of old.slr) with WRITER
    case $1 in
    train) "$BIN" train -q -o m.slr other.tsv ;;
    learn) "$BIN" learn -q -m m.slr --spam msg.eml ;;
    prune) "$BIN" prune -q -m old.slr --keep 50 -o m.slr ;;
    import) "$BIN" import old.dump -o m.slr ;;
    eval) "$BIN" eval -m m.slr --target-fpr 0.3 --save-threshold data.tsv ;;
    esac >/dev/null 2>err
}
reset() {
    rm -f m.slr m.slr.tmp-* fired
    cp old.slr m.slr; chmod 640 m.slr
    [ -z "$owner" ] || chown "$owner" m.slr
}

trials=0 failed=0 after=0
for w in train learn prune import eval; do
    for call in open write fsync close fchmod fchown rename; do
        for e in ENOSPC EIO; do
            n=1
            while :; do
                trial="$w: $call #$n fails with $e"
                reset
                SPAMLR_FAULT=$call:$n:$e SPAMLR_FAULT_LOG=$T/fired LD_PRELOAD=$SHIM save "$w"
                rc=$?
                [ -z "$(ls | grep '\.tmp-')" ] || fail "temporary file left: $(ls | grep '\.tmp-')"
                if [ ! -e fired ]; then
                    [ $rc = 0 ] || fail "failed with no fault injected"
                    break
                fi
                trials=$((trials + 1))
                case $e in ENOSPC) msg='No space left on device' ;; *) msg='Input/output error' ;; esac
                if [ $rc != 0 ]; then
                    [ $rc = 1 ] || fail "exit status $rc"
                    failed=$((failed + 1))
                    cmp -s m.slr old.slr || fail "the old model was changed"
                    [ "$(stat -c %a m.slr)" = 640 ] || fail "the old model's mode was changed"
                    "$BIN" predict -m m.slr msg.eml data.tsv > pred 2>/dev/null &&
                        cmp -s pred old.pred || fail "the old model does not predict as before"
                    [ "$(grep -vc '^spamlr [a-z]*: warning:' err)" = 1 ] || fail "not one error line on stderr"
                    grep -q "^spamlr [a-z]*: m\.slr: .*$msg" err || fail "the message does not name the model and '$msg'"
                else
                    after=$((after + 1)); [ -n "${FAULTS_DEBUG:-}" ] && echo "after: $trial" >&2
                    "$BIN" inspect m.slr >/dev/null 2>&1 || fail "the new model does not load"
                    [ "$(stat -c %a m.slr)" = 640 ] || fail "the new model did not get the old mode"
                    case $call in fsync)
                        grep -q "^spamlr [a-z]*: warning: m\.slr: .*directory: $msg" err ||
                            fail "a failed fsync of the directory was not reported" ;;
                    esac
                fi
                n=$((n + 1))
                [ $n -le 50 ] || fail "more than 50 calls"
            done
        done
    done
done
[ $trials -ge 60 ] || fail "only $trials faults injected: is the shim loaded?"
echo "faults.sh: $trials faults injected: $failed saves failed and kept the old model," \
     "$after after the rename kept the new one"

# A file system that fills up: a 64 KiB tmpfs holding the old model and
# a filler, root only (mount); skipped otherwise.
trial="tmpfs full"
if [ "$(id -u)" != 0 ]; then
    echo "faults.sh: not root: the full tmpfs case is skipped"
    exit 0
fi
mnt=$T/mnt; mkdir "$mnt"
if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
    mnt=''
    echo "faults.sh: cannot mount a tmpfs: the full tmpfs case is skipped"
    exit 0
fi
"$BIN" train -q -o big.slr data.tsv data.tsv 2>/dev/null || fail "cannot train"
cp old.slr "$mnt/m.slr"
dd if=/dev/zero of="$mnt/fill" bs=1024 count=64 2>/dev/null   # fills it, then fails
for w in train import learn; do
    case $w in
    train) "$BIN" train -q -o "$mnt/m.slr" data.tsv other.tsv ;;
    import) "$BIN" inspect big.slr --dump > big.dump && "$BIN" import big.dump -o "$mnt/m.slr" ;;
    learn) "$BIN" learn -q -m "$mnt/m.slr" --spam data.tsv ;;
    esac >/dev/null 2>err
    rc=$?
    trial="tmpfs full: $w"
    [ $rc = 1 ] || fail "exit status $rc on a full file system"
    cmp -s "$mnt/m.slr" old.slr || fail "the old model was changed"
    [ -z "$(ls "$mnt" | grep '\.tmp-')" ] || fail "temporary file left"
    grep -q "m\.slr: .*No space left on device" err || fail "the message does not say the disk is full"
done
echo "faults.sh: a full tmpfs: 3 writers failed and kept the old model"
