#!/bin/sh
# transfer.sh - `make accuracy`: transfer learning (train --prior). A base
# model trained on one source is adapted with N messages of another, for
# N = 25 50 100 200 400 1000, against a model trained on those N alone and
# the base unchanged; (1-AUC)% on the other source's test messages.
# Prints a table per pair and draws them all in one SVG (SPAMLR_TRANSFER_SVG,
# default transfer.svg beside the CLI); never fails the build.
#   sh tests/bench/transfer.sh [build/spamlr]
# Data: the SpamAssassin split (data/get-spamassassin.sh): the base learns
# the train.idx messages of easy-ham-1, easy-ham-2 and spam-1; the target
# source is hard-ham-1 + spam-2 (its train.idx messages are the adaptation
# pool, drawn in a fixed shuffled order, nested: the first 25 are among
# the first 50; its test.idx messages are the test set). With the SMS
# Spam Collection (SPAMLR_SMS) also: base on SMS, adapt on the
# SpamAssassin target source, tokenised as the base (mime=0 for SMS); and
# the reverse: a base of the whole SpamAssassin train split adapted to SMS
# (MD5 split) and to the bundled multilingual corpus (data/corpus.tsv,
# tested on data/corpus-test.tsv).
set -u
CLI=${1:-build/spamlr}
here=$(cd "$(dirname "$0")/../.." && pwd)
SA=$here/data/spamassassin
SMS=${SPAMLR_SMS:-$here/../shared/corpora/sms/SMSSpamCollection}
SIZES=${SPAMLR_TRANSFER_SIZES:-"25 50 100 200 400 1000"}
SVG=${SPAMLR_TRANSFER_SVG:-$(dirname "$CLI")/transfer.svg}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM

if [ ! -f "$SA/train.idx" ]; then
    echo "transfer: SpamAssassin corpus missing (sh data/get-spamassassin.sh); skipped"
    exit 0
fi

# auc MODEL FILE [KIND]: (1-AUC)% of MODEL on the messages of FILE (an
# index, or KIND tsv: label<TAB>text lines), then its errors at the
# model's threshold (ham false positives + spam missed)
auc() {
    # shellcheck disable=SC2046
    "$CLI" eval -m "$1" --format json $(input "${3:-idx}" "$2") 2>/dev/null |
        awk '{ a = $0; sub(/.*"one_minus_auc_pct":/, "", a); sub(/[,}].*/, "", a)
               p = $0; sub(/.*"fp":/, "", p); sub(/[,}].*/, "", p)
               n = $0; sub(/.*"fn":/, "", n); sub(/[,}].*/, "", n)
               printf "%.3f %3d+%-3d", a, p, n }'
}

# sel IDX REGEX: the lines of IDX whose group matches, with absolute paths
sel() {
    awk -v re="$2" -v d="$SA/" '$2 ~ re { print $1, d $2 }' "$1"
}

sel "$SA/train.idx" '^(easy-ham-[12]|spam-1)/' > "$W/base.idx"
sel "$SA/train.idx" '^(hard-ham-1|spam-2)/' |
    awk 'BEGIN { srand(14) } { print rand() "\t" $0 }' | sort -n | cut -f2- > "$W/pool.idx"
sel "$SA/test.idx" '^(hard-ham-1|spam-2)/' > "$W/test.idx"

# input KIND FILE: the arguments that read FILE (an index or a TSV file)
input() { if [ "$1" = idx ]; then echo "--index $2"; else echo "$2"; fi; }

# curve NAME BASE_MODEL TARGET KIND POOL TEST: the table for one base
# against a target source, its adaptation messages the first N lines of
# POOL (already shuffled), scored on TEST; rows also go to $W/plot.tsv
curve() {
    kind=$4 pool=$5 test=$6
    b=$(auc "$2" "$test" "$kind")
    echo
    echo "transfer: $1 -> $3 (test: $(wc -l < "$test") messages); (1-AUC)% and FP+FN at the threshold"
    printf "  %6s  %16s  %16s  %16s\n" "N" "base" "alone" "prior"
    for n in $SIZES; do
        [ "$n" -le "$(wc -l < "$pool")" ] || continue
        head -n "$n" "$pool" > "$W/n.$kind"
        # shellcheck disable=SC2046
        "$CLI" train -q -o "$W/alone.slr" $(input "$kind" "$W/n.$kind") 2>/dev/null &&
            a=$(auc "$W/alone.slr" "$test" "$kind") || a="-"
        # shellcheck disable=SC2046
        "$CLI" train -q -o "$W/prior.slr" --prior "$2" $(input "$kind" "$W/n.$kind") 2>/dev/null &&
            p=$(auc "$W/prior.slr" "$test" "$kind") || p="-"
        printf "  %6s  %16s  %16s  %16s\n" "$n" "$b" "$a" "$p"
        printf '%s -> %s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$n" "${b%% *}" "${a%% *}" "${p%% *}" \
            >> "$W/plot.tsv"
    done
}

shuffle() { awk 'BEGIN { srand(14) } { print rand() "\t" $0 }' | sort -n | cut -f2-; }
HARD="SpamAssassin hard-ham-1 + spam-2"
if "$CLI" train -q -o "$W/sa-base.slr" --index "$W/base.idx" 2>/dev/null; then
    curve "SpamAssassin easy-ham + spam-1" "$W/sa-base.slr" "$HARD" idx "$W/pool.idx" "$W/test.idx"
else
    echo "transfer: the SpamAssassin base did not train; skipped"
fi
if [ -f "$SMS" ] && "$CLI" train -q --no-mime -o "$W/sms-base.slr" "$SMS" 2>/dev/null; then
    curve "SMS Spam Collection (plain text; the mail too)" \
        "$W/sms-base.slr" "$HARD" idx "$W/pool.idx" "$W/test.idx"
fi
# the reverse and the bundled corpus: a base of all the SpamAssassin train
# mail adapted to short texts (SMS, split by the MD5 of each text as in
# quality.sh; the multilingual corpus of data/)
sel "$SA/train.idx" '.' > "$W/all.idx"
if "$CLI" train -q -o "$W/sa-all.slr" --index "$W/all.idx" 2>/dev/null; then
    if [ -f "$SMS" ]; then
        "$PY" - "$SMS" "$W" <<'PY'
import hashlib, sys
src, out = sys.argv[1], sys.argv[2]
tr, te = open(out + "/sms-train.tsv", "w"), open(out + "/sms-test.tsv", "w")
for line in open(src, encoding="utf-8"):
    lab, text = line.rstrip("\n").split("\t", 1)
    (te if hashlib.md5(text.encode()).hexdigest()[0] in "0123" else tr).write(lab + "\t" + text + "\n")
PY
        shuffle < "$W/sms-train.tsv" > "$W/sms-pool.tsv"
        curve "SpamAssassin train split (mail)" "$W/sa-all.slr" "SMS Spam Collection" tsv \
            "$W/sms-pool.tsv" "$W/sms-test.tsv"
    fi
    shuffle < "$here/data/corpus.tsv" > "$W/corpus-pool.tsv"
    curve "SpamAssassin train split (mail)" "$W/sa-all.slr" \
        "the bundled multilingual corpus (data/)" tsv "$W/corpus-pool.tsv" \
        "$here/data/corpus-test.tsv"
fi
[ -s "$W/plot.tsv" ] && "$PY" "$here/tests/bench/transfer_svg.py" "$W/plot.tsv" "$SVG" &&
    echo && echo "transfer: the curves as a picture: $SVG"
exit 0
