#!/bin/sh
# make demo: fetch the SpamAssassin corpus, train on its train split,
# evaluate on its test split, show what the model learned; then the same on
# the bundled English/Chinese corpus, with a look-up of 中奖.
set -eu
CLI=${1:-build/spamlr}
here=$(cd "$(dirname "$0")" && pwd)
out=${SPAMLR_DEMO_DIR:-$(dirname "$here")/build/demo}
mkdir -p "$out"
step() { printf '\n== %s\n' "$*"; }

step "spamlr $("$CLI" --version | sed 's/^spamlr //')"
rc=0
sh "$here/get-spamassassin.sh" || rc=$?
if [ $rc = 0 ]; then
  sa="$here/spamassassin"
  step "train on the SpamAssassin train split (4550 mails) with the defaults: tf-idf with the idf squared, C chosen on a validation path"
  "$CLI" train -o "$out/spamassassin.slr" --index "$sa/train.idx"
  step "evaluate on the SpamAssassin test split (1496 mails)"
  "$CLI" eval -m "$out/spamassassin.slr" --index "$sa/test.idx"
  step "what it learned"
  "$CLI" inspect "$out/spamassassin.slr" --top 15
else
  echo "(the SpamAssassin corpus could not be fetched; showing the bundled corpus only)"
fi
step "train on the bundled English/Chinese corpus (data/corpus.tsv)"
"$CLI" train -o "$out/corpus.slr" "$here/corpus.tsv"
step "evaluate on data/corpus-test.tsv"
"$CLI" eval -m "$out/corpus.slr" "$here/corpus-test.tsv"
step "inspect --word 中奖 --word 发票 --word lunch --word 会议"
"$CLI" inspect "$out/corpus.slr" --top 10 --word 中奖 --word 发票 --word lunch --word 会议
echo
echo "models are in $out"
