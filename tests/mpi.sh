#!/bin/sh
# tests/mpi.sh - data-parallel training (spamlr train --mpi) agrees with one
# process: objective to 1e-6 relative, every test probability to 1e-5, for
# 2 and 3 processes, L2 and L1; and a process that cannot read its share
# stops every process with an error instead of a hang.
#
#   sh tests/mpi.sh build-mpi/spamlr     (make check-mpi; needs Open MPI)
#
# Uses the SpamAssassin split when data/spamassassin is there, else
# data/corpus.tsv and data/corpus-test.tsv.
set -u
BIN=${1:?usage: sh tests/mpi.sh path/to/spamlr-built-with-MPI=1}
command -v mpirun >/dev/null 2>&1 || { echo "mpi.sh: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-mpi.XXXXXX") || exit 1
trap 'rm -rf "$T"' 0
trap 'exit 1' HUP INT TERM
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --allow-run-as-root --oversubscribe"

if [ -f data/spamassassin/train.idx ]; then
    TRAIN="--index data/spamassassin/train.idx"
    TEST="--index data/spamassassin/test.idx"
    BROKEN_SRC=data/spamassassin/train.idx
else
    TRAIN=data/corpus.tsv
    TEST="--lines data/corpus-test.tsv"
    BROKEN_SRC=""
fi

fail() { echo "mpi.sh: FAIL: $*" >&2; exit 1; }

# compare A.slr B.slr: objectives and test probabilities agree
compare() {
    "$BIN" inspect --format json "$1" >"$T/a.json" || fail "inspect $1"
    "$BIN" inspect --format json "$2" >"$T/b.json" || fail "inspect $2"
    # shellcheck disable=SC2086
    "$BIN" predict -m "$1" --format jsonl $TEST >"$T/a.pred" 2>/dev/null || fail "predict $1"
    # shellcheck disable=SC2086
    "$BIN" predict -m "$2" --format jsonl $TEST >"$T/b.pred" 2>/dev/null || fail "predict $2"
    python3 - "$T" "$3" <<'PY' || fail "$3: models differ"
import json, sys
t, what = sys.argv[1], sys.argv[2]
a = json.load(open(t + "/a.json")); b = json.load(open(t + "/b.json"))
fa, fb = a["objective"], b["objective"]
rel = abs(fa - fb) / max(abs(fa), abs(fb))
pa = [json.loads(l)["probability"] for l in open(t + "/a.pred")]
pb = [json.loads(l)["probability"] for l in open(t + "/b.pred")]
assert len(pa) == len(pb) and pa, "prediction counts differ"
dp = max(abs(x - y) for x, y in zip(pa, pb))
ok = rel <= 1e-6 and dp <= 1e-5 and a["parameters"] == b["parameters"]
print("mpi.sh: %-24s objective %.10g vs %.10g (rel %.1e), max |dp| %.1e over %d, %d params"
      % (what, fa, fb, rel, dp, len(pa), a["parameters"]))
sys.exit(0 if ok else 1)
PY
}

# -c 1: with C chosen by validation, each process deals its own rows to
# the folds, so the folds (and so C) need not be those of one process.
for opts in "-c 1" "-c 1 --l1 0.1 --min-count 3 --features tfidf"; do
    # shellcheck disable=SC2086
    "$BIN" train -q --threads 1 $opts -o "$T/one.slr" $TRAIN || fail "single-process training"
    for np in 2 3; do
        # shellcheck disable=SC2086
        timeout 600 $MPIRUN -np $np "$BIN" train -q --mpi --threads 1 $opts -o "$T/mpi$np.slr" $TRAIN \
            || fail "mpirun -np $np train --mpi $opts"
        compare "$T/one.slr" "$T/mpi$np.slr" "np $np ${opts:-(L2)}"
    done
done

# A process that cannot read its share: every process stops, with a message.
if [ -n "$BROKEN_SRC" ]; then
    d=$(cd "$(dirname "$BROKEN_SRC")" && pwd)
    # the second record goes to rank 1 and names a missing file
    { sed -n 1p "$BROKEN_SRC" | sed "s# # $d/#"; echo "spam $d/no/such/message"; \
      sed -n '2,40p' "$BROKEN_SRC" | sed "s# # $d/#"; } >"$T/broken.idx"
    BROKEN="--index $T/broken.idx"
    WHY='no/such'
else
    # the second line, rank 1's, has no valid label
    printf 'spam\tfine words\nbogus\tline\nham\tmore words\n' >"$T/broken.tsv"
    BROKEN="$T/broken.tsv"
    WHY='label'
fi
# shellcheck disable=SC2086
timeout 120 $MPIRUN -np 2 "$BIN" train -q --mpi -o "$T/broken.slr" $BROKEN >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 124 ] && fail "a failing process left the others hanging"
[ $rc -ne 0 ] || fail "training went on with a process that could not read its share"
grep -Eiq "$WHY" "$T/err" || fail "the failing process did not say why: $(cat "$T/err")"
grep -q 'another process could not read' "$T/err" || fail "the other process did not say why"
[ -e "$T/broken.slr" ] && fail "a model was written"
echo "mpi.sh: a failing process stops all ($(grep -c . "$T/err") lines of errors)"
echo "mpi.sh: all checks passed"
