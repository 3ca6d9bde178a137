#!/bin/sh
# tests/cli_contacts.sh - contact lists on the command line (issue 14,
# section 1): spamlr contacts from sent mail and ham, train --contacts
# storing the list in the model, inspect --word sender:unknown, explain
# showing the sender: feature, --contacts overriding the stored list on
# predict, explain, filter and eval, learn keeping a list, and errors
# naming the file and line.
#
#   sh tests/cli_contacts.sh build/spamlr          (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup cli_contacts.sh "${1:?usage: sh tests/cli_contacts.sh path/to/spamlr}" grep sed awk cmp cut

mkdir -p "$T/sent" "$T/ham" "$T/spam" "$T/mixed"
printf 'From: Me <me@home.net>\nTo: Ann <Ann+news@Example.org>, bob@corp.example.com\nSubject: hi\n\nhello\n' > "$T/sent/1"
printf 'From: me@home.net\nTo: carol@friends.org\nCc: me@home.net\nSubject: dinner\n\nfriday\n' > "$T/sent/2"
printf 'From: me@home.net\nTo: dave@pals.org\nSubject: x\n\nhi\n' > "$T/mixed/1"
printf 'From: someone@else.org\nTo: eve@evil.biz\nSubject: x\n\nhi\n' > "$T/mixed/2"
i=0
for w in lunch report photos dinner meeting notes agenda trip; do
    i=$((i + 1))
    case $i in 1|3|5) f=ann@example.org ;; 2|6) f=bob@corp.example.com ;; *) f=carol@friends.org ;; esac
    printf 'From: %s\nTo: me@home.net\nSubject: %s\n\nthe %s for tomorrow, see you\n' "$f" $w $w > "$T/ham/$i"
    printf 'From: win%d@prize%d.biz\nTo: me@home.net\nSubject: you won\n\nclaim your prize now %s\n' $i $i $w > "$T/spam/$i"
done

check "contacts: --sent gives To/Cc (not the user), --from-mail needs the user, --ham the senders"
run contacts --sent "$T/sent" -o -
expect_rc 0
expect_out '^ann@example\.org$'
expect_out '^bob@corp\.example\.com$'
expect_out '^carol@friends\.org$'
grep -q 'me@home' "$T/out" && fail "the user's own address is listed"
run contacts --me me@home.net --from-mail "$T/mixed" -o -
expect_rc 0
expect_out '^dave@pals\.org$'
grep -q 'eve@evil' "$T/out" && fail "a mail not from the user gave contacts"
run contacts --from-mail "$T/mixed" -o -
expect_rc 2
expect_err 'needs the user'
run contacts --ham "$T/ham" -o "$T/c.txt"
expect_rc 0
[ "$(grep -vc '^#' "$T/c.txt")" = 3 ] || fail "expected the 3 ham senders: $(cat "$T/c.txt")"

check "contacts: a broken list names its file and line"
printf 'ann@example.org\n# fine\nnot an address\n' > "$T/bad.txt"
run contacts --add "$T/bad.txt" -o -
expect_rc 1
expect_err 'bad\.txt:3:'
run train --contacts "$T/bad.txt" --spam "$T/spam" --ham "$T/ham" -o "$T/x.slr"
expect_rc 1
expect_err 'bad\.txt:3:.*not an address'
[ -e "$T/x.slr" ] && fail "a model was written"

check "train --contacts: the list is stored, the features learned and shown"
run train -q -c 10 --contacts "$T/c.txt" --spam "$T/spam" --ham "$T/ham" -o "$T/m.slr"
expect_rc 0
run inspect "$T/m.slr" --word sender:unknown --word sender:contact --format tsv
expect_rc 0
w=$(awk -F'\t' '$1 == "sender:unknown" { print $2 }' "$T/out")
case $w in ""|-*|0) fail "sender:unknown weight '$w', expected > 0" ;; esac
w=$(awk -F'\t' '$1 == "sender:contact" { print $2 }' "$T/out")
case $w in -*) ;; *) fail "sender:contact weight '$w', expected < 0" ;; esac
run inspect "$T/m.slr" --dump
expect_out '^contact=ann@example\.org$'
printf 'From: Ann <ann@example.org>\nSubject: hello\n\nnow\n' > "$T/known.eml"
printf 'From: ann@unknown.example\nSubject: hello\n\nnow\n' > "$T/stranger.eml"
run explain -m "$T/m.slr" "$T/known.eml"
expect_rc 0
expect_out '"sender:contact"'

check "predict/explain/filter/eval use the stored list; --contacts overrides it"
run predict -m "$T/m.slr" "$T/known.eml"
p_known=$(cut -f2 "$T/out")
run predict -m "$T/m.slr" "$T/stranger.eml"
p_str=$(cut -f2 "$T/out")
awk -v a="$p_known" -v b="$p_str" 'BEGIN { exit !(a < b) }' || fail "known $p_known not below stranger $p_str"
printf '# nobody\n' > "$T/empty.txt"
run predict -m "$T/m.slr" --contacts "$T/empty.txt" "$T/known.eml"
expect_rc 0
p_over=$(cut -f2 "$T/out")
awk -v a="$p_known" -v b="$p_over" 'BEGIN { exit !(a < b) }' || fail "with an empty list ann still counts as known: $p_over"
run explain -m "$T/m.slr" --contacts "$T/empty.txt" "$T/known.eml"
expect_out '"sender:unknown"'
run_in "$T/known.eml" filter -m "$T/m.slr" --contacts "$T/empty.txt"
expect_rc 0
run eval -m "$T/m.slr" --format json --spam "$T/spam" --ham "$T/ham"
expect_rc 0
json_check "$T/out" 'd["n"] == 16'
run eval -m "$T/m.slr" --contacts "$T/bad.txt" --spam "$T/spam" --ham "$T/ham"
expect_rc 1
expect_err 'bad\.txt:3:'
# the override is for the run: the file still holds its list
run inspect "$T/m.slr" --dump
expect_out '^contact=ann@example\.org$'

check "learn keeps the model's list; import of a dump keeps it"
cp "$T/m.slr" "$T/l.slr"
run learn -q -m "$T/l.slr" --spam "$T/stranger.eml"
expect_rc 0
run inspect "$T/l.slr" --dump
expect_out '^contact=ann@example\.org$'
cp "$T/out" "$T/dump.txt"
run import "$T/dump.txt" -o "$T/i.slr"
expect_rc 0
run predict -m "$T/l.slr" "$T/known.eml" "$T/stranger.eml"
cp "$T/out" "$T/p1"
run predict -m "$T/i.slr" "$T/known.eml" "$T/stranger.eml"
cmp -s "$T/out" "$T/p1" || fail "the imported model predicts differently"

echo "cli_contacts.sh: all $checks checks passed"
