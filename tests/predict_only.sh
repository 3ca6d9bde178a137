#!/bin/sh
# tests/predict_only.sh - the prediction-only library (make lib-predict):
# a program that loads, tokenises, scores and explains links against it
# alone and agrees with `spamlr predict`; the library holds no solver,
# thread pool or path, and a program that trains does not link.
#
#   sh tests/predict_only.sh CC LIBSPAMLR-PREDICT.A SPAMLR
set -eu
CC=${1:?usage: predict_only.sh CC LIB SPAMLR}
LIB=${2:?}
BIN=${3:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "predict_only.sh: FAIL: $*" >&2; exit 1; }
LIBS="-lutf8proc -ldeflate -lz -lm -lpthread"

# nothing of lib/learn inside
nm -g --defined-only "$LIB" > "$work/syms"
for s in spamlr_train spamlr__solve spamlr__tron spamlr__lbfgs spamlr__owlqn spamlr__pool_start \
    spamlr__path_choose spamlr_cross_validate spamlr_model_learn; do
  grep -q " $s\$" "$work/syms" && fail "$LIB defines $s"
done
for s in spamlr_model_load spamlr_predict spamlr_explain spamlr_tokenize spamlr_model_clone \
    spamlr_model_update; do
  grep -q " $s\$" "$work/syms" || fail "$LIB lacks $s"
done

$CC -std=c11 -Wall -Wextra -Werror -Iinclude tests/predict_only.c -o "$work/predict" "$LIB" $LIBS ||
  fail "a predict-only program does not link against $LIB"
"$BIN" train -q -o "$work/m.slr" data/corpus.tsv || fail "cannot train the model"
printf 'From: a@example.com\nSubject: free prize\n\nclaim your free prize now, cheap\n' > "$work/s.eml"
printf 'From: b@example.com\nSubject: lunch\n\nsee you at the meeting tomorrow\n' > "$work/h.eml"
"$work/predict" "$work/m.slr" "$work/s.eml" "$work/h.eml" > "$work/out" ||
  fail "the predict-only program failed"
"$BIN" predict -q -m "$work/m.slr" "$work/s.eml" "$work/h.eml" > "$work/want"
cut -f1-3 "$work/out" | cmp -s - "$work/want" ||
  fail "predict-only and spamlr predict disagree: $(cat "$work/out") / $(cat "$work/want")"
awk -F'\t' '$4 > 0 && $5 != "-"' "$work/out" | wc -l | grep -qx 2 ||
  fail "no tokens or explanation: $(cat "$work/out")"
"$work/predict" "$work/missing.slr" "$work/s.eml" 2>/dev/null && fail "a missing model was accepted"

# a program that trains needs the full library
printf '#include "spamlr.h"\nint main(void) { spamlr_model *m; return spamlr_train(&m, 0, 0, 0, 0); }\n' \
  > "$work/train.c"
if $CC -std=c11 -Iinclude "$work/train.c" -o "$work/train" "$LIB" $LIBS 2>/dev/null; then
  fail "a training program linked against the predict-only library"
fi
echo "predict_only.sh: ok ($(wc -c < "$LIB") bytes; $(grep -c ' T spamlr_[a-z]' "$work/syms") public functions)"
