#!/bin/sh
# tests/cli_mail.sh - spamlr filter in mail setups (issue 19): the exit
# status modes, the mail copied out on every error path, X-Spam-Words in
# verdict order, --header-prefix, the unsure zone, the default model
# location, and the README's procmail and maildrop recipes run by the real
# programs on a spam and a ham (skipped with a message when procmail or
# maildrop is not installed).
#
#   sh tests/cli_mail.sh build/spamlr          (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup cli_mail.sh "${1:?usage: sh tests/cli_mail.sh path/to/spamlr}" awk cmp grep sed head

CORPUS=$ROOT/data/corpus.tsv
[ -f "$CORPUS" ] || { echo "cli_mail.sh: $CORPUS missing" >&2; exit 1; }
M=$T/model.slr
"$BIN" train -q -o "$M" "$CORPUS" || { echo "cli_mail.sh: training failed" >&2; exit 1; }

printf 'From: winner@example.net\nTo: you@example.com\nSubject: free prize\n\nclaim your free prize now, cheap pills, you are a winner\n' > "$T/spam.eml"
printf 'From: bob@example.com\nTo: you@example.com\nSubject: meeting tomorrow\n\nsee you at the meeting about the project report\n' > "$T/ham.eml"

# field FILE NAME: the value of the first header field NAME in FILE
field() { sed -n "/^\$/q; s/^$2: //p" "$1" | head -1; }

# ------------------------------------------------------------- exit status
check "filter: passthrough by default (exit 0 for spam and ham), -e the same"
for opt in "" -e --passthrough; do
    for c in spam ham; do
        run_in "$T/$c.eml" filter -m "$M" $opt
        expect_rc 0
    done
done
run_in "$T/spam.eml" filter -m "$M"
[ "$(field "$T/out" X-Spam-Flag)" = YES ] || fail "the spam is not flagged YES"
run_in "$T/ham.eml" filter -m "$M"
[ "$(field "$T/out" X-Spam-Flag)" = NO ] || fail "the ham is not flagged NO"

check "filter --exit-verdict: 0 spam, 1 ham"
run_in "$T/spam.eml" filter -m "$M" --exit-verdict
expect_rc 0
run_in "$T/ham.eml" filter -m "$M" --exit-verdict
expect_rc 1
run_in "$T/ham.eml" filter -m "$M" --exit-verdict -e
expect_rc 0

# ------------------------------------------------------ errors pass the mail
check "filter: every error copies the mail out unchanged, exit 2"
printf 'not a model at all\n' > "$T/corrupt.slr"
for args in "-m $M --threshold 2" "-m $M --bogus" "-m $M extra-argument" \
    "-m $M --words 99" "-m $M --header-prefix X:Y" "-m $M --threshold 0.5 --ham-cutoff 0.1 --spam-cutoff 0.9" \
    "-m $M --ham-cutoff 0.9 --spam-cutoff 0.1" "-m $M --ham-cutoff 0.1" \
    "-m $T/missing.slr" "-m $T/corrupt.slr" "-m $T"; do
    # shellcheck disable=SC2086
    run_in "$T/spam.eml" filter $args
    expect_rc 2
    cmp -s "$T/out" "$T/spam.eml" || fail "filter $args: the mail was not copied out unchanged"
    [ -s "$T/err" ] || fail "filter $args: no message"
done
# no model anywhere: no -m, no SPAMLR_MODEL, no HOME
(unset SPAMLR_MODEL HOME; "$BIN" filter < "$T/spam.eml" > "$T/out" 2> "$T/err"; echo $? > "$T/rc")
[ "$(cat "$T/rc")" = 2 ] || fail "no model anywhere: exit $(cat "$T/rc")"
cmp -s "$T/out" "$T/spam.eml" || fail "no model anywhere: the mail was not copied out"
expect_err 'SPAMLR_MODEL nor HOME'

check "filter: an empty input gives an empty output"
: > "$T/empty"
run_in "$T/empty" filter -m "$M"
expect_rc 0
[ -s "$T/out" ] && fail "empty input, $(wc -c < "$T/out") bytes out"
run_in "$T/empty" filter -m "$M" --exit-verdict
expect_rc 1

# --------------------------------------------------------------- the words
# signs FILE: the signs of X-Spam-Words' items, '|' between the groups
signs() { field "$1" X-Spam-Words | awk '{ for (i = 1; i <= NF; i++) {
    if ($i == "|") { printf "|"; continue }
    n = split($i, a, "="); printf "%s", substr(a[n], 1, 1) } }'; }

check "X-Spam-Words: the words for the verdict first, then those against"
# a spam that also holds the corpus's most ham-like word ("the"): the
# largest |contribution| is against the verdict
printf 'From: winner@example.net\nSubject: free prize\n\nthe the the claim your free prize now, cheap pills, winner\n' > "$T/mixed.eml"
run_in "$T/mixed.eml" filter -m "$M" --words 8
[ "$(field "$T/out" X-Spam-Flag)" = YES ] || fail "the mixed mail is not spam"
s=$(signs "$T/out")
echo "$s" | grep -Eq '^\++(\|-+)?$' || fail "spam: words not spam-ward first then ham-ward: $s ($(field "$T/out" X-Spam-Words))"
echo "$s" | grep -q '|-' || fail "the ham-ward word 'the' is not listed after the bar: $(field "$T/out" X-Spam-Words)"
field "$T/out" X-Spam-Words | grep -q '| the=-' || fail "'the' is not the first word against: $(field "$T/out" X-Spam-Words)"
run_in "$T/ham.eml" filter -m "$M" --words 16
s=$(signs "$T/out")
echo "$s" | grep -Eq '^-+(\|\++)?$' || fail "ham: words not ham-ward first: $s"
run_in "$T/spam.eml" filter -m "$M" --words 3
[ "$(signs "$T/out" | tr -d '|')" = "+++" ] || fail "--words 3 on a spam: $(signs "$T/out")"
run_in "$T/spam.eml" filter -m "$M" --words 0
[ "$(field "$T/out" X-Spam-Words)" = "" ] || grep -q '^X-Spam-Words:$' "$T/out" ||
    fail "--words 0 lists words"

# ------------------------------------------------------------ header prefix
check "--header-prefix X-Spamlr-: our fields renamed, only that prefix's incoming fields renamed"
printf 'From: a@example.com\nX-Spam-Flag: NO\nX-Spamlr-Flag: NO\nSubject: free prize\n\nclaim your free prize now\n' > "$T/up.eml"
run_in "$T/up.eml" filter -m "$M" --header-prefix X-Spamlr-
expect_rc 0
[ "$(field "$T/out" X-Spamlr-Flag)" = YES ] || fail "no X-Spamlr-Flag: YES first"
[ "$(field "$T/out" X-Spamlr-Prev-Flag)" = NO ] || fail "incoming X-Spamlr-Flag not renamed"
[ "$(field "$T/out" X-Spam-Flag)" = NO ] || fail "the upstream X-Spam-Flag was touched"
grep -q '^X-Spamlr-Probability: ' "$T/out" && grep -q '^X-Spamlr-Words:' "$T/out" ||
    fail "not every field has the prefix"

# -------------------------------------------------------------- unsure zone
check "unsure zone from the command line: X-Spam-Flag UNSURE, --exit-verdict 3"
run_in "$T/ham.eml" filter -m "$M" --ham-cutoff 0 --spam-cutoff 1
expect_rc 0
[ "$(field "$T/out" X-Spam-Flag)" = UNSURE ] || fail "not UNSURE between cutoffs 0 and 1"
run_in "$T/ham.eml" filter -m "$M" --ham-cutoff 0 --spam-cutoff 1 --exit-verdict
expect_rc 3
run_in "$T/spam.eml" filter -m "$M" --ham-cutoff 0.1 --spam-cutoff 0.2 --exit-verdict
expect_rc 0
run_in "$T/ham.eml" filter -m "$M" --ham-cutoff 0.1 --spam-cutoff 0.2 --exit-verdict
expect_rc 1

check "unsure zone in the model: eval --target-fpr --target-fnr --save-threshold, used by filter"
# a model trained with a small C, so that the classes overlap a little;
# chosen on the 312 ham and 224 spam of both corpus files (at least 3/X
# of each class are needed)
"$BIN" train -q -c 0.3 -o "$T/zone.slr" "$CORPUS" || fail "cannot train"
run eval -m "$T/zone.slr" --format json --target-fpr 0.01 --target-fnr 0.015 --save-threshold \
    "$CORPUS" "$ROOT/data/corpus-test.tsv"
expect_rc 0
jget() { grep -o "\"$2\":[^,}]*" "$1" | head -1 | sed 's/^[^:]*://'; }
lo=$(jget "$T/out" ham_cutoff)
hi=$(jget "$T/out" threshold_for_target_fpr)
[ -n "$lo" ] && [ -n "$hi" ] && awk "BEGIN { exit !($lo < $hi) }" ||
    fail "no unsure zone chosen on corpus-test.tsv ($lo, $hi)"
run inspect "$T/zone.slr" --format json
[ "$(jget "$T/out" ham_cutoff)" = "$lo" ] && [ "$(jget "$T/out" spam_cutoff)" = "$hi" ] ||
    fail "inspect does not show the saved zone [$lo, $hi): $(jget "$T/out" ham_cutoff) $(jget "$T/out" spam_cutoff)"
# the zone survives inspect --dump and import
run inspect --dump "$T/zone.slr"
cp "$T/out" "$T/zone.dump"
run import "$T/zone.dump" -o "$T/zone2.slr"
expect_rc 0
run inspect "$T/zone2.slr" --format json
[ "$(jget "$T/out" ham_cutoff)" = "$lo" ] && [ "$(jget "$T/out" spam_cutoff)" = "$hi" ] ||
    fail "dump/import lost the zone [$lo, $hi): $(jget "$T/out" ham_cutoff) $(jget "$T/out" spam_cutoff)"
# every line of the test set as a mail: the flag follows the saved cutoffs
unsure=0
cut -f2 "$ROOT/data/corpus-test.tsv" | while IFS= read -r text; do
    printf 'Subject: test\n\n%s\n' "$text" > "$T/z.eml"
    "$BIN" filter -m "$T/zone.slr" --exit-verdict < "$T/z.eml" > "$T/out" 2> "$T/err"
    rc=$?
    p=$(field "$T/out" X-Spam-Probability)
    f=$(field "$T/out" X-Spam-Flag)
    want=$(awk "BEGIN { p = $p; if (p >= $hi + 5e-5) print \"YES 0\"; else if (p < $lo - 5e-5) print \"NO 1\";
        else if (p >= $lo + 5e-5 && p < $hi - 5e-5) print \"UNSURE 3\"; else print \"edge\" }")
    [ "$want" = edge ] || [ "$want" = "$f $rc" ] || fail "p=$p in [$lo, $hi): $f (exit $rc), expected $want"
    if [ "$f" = UNSURE ]; then echo unsure; fi
done > "$T/unsure" || exit 1 # (fail ran in the loop's subshell and said why)
[ -s "$T/unsure" ] || fail "no test message fell in the unsure zone [$lo, $hi)"
# too few messages for the targets: refused with the count needed
cp "$M" "$T/few.slr"
run eval -m "$T/few.slr" --target-fpr 0.001 --save-threshold "$ROOT/data/corpus-test.tsv"
expect_rc 1
expect_err 'needs about 3000 ham messages .* has 71'
cmp -s "$T/few.slr" "$M" || fail "a refused --save-threshold changed the model"
run eval -m "$T/few.slr" --target-fpr 0.05 --target-fnr 0.01 --save-threshold "$ROOT/data/corpus-test.tsv"
expect_rc 1
expect_err 'needs about 300 spam messages .* has 49'
run eval -m "$T/few.slr" --target-fpr 0.001 "$ROOT/data/corpus-test.tsv"
expect_rc 0
expect_err 'warning: --target-fpr 0.001 needs about 3000 ham'
# --threshold gives the two-way verdict again
run_in "$T/ham.eml" filter -m "$T/zone.slr" --threshold 0.5
[ "$(field "$T/out" X-Spam-Flag)" = NO ] || fail "--threshold with a zone in the model"

# ------------------------------------------------------------ default model
check "default model: \$SPAMLR_MODEL, else ~/.spamlr/model.slr"
mkdir -p "$T/home"
for cmd in "filter" "predict $T/spam.eml" "explain $T/spam.eml" "eval $CORPUS"; do
    # shellcheck disable=SC2086
    SPAMLR_MODEL=$M HOME=$T/home "$BIN" $cmd < "$T/spam.eml" > "$T/out" 2> "$T/err" ||
        fail "$cmd with SPAMLR_MODEL: exit $?"
    # shellcheck disable=SC2086
    (unset SPAMLR_MODEL; HOME=$T/home "$BIN" $cmd < "$T/spam.eml" > "$T/out" 2> "$T/err")
    rc=$?
    [ $rc = 1 ] || [ $rc = 2 ] || fail "$cmd without a model: exit $rc, not an error"
    grep -q "$T/home/.spamlr/model.slr" "$T/err" || fail "$cmd: the default model is not named"
done
(unset SPAMLR_MODEL; HOME=$T/home "$BIN" learn --spam "$T/spam.eml" > "$T/out" 2> "$T/err")
grep -q -- "--create" "$T/err" || fail "learn on a missing model does not mention --create"
(unset SPAMLR_MODEL; HOME=$T/home "$BIN" learn -q --create --spam "$T/spam.eml" 2> "$T/err") ||
    fail "learn --create on the default model failed: $(cat "$T/err")"
[ -f "$T/home/.spamlr/model.slr" ] || fail "learn --create did not make ~/.spamlr/model.slr"
[ "$(stat -c %a "$T/home/.spamlr")" = 700 ] || fail "~/.spamlr is not mode 700"
cp "$M" "$T/home/.spamlr/model.slr"
(unset SPAMLR_MODEL; HOME=$T/home "$BIN" filter < "$T/spam.eml" > "$T/out" 2> "$T/err") ||
    fail "filter with ~/.spamlr/model.slr failed"
[ "$(field "$T/out" X-Spam-Flag)" = YES ] || fail "filter with the default model: no YES"

# --------------------------------------------------- the README's recipes
# delivered MAILDIR: the spam alone in MAILDIR/.Spam, flagged YES with a
# probability; delivered_ham MAILDIR: the ham alone in the inbox, flagged
# NO (HAM_FILE is then its file)
delivered() {
    set -- "$1"/.Spam/new/*
    [ $# = 1 ] && [ -f "$1" ] || fail "not one mail in Maildir/.Spam/new"
    [ "$(field "$1" X-Spam-Flag)" = YES ] && [ "$(field "$1" Subject)" = "free prize" ] ||
        fail "the spam in .Spam is not the flagged spam"
    field "$1" X-Spam-Probability | grep -q '^[01]\.[0-9]\{4\}$' || fail "no probability on the spam"
}
delivered_ham() {
    set -- "$1"/new/*
    [ $# = 1 ] && [ -f "$1" ] || fail "not one mail in Maildir/new"
    [ "$(field "$1" X-Spam-Flag)" = NO ] && [ "$(field "$1" Subject)" = "meeting tomorrow" ] ||
        fail "the mail in the inbox is not the ham flagged NO"
    HAM_FILE=$1
}
# recipe LANG: the README's code block marked ```LANG
recipe() { awk -v l="\`\`\`$1" '$0 == l { f = 1; next } /^```/ { f = 0 } f' "$ROOT/README.md"; }
BINDIR=$(dirname "$BIN")

check "README procmail recipe: spam to .Spam/, ham to the inbox, fields added"
if command -v procmail >/dev/null 2>&1; then
    H=$T/pm
    mkdir -p "$H/.spamlr"
    cp "$M" "$H/.spamlr/model.slr"
    mkdir -p "$H/Maildir" # procmail delivers into it, but does not make it
    recipe procmail > "$H/.procmailrc"
    [ -s "$H/.procmailrc" ] || fail "no procmail recipe in the README"
    for c in spam ham; do
        procmail -m HOME="$H" PATH="$BINDIR:/usr/bin:/bin" "$H/.procmailrc" < "$T/$c.eml" 2> "$T/err"
        rc=$?
        expect_rc 0
    done
    delivered "$H/Maildir"
    delivered_ham "$H/Maildir"
    # a broken setup (no model): the :0e rule defers (75), nothing delivered
    rm "$H/.spamlr/model.slr"
    procmail -m HOME="$H" PATH="$BINDIR:/usr/bin:/bin" "$H/.procmailrc" < "$T/ham.eml" 2> "$T/err"
    rc=$?
    expect_rc 75
    [ "$(ls "$H/Maildir/new" | wc -l)" = 1 ] || fail "a mail was delivered without a model"
else
    echo "cli_mail.sh: procmail not installed (apt-get install procmail): recipe test skipped"
fi

check "README maildrop recipe: spam to .Spam, ham to the inbox, fields added"
if command -v maildrop >/dev/null 2>&1 && command -v maildirmake >/dev/null 2>&1; then
    H=$T/md
    mkdir -p "$H/.spamlr"
    cp "$M" "$H/.spamlr/model.slr"
    maildirmake "$H/Maildir" && maildirmake "$H/Maildir/.Spam" || fail "maildirmake failed"
    # maildrop takes HOME from the password file and sets its own PATH:
    # the test sets both in front of the recipe
    { echo "HOME=\"$H\""; echo "PATH=\"$BINDIR:/usr/bin:/bin\""; recipe maildrop; } > "$H/.mailfilter"
    chmod 600 "$H/.mailfilter"
    grep -q xfilter "$H/.mailfilter" || fail "no maildrop recipe in the README"
    for c in spam ham; do
        maildrop "$H/.mailfilter" < "$T/$c.eml" 2> "$T/err"
        rc=$?
        expect_rc 0
    done
    delivered "$H/Maildir"
    delivered_ham "$H/Maildir"
    field "$HAM_FILE" X-Spam-Words | grep -q '=-' || fail "no ham-ward words on the ham"
    # the old behaviour (exit 1 for ham) is what made maildrop defer ham
    sed 's/xfilter "spamlr filter"/xfilter "spamlr filter --exit-verdict"/' "$H/.mailfilter" > "$H/.mf2"
    chmod 600 "$H/.mf2"
    maildrop "$H/.mf2" < "$T/ham.eml" 2> "$T/err"
    rc=$?
    expect_rc 75
else
    echo "cli_mail.sh: maildrop not installed (apt-get install maildrop): recipe test skipped"
fi

echo "cli_mail.sh: all $checks checks passed"
