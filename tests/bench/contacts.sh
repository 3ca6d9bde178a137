#!/bin/sh
# contacts.sh - `make accuracy`: the contact list as learned features
# (train --contacts, issue 14 section 1) on the SpamAssassin split. The
# list is derived from the senders of the train split's ham only (spamlr
# contacts --ham, never a test message); a model trained with it and one
# without are evaluated on test.idx: (1-AUC)%, ham false positives at the
# model's threshold, and how many of those come from a known sender (the
# address listed) or a known domain. Prints; never fails the build.
#   sh tests/bench/contacts.sh [build/spamlr]
set -u
CLI=${1:-build/spamlr}
here=$(cd "$(dirname "$0")/../.." && pwd)
SA=$here/data/spamassassin
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM

if [ ! -f "$SA/train.idx" ]; then
    echo "contacts: SpamAssassin corpus missing (sh data/get-spamassassin.sh); skipped"
    exit 0
fi

# the contact list: senders of the train split's ham
awk -v d="$SA/" '$1 == "ham" { print "--ham"; print d $2 }' "$SA/train.idx" > "$W/args"
# shellcheck disable=SC2046
(IFS='
'; "$CLI" contacts -q $(cat "$W/args") -o "$W/contacts.txt") || { echo "contacts: spamlr contacts failed"; exit 0; }
n=$(grep -vc '^#' "$W/contacts.txt")

t0=$(date +%s.%N)
"$CLI" train -q --index "$SA/train.idx" -o "$W/plain.slr" || { echo "contacts: training failed"; exit 0; }
t1=$(date +%s.%N)
"$CLI" train -q --contacts "$W/contacts.txt" --index "$SA/train.idx" -o "$W/contacts.slr" ||
    { echo "contacts: training with --contacts failed"; exit 0; }
t2=$(date +%s.%N)

# row NAME MODEL SECONDS: one table row
row() {
    "$CLI" eval -m "$2" --format json --index "$SA/test.idx" > "$W/eval.json" 2>/dev/null
    auc=$(sed -n 's/.*"one_minus_auc_pct":\([^,}]*\).*/\1/p' "$W/eval.json" | awk '{ printf "%.4f", $1 }')
    fp=$(sed -n 's/.*"fp":\([0-9]*\).*/\1/p' "$W/eval.json")
    fn=$(sed -n 's/.*"fn":\([0-9]*\).*/\1/p' "$W/eval.json")
    # the ham called spam, and their senders against the list
    "$CLI" predict -m "$2" --index "$SA/test.idx" 2>/dev/null |
        awk -F'\t' '$1 == "spam" && $4 == "ham" { print $3 }' > "$W/fp.txt"
    known=0 dom=0
    while IFS= read -r f; do
        "$CLI" contacts -q --ham "$f" -o - 2>/dev/null | grep -av '^#' > "$W/sender"
        s=$(head -1 "$W/sender")
        [ -n "$s" ] || continue
        if grep -aqxF "$s" "$W/contacts.txt"; then
            known=$((known + 1))
        elif grep -aqxF "$(echo "$s" | sed 's/^[^@]*@/@/')" "$W/domains.txt"; then
            dom=$((dom + 1))
        fi
    done < "$W/fp.txt"
    printf '| %s | %s | %s | %s | %s | %s | %.1f |\n' "$1" "$auc" "$fp" "$known" "$dom" "$fn" "$3"
}
sed -n 's/^[^#][^@]*@/@/p' "$W/contacts.txt" | sort -u > "$W/domains.txt"

echo "contacts: $n addresses from the senders of the train split's ham"
echo
echo "| model | (1-AUC)% | ham FP | ... from a listed sender | ... from a listed domain | spam missed | train s |"
echo "|---|---|---|---|---|---|---|"
row "without contacts" "$W/plain.slr" "$(echo "$t1 - $t0" | bc)"
row "train --contacts" "$W/contacts.slr" "$(echo "$t2 - $t1" | bc)"
echo
"$CLI" inspect "$W/contacts.slr" --word sender:contact --word sender:contact-domain \
    --word sender:unknown --word reply-to:not-contact --format tsv 2>/dev/null |
    awk -F'\t' '{ printf "  %-24s %s\n", $1, $2 }'
# how many test messages of each class have a listed sender
awk -v d="$SA/" '{ print $1, d $2 }' "$SA/test.idx" > "$W/test.lst"
ks=0 kh=0
while read -r lab f; do
    s=$("$CLI" contacts -q --ham "$f" -o - 2>/dev/null | grep -av '^#' | head -1)
    [ -n "$s" ] && grep -aqxF "$s" "$W/contacts.txt" || continue
    if [ "$lab" = spam ]; then ks=$((ks + 1)); else kh=$((kh + 1)); fi
done < "$W/test.lst"
echo "test messages from a listed sender: $kh ham, $ks spam"
