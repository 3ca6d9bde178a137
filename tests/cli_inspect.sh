#!/bin/sh
# tests/cli_inspect.sh - end-to-end checks of the commands that make the
# parameters visible: inspect --grep/--dump, import, explain, prune, curve.
#
#   sh tests/cli_inspect.sh build/spamlr      (from the repository root)
#
# Uses data/corpus.tsv and data/corpus-test.tsv. Stops at the first failed
# check with a message naming it.
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup cli_inspect.sh "${1:?usage: sh tests/cli_inspect.sh path/to/spamlr}" python3
TRAIN=$ROOT/data/corpus.tsv
TEST=$ROOT/data/corpus-test.tsv
[ -f "$TRAIN" ] && [ -f "$TEST" ] || { echo "cli_inspect.sh: data/corpus*.tsv missing" >&2; exit 1; }

M=$T/m.slr
"$BIN" train -q -o "$M" "$TRAIN" || { echo "cli_inspect.sh: cannot train" >&2; exit 1; }

# ------------------------------------------------------------------ help

for c in explain prune import curve; do
    check "$c --help"
    run $c --help
    expect_rc 0
    expect_out "^usage: spamlr $c"
    [ -s "$T/err" ] && fail "$c --help wrote to stderr"
    run --help
    expect_out "^  $c "
done

# --------------------------------------------------------------- inspect

check "inspect shows precision and pruning"
run inspect "$M"
expect_rc 0
expect_out '^weight precision +32-bit float$'
expect_out '^bytes on disk +[0-9]+$'
expect_out '^bytes in memory +[0-9]+$'
grep -q '^pruned from' "$T/out" && fail "an unpruned model says it was pruned"
run inspect "$M" --format json
json_check "$T/out" 'd["weight_bits"] == 32 and d["pruned_from"] == 0'
P=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["parameters"])' "$T/out")

check "inspect --grep"
run inspect "$M" --grep '^(fr|中)' --format tsv
expect_rc 0
[ -s "$T/out" ] || fail "nothing matched"
python3 -c 'import re,sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
assert all(re.search("^(fr|中)", r[0]) for r in rows), rows
w = [float(r[1]) for r in rows]
assert w == sorted(w, reverse=True), w' "$T/out" || fail "--grep rows do not match or are not sorted"
run inspect "$M" --grep 'ee$' --format json
expect_rc 0
json_check "$T/out" 'len(d["grep"]) > 0 and all(w["token"].endswith("ee") for w in d["grep"])'
run inspect "$M" --grep 'ee$'
expect_out '^[0-9]+ words match /ee\$/:'

check "inspect --dump and import give the same file"
run inspect "$M" --dump
expect_rc 0
cp "$T/out" "$T/m.dump"
head -n 1 "$T/m.dump" | grep -qx 'spamlr-dump 1' || fail "dump does not start with its magic line"
grep -qx '\[words\]' "$T/m.dump" || fail "dump has no [words] line"
[ "$(sed -n '/^\[words\]$/,$p' "$T/m.dump" | tail -n +2 | grep -c .)" = "$P" ] || fail "dump does not hold $P words"
run import "$T/m.dump" -o "$T/m2.slr"
expect_rc 0
cmp -s "$M" "$T/m2.slr" || fail "import of the dump differs from the model"
run_in "$T/m.dump" import - -o "$T/m3.slr"
expect_rc 0
cmp -s "$M" "$T/m3.slr" || fail "import from stdin differs"

check "dump -> import is lossless for every solver, before and after learn (issue 16 item 14)"
printf 'Subject: meeting\n\nthe meeting moved to friday, free lunch\n' > "$T/lm.eml"
printf 'Subject: prize\n\nclaim your free prize now\n' > "$T/ls.eml"
for sv in tron lbfgs owlqn adagrad ftrl; do
    "$BIN" train -q --solver $sv -c 1 -o "$T/s-$sv.slr" "$TRAIN" || fail "cannot train with $sv"
    for step in trained learned; do
        if [ $step = learned ]; then
            "$BIN" learn -q -m "$T/s-$sv.slr" --spam "$T/ls.eml" >/dev/null 2>&1 || fail "$sv: learn"
            "$BIN" learn -q -m "$T/s-$sv.slr" --ham "$T/lm.eml" >/dev/null 2>&1 || fail "$sv: learn"
        fi
        run inspect "$T/s-$sv.slr" --dump; expect_rc 0; cp "$T/out" "$T/s.dump"
        if [ $step = learned ] || [ $sv = adagrad ] || [ $sv = ftrl ]; then
            grep -q '^online=' "$T/s.dump" && grep -q '^online_seen_spam=' "$T/s.dump" &&
                grep -qx '\[memory\]' "$T/s.dump" || fail "$sv $step: the online state is not in the dump"
        fi
        run import "$T/s.dump" -o "$T/s-imp.slr"; expect_rc 0
        cmp -s "$T/s-$sv.slr" "$T/s-imp.slr" || fail "$sv $step: the imported model differs from the model"
    done
    # the imported model learns as the original does
    for f in "$T/s-$sv.slr" "$T/s-imp.slr"; do
        "$BIN" learn -q -m "$f" --ham "$T/ls.eml" >/dev/null 2>&1 || fail "$sv: learn"
        "$BIN" inspect "$f" --dump | grep -v '^trained_at=' > "$f.after"
    done
    cmp -s "$T/s-$sv.slr.after" "$T/s-imp.slr.after" || fail "$sv: the imported model learns differently"
done

check "an edited dump changes the model"
awk -F '\t' 'BEGIN { OFS = "\t" } /^\[words\]$/ { w = 1; print; next } w && $1 == "free" { $2 = "7.5" } { print }' \
    "$T/m.dump" >"$T/edited.dump"
run import "$T/edited.dump" -o "$T/edited.slr"
expect_rc 0
run inspect "$T/edited.slr" --word free --format tsv
[ "$(cat "$T/out")" = "$(printf 'free\t7.5')" ] || fail "edited weight not imported: $(cat "$T/out")"

check "import rejects a bad dump naming file and line"
{ head -n 5 "$T/m.dump"; echo 'colour=blue'; } >"$T/bad.dump"
run import "$T/bad.dump" -o "$T/bad.slr"
expect_rc 1
expect_err 'bad\.dump:6: .*colour'
[ -e "$T/bad.slr" ] && fail "a model was written from a bad dump"
run import "$T/no/such.dump" -o "$T/x.slr"
expect_rc 1
expect_err 'no/such\.dump'

# --------------------------------------------------------------- explain

printf 'Subject: win a free prize\n\nclaim your free prize now zzqxunknown qqzxunknown 中奖\n' >"$T/msg.eml"

check "explain: contributions add up to the score predict gives"
run explain -m "$M" --format json "$T/msg.eml"
expect_rc 0
cp "$T/out" "$T/explain.json"
json_check "$T/explain.json" 'abs(d["bias"] + sum(c["contribution"] for c in d["contributions"]) - d["score"]) < 1e-6'
json_check "$T/explain.json" 'd["unknown"] >= 2 and d["known"] + d["unknown"] == d["tokens"] and len(d["contributions"]) == d["distinct_known"]'
json_check "$T/explain.json" 'all(abs(a["contribution"]) >= abs(b["contribution"]) for a, b in zip(d["contributions"], d["contributions"][1:]))'
json_check "$T/explain.json" 'all(abs(c["value"] * c["weight"] - c["contribution"]) < 1e-6 for c in d["contributions"])'
run predict -m "$M" --format jsonl "$T/msg.eml"
expect_rc 0
python3 -c 'import json,sys
e = json.load(open(sys.argv[1])); p = json.loads(open(sys.argv[2]).readline())
sys.exit(0 if abs(e["score"] - p["score"]) < 1e-9 and abs(e["probability"] - p["probability"]) < 1e-9 else 1)' \
    "$T/explain.json" "$T/out" || fail "explain and predict disagree"

check "explain text, --top and stdin"
run explain -m "$M" --top 3 "$T/msg.eml"
expect_rc 0
for k in '^score' '^probability' '^bias' '^tokens .*unknown' 'contribution +weight +value +count +token'; do
    expect_out "$k"
done
[ "$(sed -n '/contribution  *weight/,$p' "$T/out" | tail -n +2 | grep -c .)" = 3 ] || fail "--top 3 did not list 3 tokens"
run_in "$T/msg.eml" explain -m "$M" --format json -
expect_rc 0
json_check "$T/out" "d['score'] == $(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["score"]))' "$T/explain.json")"

# ----------------------------------------------------------------- prune

check "prune --keep keeps exactly the N largest |weights|"
run prune -m "$M" --keep 50 -o "$T/p50.slr"
expect_rc 0
expect_err 'kept 50 of'
run inspect "$T/p50.slr" --format json
json_check "$T/out" "d['parameters'] == 50 and d['pruned_from'] == $P"
run inspect "$M" --format tsv
cp "$T/out" "$T/all.tsv"
run inspect "$T/p50.slr" --format tsv
python3 -c 'import sys
def rows(p):
    return [(l.rstrip("\n").split("\t")[0], float(l.rstrip("\n").split("\t")[1]))
            for l in open(p, encoding="utf-8", errors="surrogateescape")]
allw = rows(sys.argv[1]); kept = rows(sys.argv[2])
best = sorted(allw, key=lambda r: (-abs(r[1]), r[0].encode("utf-8", "surrogateescape")))[:50]
sys.exit(0 if sorted(best) == sorted(kept) else 1)' "$T/all.tsv" "$T/out" || fail "not the 50 largest"
run inspect "$T/p50.slr"
expect_out "^pruned from +$P words$"

check "prune --min-abs"
run prune -q -m "$M" --min-abs 0.5 -o "$T/pmin.slr"
expect_rc 0
run inspect "$T/pmin.slr" --format tsv
want=$(awk -F '\t' '$2 >= 0.5 || $2 <= -0.5' "$T/all.tsv" | grep -c .)
[ "$(grep -c . "$T/out")" = "$want" ] || fail "$(grep -c . "$T/out") words kept, expected $want"
awk -F '\t' '$2 < 0.5 && $2 > -0.5 { exit 1 }' "$T/out" || fail "a small weight survived"

check "16-bit weights: smaller, exact round trip, close predictions"
run prune -q -m "$M" --keep 1000000 --bits 16 -o "$T/m16.slr"
expect_rc 0
run inspect "$T/m16.slr"
expect_out '^weight precision +16-bit'
[ "$(wc -c <"$T/m16.slr")" -lt "$(wc -c <"$M")" ] || fail "16-bit file not smaller"
run inspect "$T/m16.slr" --dump
cp "$T/out" "$T/m16.dump"
grep -q '^weight_bits=16$' "$T/m16.dump" || fail "dump does not say weight_bits=16"
run import "$T/m16.dump" -o "$T/m16b.slr"
expect_rc 0
cmp -s "$T/m16.slr" "$T/m16b.slr" || fail "16-bit dump/import not byte-identical"
run predict -m "$M" --lines "$TEST"
cut -f2 "$T/out" >"$T/p32"
run predict -m "$T/m16.slr" --lines "$TEST"
cut -f2 "$T/out" >"$T/p16"
paste "$T/p32" "$T/p16" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.001) exit 1 }' ||
    fail "16-bit predictions differ by more than 0.001"
run train -q --bits 16 -o "$T/t16.slr" "$TRAIN"
expect_rc 0
run inspect "$T/t16.slr" --format json
json_check "$T/out" 'd["weight_bits"] == 16'

check "mapped layout: the same predictions, explained and inspected alike; dump, import, prune convert it exactly"
run train -q --layout mapped -o "$T/tm.slr" "$TRAIN"
expect_rc 0
run inspect "$T/tm.slr"
expect_out '^file layout +mapped'
run inspect "$M"
expect_out '^file layout +packed'
run inspect "$T/tm.slr" --format json
json_check "$T/out" 'd["layout"] == "mapped"'
# the same model as the packed one trained on the same data (but the
# time it was trained)
run inspect "$M" --dump
grep -v '^trained_at=' "$T/out" >"$T/packed.dump"
run inspect "$T/tm.slr" --dump
grep -q '^layout=mapped$' "$T/out" || fail "the dump does not say layout=mapped"
grep -v '^layout=\|^trained_at=' "$T/out" | cmp -s - "$T/packed.dump" ||
    fail "mapped and packed models differ"
cp "$T/out" "$T/tm.dump"
run import "$T/tm.dump" -o "$T/tm2.slr"
expect_rc 0
cmp -s "$T/tm.slr" "$T/tm2.slr" || fail "mapped dump/import not byte-identical"
run predict -m "$M" --format jsonl --lines "$TEST"
cp "$T/out" "$T/pp"
run predict -m "$T/tm.slr" --format jsonl --lines "$TEST"
cmp -s "$T/out" "$T/pp" || fail "mapped predictions differ from packed ones"
run explain -m "$M" "$T/msg.eml"
cp "$T/out" "$T/ep"
run explain -m "$T/tm.slr" "$T/msg.eml"
cmp -s "$T/out" "$T/ep" || fail "mapped explanation differs"
# prune converts both ways, byte for byte
run prune -q -m "$M" --layout mapped -o "$T/conv.slr"
expect_rc 0
run prune -q -m "$T/conv.slr" --layout packed -o "$T/back.slr"
expect_rc 0
cmp -s "$T/back.slr" "$M" || fail "prune --layout packed of the converted file is not the packed file"
run prune -q -m "$T/tm.slr" --layout packed -o "$T/back2.slr"
run prune -q -m "$T/back2.slr" --layout mapped -o "$T/again.slr"
cmp -s "$T/again.slr" "$T/tm.slr" || fail "mapped -> packed -> mapped is not the same file"
[ "$(wc -c <"$T/tm.slr")" -gt "$(wc -c <"$M")" ] || fail "mapped file not larger"
# a learning model (online state, memory, record, document counts) is
# converted whole: it was once a pruning that dropped its online state
printf 'Subject: prize\n\nwin a free prize now\n' > "$T/s1.eml"
printf 'Subject: cheap\n\ncheap pills free offer\n' > "$T/s2.eml"
printf 'Subject: lunch\n\nlunch at noon tomorrow\n' > "$T/h1.eml"
printf 'Subject: report\n\nplease send the report\n' > "$T/h2.eml"
run learn -q --create --layout packed -m "$T/ol.slr" --spam "$T/s1.eml" "$T/s2.eml"
run learn -q -m "$T/ol.slr" --ham "$T/h1.eml" "$T/h2.eml"
expect_rc 0
run inspect -m "$T/ol.slr" --dump
cp "$T/out" "$T/ol.dump"
grep -q '^online=adagrad$' "$T/ol.dump" && grep -q '^docs=4$' "$T/ol.dump" ||
    fail "the learning model's dump lacks its online state or document counts"
run prune -q -m "$T/ol.slr" --layout mapped -o "$T/olm.slr"
run inspect -m "$T/olm.slr" --dump
grep -v '^layout=' "$T/out" | cmp -s - "$T/ol.dump" ||
    fail "prune --layout mapped of a learning model lost part of it"
run prune -q -m "$T/olm.slr" --layout packed -o "$T/olp.slr"
cmp -s "$T/olp.slr" "$T/ol.slr" || fail "a learning model's conversion back is not its file"
# a model from a FIFO is read as it comes (not mapped), either layout
for mm in "$M" "$T/tm.slr"; do
    rm -f "$T/fifo"
    mkfifo "$T/fifo" || fail "mkfifo"
    cat "$mm" >"$T/fifo" &
    run predict -m "$T/fifo" --format jsonl --lines "$TEST"
    wait
    cmp -s "$T/out" "$T/pp" || fail "a model read from a FIFO predicts otherwise ($mm)"
done
run prune -q -m "$T/tm.slr" --keep 10 -o "$T/tm10.slr"
run inspect "$T/tm10.slr" --format json
json_check "$T/out" 'd["layout"] == "mapped" and d["parameters"] == 10'

# ----------------------------------------------------------------- curve

check "curve: JSON, TSV, text and a well-formed SVG"
run curve -q --train "$TRAIN" --test "$TEST" --format json --svg "$T/curve.svg" --sizes all,50%,100,10
expect_rc 0
json_check "$T/out" "[r['parameters'] for r in d['prune']] == [$P, ($P + 1) // 2, 100, 10]"
json_check "$T/out" 'd["prune"][0]["size"] == "all" and all(0 <= r["auc"] <= 1 and r["bytes"] > 0 for r in d["prune"]) and d["test"]["n"] > 0'
json_check "$T/out" 'all(a["parameters"] > b["parameters"] and a["bytes"] > b["bytes"] for a, b in zip(d["prune"], d["prune"][1:]))'
# the L1 path: sparser as l1 grows (a lasso path may let a word in as
# others leave, so a step may gain a word or two, never 1%), and words at
# 0 are not kept
json_check "$T/out" 'len(d["l1"]) >= 5 and all(r["parameters"] == r["nonzero"] for r in d["l1"]) and all(a["nonzero"] * 1.01 >= b["nonzero"] for a, b in zip(d["l1"], d["l1"][1:])) and d["l1"][0]["nonzero"] > 2 * d["l1"][-3]["nonzero"]'
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/curve.svg" ||
    fail "the SVG is not well-formed XML"
grep -q '<svg' "$T/curve.svg" || fail "no <svg> element"
run curve -q --train "$TRAIN" --test-spam "$ROOT/data/corpus-test.tsv" --test "$TEST" --format tsv --sizes 100
expect_rc 0
head -n 1 "$T/out" | grep -q '^path	size	parameters	nonzero	auc' || fail "no TSV header"
run curve --train "$TRAIN" --test "$TEST" --sizes all,10
expect_rc 0
expect_out '^Pruned to the largest'
expect_out '^L1 path'
expect_err 'training on'

# ---------------------------------------------------------------- errors

check "usage errors exit 2"
for args in "explain" "explain -m $M" "explain -m $M --format xml $T/msg.eml" \
    "explain -m $M --top 0 $T/msg.eml" "explain -m $M a b" \
    "prune -m $M -o $T/x.slr" "prune -m $M --keep 10" "prune --keep 10 -o $T/x.slr" \
    "prune -m $M --keep x -o $T/x.slr" "prune -m $M --keep 10 --bits 8 -o $T/x.slr" \
    "prune -m $M --min-abs -1 -o $T/x.slr" \
    "import" "import $T/m.dump" "import $T/m.dump $T/m.dump -o $T/x.slr" \
    "inspect $M --dump --top 3" "inspect $M --grep (" \
    "curve" "curve --train $TRAIN" "curve --test $TEST" "curve --train $TRAIN --test $TEST --sizes 0" \
    "curve --train $TRAIN --test $TEST --sizes 5x" "curve --train $TRAIN --test $TEST $TEST" \
    "train --bits 8 -o $T/x.slr $TRAIN" "train --layout flat -o $T/x.slr $TRAIN" \
    "prune -m $M --layout flat -o $T/x.slr"; do
    # shellcheck disable=SC2086
    run $args
    [ "$rc" = 2 ] || fail "'spamlr $args': exit $rc, expected 2"
    [ -s "$T/err" ] || fail "'spamlr $args': no message on stderr"
    [ -s "$T/out" ] && fail "'spamlr $args': wrote to stdout"
done
[ -e "$T/x.slr" ] && fail "a usage error wrote a model"

check "runtime errors exit 1 naming the file"
run explain -m "$M" "$T/no/such.eml"
expect_rc 1
expect_err 'no/such\.eml'
run explain -m "$T/no/model.slr" "$T/msg.eml"
expect_rc 1
expect_err 'no/model\.slr'
run prune -m "$T/no/model.slr" --keep 3 -o "$T/x.slr"
expect_rc 1
expect_err 'no/model\.slr'
run prune -q -m "$M" --keep 3 -o "$T/no/dir/x.slr"
expect_rc 1
expect_err 'no/dir/x\.slr'
run curve --train "$TRAIN" --test "$T/no/test.tsv"
expect_rc 1
expect_err 'no/test\.tsv'

# ------------------------------------------------- train --prior, --diff

check "train --prior records its base; inspect shows it; --diff lists changes"
head -n 300 "$TRAIN" > "$T/base.tsv"
tail -n +301 "$TRAIN" > "$T/user.tsv"
run train -q -c 1 -o "$T/base.slr" "$T/base.tsv"
expect_rc 0
run train -q -c 1 --prior "$T/base.slr" -o "$T/user.slr" "$T/user.tsv"
expect_rc 0
run inspect "$T/user.slr" --top 1
expect_rc 0
expect_out '^base model +base\.slr \(crc [0-9a-f]{8}, trained '
run inspect "$T/user.slr" --diff "$T/base.slr" --top 5
expect_rc 0
expect_out '\(is the base the model records: base\.slr'
expect_out 'the 5 largest changes'
run inspect "$T/user.slr" --diff "$T/base.slr" --top 3 --format tsv
expect_rc 0
[ "$(wc -l < "$T/out")" -eq 3 ] || fail "--diff --top 3 --format tsv: not 3 lines"
run inspect "$M" --diff "$T/base.slr" --top 1
expect_rc 0
expect_out 'the model records no base'
run inspect "$T/user.slr" --dump
expect_out '^base_name=base\.slr$'
cp "$T/out" "$T/user.dump"
run import "$T/user.dump" -o "$T/user2.slr"
expect_rc 0
cmp -s "$T/user.slr" "$T/user2.slr" || fail "dump -> import of a --prior model is not byte-identical"
run train -q --solver adagrad --prior "$T/base.slr" -o "$T/x.slr" "$T/user.tsv"
expect_rc 1
expect_err 'batch solver'

echo "cli_inspect.sh: all $checks checks passed"
