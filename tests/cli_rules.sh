#!/bin/sh
# tests/cli_rules.sh - the rules every command shares: INPUT (a positional
# FILE of label<TAB>text lines for predict as for train and eval), -m for
# inspect, --format json (one document) and jsonl, JSON types, runtime
# errors naming the subcommand, --help within 80 columns, the range
# messages of -c and --tol, and the progress line (only on a terminal).
#
#   sh tests/cli_rules.sh build/spamlr      (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup cli_rules.sh "${1:?usage: sh tests/cli_rules.sh path/to/spamlr}" python3
TRAIN=$ROOT/data/corpus.tsv
TEST=$ROOT/data/corpus-test.tsv
M=$T/m.slr
"$BIN" train -q -o "$M" "$TRAIN" || { echo "cli_rules.sh: cannot train" >&2; exit 1; }

check "predict reads a positional .tsv as train and eval do: label<TAB>text lines"
n=$(grep -c . "$TEST")
run predict -m "$M" "$TEST"
expect_rc 0
[ "$(wc -l < "$T/out")" = "$n" ] || fail "$(wc -l < "$T/out") lines for $n messages"
cut -f4 "$T/out" | grep -qv '^\(spam\|ham\)$' && fail "true labels missing"
run predict -m "$M" --lines "$TEST"
cp "$T/out" "$T/lines.out"
run predict -m "$M" "$TEST"
cmp -s "$T/out" "$T/lines.out" || fail "a .tsv is read otherwise than with --lines"
gzip -c "$TEST" > "$T/t.tsv.gz"; head -5 "$TEST" | tr '\t' , > "$T/t.csv"
run predict -m "$M" "$T/t.tsv.gz" "$T/t.csv"
[ "$(wc -l < "$T/out")" = $((n + 5)) ] || fail ".tsv.gz and .csv not read as lines"

check "predict still takes plain paths of unlabelled messages"
mkdir "$T/mail"
printf 'Subject: free prize\n\nclaim your free prize now\n' > "$T/mail/a.eml"
printf 'spam\tlooks like a line but is a message\n' > "$T/mail/b.txt"
run predict -m "$M" "$T/mail/b.txt" "$T/mail"
expect_rc 0
[ "$(wc -l < "$T/out")" = 3 ] || fail "expected 3 messages (a file, a directory of 2)"
grep -q '	' "$T/out" && [ "$(cut -f3 "$T/out" | head -1)" = "$T/mail/b.txt" ] ||
    fail "a plain path is not one message"
run_in "$T/mail/a.eml" predict -m "$M" -
[ "$(wc -l < "$T/out")" = 1 ] || fail "'-' is not one message"

check "predict --format json is one document, jsonl one object a line"
run predict -m "$M" --format json "$TEST"
expect_rc 0
json_check "$T/out" "isinstance(d, list) and len(d) == $n and all(set(o) >= {'id','label','probability','score','true_label'} for o in d)"
cp "$T/out" "$T/p.json"
run predict -m "$M" --format jsonl "$TEST"
[ "$(wc -l < "$T/out")" = "$n" ] || fail "jsonl: not one line per message"
python3 -c 'import json,sys
a = json.load(open(sys.argv[1])); b = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(a != b)' "$T/p.json" "$T/out" || fail "json and jsonl disagree"
printf '' > "$T/empty.tsv"
run predict -m "$M" --format json "$T/empty.tsv"
json_check "$T/out" "d == []"

check "inspect takes -m MODEL as well as MODEL"
run inspect "$M" --format json
cp "$T/out" "$T/i1.json"
run inspect -m "$M" --format json
expect_rc 0
python3 -c 'import json,sys
a, b = (json.load(open(p)) for p in sys.argv[1:3]); a.pop("model"); b.pop("model")
sys.exit(a != b)' "$T/i1.json" "$T/out" || fail "inspect -m and inspect MODEL differ"
run inspect -m "$M" "$M"
expect_rc 2

check "JSON types: booleans are booleans"
json_check "$T/i1.json" 'all(isinstance(d["text"][k], bool) for k in ("mime", "normalize", "cjk_bigrams")) and isinstance(d["has_bias"], bool)'

check "runtime errors name the subcommand, as usage errors do"
for c in predict eval explain; do
    run $c -m "$T/nosuch.slr" "$TEST"
    expect_rc 1
    expect_err "^spamlr $c: .*nosuch\\.slr: cannot open"
done
run inspect "$T/nosuch.slr"; expect_rc 1; expect_err '^spamlr inspect: '
run train -q -o "$T/x.slr" "$T/nosuch.tsv"; expect_rc 1; expect_err '^spamlr train: .*nosuch\.tsv'
run predict -m "$M" --bogus; expect_rc 2; expect_err "^spamlr predict: unknown option"

check "every --help fits in 80 columns"
for c in "" train predict eval inspect explain prune import curve learn filter serve; do
    $WRAP "$BIN" $c --help > "$T/help" 2>&1 || fail "spamlr $c --help failed"
    python3 -c 'import sys
bad = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if len(l.expandtabs()) > 80]
if bad: print(bad[0]); sys.exit(1)' "$T/help" || fail "spamlr $c --help has a line over 80 columns"
done

check "-c and --tol: one range message for 0, negatives and subnormals"
for cmd in "train -q -o $T/x.slr" "curve -q --test $TEST --train"; do
    for opt in -c --tol; do
        for v in 0 -1 1e-320; do
            run $cmd "$TRAIN" $opt $v
            expect_rc 2
            expect_err "option '$opt': $v is out of range: it must be > 0"
        done
    done
done

# ------------------------------------------------------------- progress

check "progress: one refreshed line on a terminal, nothing in a pipe, none with -q"
mkdir "$T/many"
i=0; while [ $i -lt 200 ]; do printf 'Subject: offer %d\n\nfree money %d\n' $i $i > "$T/many/$i.eml"; i=$((i + 1)); done
PTY="python3 $ROOT/tests/pty_run.py"
export SPAMLR_PROGRESS_DELAY=0   # draw at once: this work is short
$PTY "$T/tty" $WRAP "$BIN" train -o "$T/p.slr" --spam "$T/many" "$TRAIN" >/dev/null ||
    fail "train on a terminal failed"
tr '\r' '\n' < "$T/tty" > "$T/tty.lines"
grep -q '^spamlr train: reading: [0-9]* messages*, [0-9.]* MB' "$T/tty.lines" ||
    fail "no reading progress on the terminal: $(head -c 300 "$T/tty" | cat -v)"
grep -q '^spamlr train: choosing C: [0-9]* tried, C=' "$T/tty.lines" || fail "no progress of the C path"
grep -q "$(printf '\033')\\[K" "$T/tty" || fail "the line is not refreshed in place"
grep -q 'spamlr train: [0-9]* examples' "$T/tty.lines" || fail "the report is missing"
run train -o "$T/p2.slr" --spam "$T/many" "$TRAIN"
expect_rc 0
grep -q "$(printf '\r')\|$(printf '\033')\|reading:\|choosing C:" "$T/err" &&
    fail "progress written to a pipe"
for c in "train -q -o $T/p3.slr --spam $T/many $TRAIN" "predict -q -m $M $T/many" \
         "eval -q -m $M $TEST"; do
    $PTY "$T/tty" $WRAP "$BIN" $c >/dev/null || fail "$c on a terminal failed"
    [ -s "$T/tty" ] && fail "$c: -q still wrote to the terminal: $(head -c 200 "$T/tty" | cat -v)"
done
$PTY "$T/tty" $WRAP "$BIN" predict -m "$M" "$T/many" >/dev/null || fail "predict on a terminal failed"
tr '\r' '\n' < "$T/tty" | grep -q '^spamlr predict: reading: ' || fail "no progress for predict"
unset SPAMLR_PROGRESS_DELAY
$PTY "$T/tty" $WRAP "$BIN" predict -m "$M" "$T/many/1.eml" >/dev/null || fail "predict of one mail"
[ -s "$T/tty" ] && fail "work that ends at once drew a progress line"

echo "cli_rules.sh: $checks checks passed"
