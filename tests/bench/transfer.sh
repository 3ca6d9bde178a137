#!/bin/sh
# transfer.sh - `make accuracy`: transfer learning (train --prior). A base
# model trained on one source is adapted with N messages of another, for
# N = 25 50 100 200 500 1000, against a model trained on those N alone and
# the base unchanged; (1-AUC)% on the other source's test messages.
# Prints a table; never fails the build.
#   sh tests/bench/transfer.sh [build/spamlr]
# Data: the SpamAssassin split (data/get-spamassassin.sh): the base learns
# the train.idx messages of easy-ham-1, easy-ham-2 and spam-1; the target
# source is hard-ham-1 + spam-2 (its train.idx messages are the adaptation
# pool, drawn in a fixed shuffled order, nested: the first 25 are among
# the first 50; its test.idx messages are the test set). With the SMS
# Spam Collection (SPAMLR_SMS) also: base on SMS, adapt on the
# SpamAssassin target source, tokenised as the base (mime=0 for SMS).
set -u
CLI=${1:-build/spamlr}
here=$(cd "$(dirname "$0")/../.." && pwd)
SA=$here/data/spamassassin
SMS=${SPAMLR_SMS:-$here/../shared/corpora/sms/SMSSpamCollection}
SIZES=${SPAMLR_TRANSFER_SIZES:-"25 50 100 200 500 1000"}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM

if [ ! -f "$SA/train.idx" ]; then
    echo "transfer: SpamAssassin corpus missing (sh data/get-spamassassin.sh); skipped"
    exit 0
fi

# auc MODEL INDEX: (1-AUC)% of MODEL on the messages of INDEX, then its
# errors at the model's threshold (ham false positives + spam missed)
auc() {
    "$CLI" eval -m "$1" --format json --index "$2" 2>/dev/null |
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

# curve NAME BASE_MODEL: the table for one base against the target source
curve() {
    b=$(auc "$2" "$W/test.idx")
    echo
    echo "transfer: $1 -> SpamAssassin hard-ham-1 + spam-2 (test: $(wc -l < "$W/test.idx") messages); (1-AUC)% and FP+FN at the threshold"
    printf "  %6s  %16s  %16s  %16s\n" "N" "base" "alone" "prior"
    for n in $SIZES; do
        head -n "$n" "$W/pool.idx" > "$W/n.idx"
        "$CLI" train -q -o "$W/alone.slr" --index "$W/n.idx" 2>/dev/null &&
            a=$(auc "$W/alone.slr" "$W/test.idx") || a="-"
        "$CLI" train -q -o "$W/prior.slr" --prior "$2" --index "$W/n.idx" 2>/dev/null &&
            p=$(auc "$W/prior.slr" "$W/test.idx") || p="-"
        printf "  %6s  %16s  %16s  %16s\n" "$n" "$b" "$a" "$p"
    done
}

if "$CLI" train -q -o "$W/sa-base.slr" --index "$W/base.idx" 2>/dev/null; then
    curve "SpamAssassin easy-ham + spam-1" "$W/sa-base.slr"
else
    echo "transfer: the SpamAssassin base did not train; skipped"
fi
if [ -f "$SMS" ] && "$CLI" train -q --no-mime -o "$W/sms-base.slr" "$SMS" 2>/dev/null; then
    curve "SMS Spam Collection (read as plain text, as is the adaptation mail)" "$W/sms-base.slr"
fi
exit 0
