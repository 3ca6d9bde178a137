#!/bin/sh
# tests/badinput.sh - the bad-input catalogue of tests/README.md, row by
# row: each kind of bad input, what `spamlr` answers (exit status, the
# shape of the message on stderr) and that nothing is overwritten.
#
#   sh tests/badinput.sh build/spamlr
#
# Exit codes of the CLI: 0 ok, 1 error, 2 usage. Every `train` here writes
# -o over an existing model, which must keep its bytes whenever train fails.
set -u
BIN=${1:?usage: sh tests/badinput.sh path/to/spamlr}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-bad.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' 0
trap 'exit 1' HUP INT TERM
cd "$T" || exit 1
rows=0 skipped=0
row=''

fail() {
    echo "badinput.sh: FAIL [$row]: $*" >&2
    [ -s err ] && sed 's/^/    stderr: /' err | head -5 >&2
    exit 1
}
# case_ NAME: starts a row of the catalogue
case_() { row=$1; rows=$((rows + 1)); }
run() { "$BIN" "$@" >out 2>err; rc=$?; }
expect() {  # expect RC STDERR-REGEX: exit status and one-line message shape
    [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
    if [ -n "$2" ]; then
        grep -Eq -- "$2" err || fail "stderr does not match /$2/"
    fi
    if [ "$1" != 0 ]; then
        [ "$(wc -l < err)" -le 3 ] || fail "more than 3 lines on stderr"
        grep -q 'Sanitizer\|runtime error\|Aborted\|Segmentation' err && fail "crashed"
    fi
    :
}
untouched() { cmp -s old.slr keep.slr || fail "the existing model was changed"; }
no_tmp() { [ "$(ls | grep -c '\.tmp-')" = 0 ] || fail "temporary files left: $(ls | grep '\.tmp-')"; }

printf 'spam\tfree prize now\nham\tlunch at noon\nspam\tcheap pills\nham\tsee you soon\n' > good.tsv
"$BIN" train -q -o keep.slr good.tsv || fail "cannot train the reference model"
cp keep.slr old.slr
train_over() { cp old.slr keep.slr; run train -q -o keep.slr "$@"; }

case_ "invalid UTF-8 in the text is skipped, not an error"
printf 'spam\tfr\377\300ee \355\240\200pri\370ze\nham\tlunch \364\220\200\200 noon\n' > utf8.tsv
run train -q -o u.slr utf8.tsv; expect 0 ''
run inspect u.slr --format tsv --word fr --word ee; expect 0 ''
grep -q "^fr	" out && grep -q "^ee	" out || fail "bytes around invalid UTF-8 not read as words"

case_ "NUL bytes in the text separate words"
printf 'spam\tfree\000prize\nham\tlunch\000\000noon\n' > nul.tsv
run train -q -o n.slr nul.tsv; expect 0 ''
run inspect n.slr --format tsv --word prize; expect 0 ''
grep -q '^prize	' out || fail "word after a NUL was lost"

case_ "NUL bytes and binary garbage as an e-mail message"
head -c 4096 /dev/urandom > garbage.eml 2>/dev/null || dd if=/dev/urandom of=garbage.eml bs=4096 count=1 2>/dev/null
run train -q -o g.slr --spam garbage.eml --ham good.tsv; expect 0 ''

case_ "empty input file"
: > empty.tsv
train_over empty.tsv; expect 1 '^spamlr [a-z]+: no labelled messages'; untouched; no_tmp

case_ "missing label (no TAB) names file and line"
printf 'spam\tx\nham\ty\nfoo bar\n' > nolabel.tsv
train_over good.tsv nolabel.tsv; expect 1 '^spamlr [a-z]+: nolabel\.tsv:3: no TAB between label and text'
untouched; no_tmp

case_ "unknown label names file, line and label"
printf 'spam\tx\nmaybe\ty\n' > unknown.tsv
train_over unknown.tsv; expect 1 '^spamlr [a-z]+: unknown\.tsv:2: unknown label "maybe"'; untouched

case_ "empty label before the TAB"
printf 'spam\tx\n\ty\n' > emptylabel.tsv
train_over emptylabel.tsv; expect 1 '^spamlr [a-z]+: emptylabel\.tsv:2: unknown label ""'; untouched

case_ "CSV with one column names the record's line"
printf 'label,text\nspam,x\nham\n' > onecol.csv
train_over onecol.csv; expect 1 '^spamlr [a-z]+: onecol\.csv:3: only one column'; untouched

case_ "CSV with an unterminated quoted field"
printf 'spam,x\nham,"never closed\nspam,y\n' > unterm.csv
train_over unterm.csv; expect 1 '^spamlr [a-z]+: unterm\.csv:2: unterminated quoted field'; untouched

case_ "CSV with extra columns: they are ignored"
printf 'spam,free prize,extra,columns\nham,"lunch, noon",x\n' > extra.csv
run train -q -o e.slr extra.csv; expect 0 ''
run inspect e.slr --format tsv --word extra; expect 0 ''
grep -q '^extra	' out && fail "an extra column was read as text"

case_ "input file does not exist"
train_over nosuch.tsv; expect 1 '^spamlr [a-z]+: nosuch\.tsv: cannot open: No such file'; untouched

case_ "unreadable input file (permission denied; skipped as root)"
if [ "$(id -u)" = 0 ]; then
    skipped=$((skipped + 1))
else
    cp good.tsv noperm.tsv; chmod 000 noperm.tsv
    train_over noperm.tsv; expect 1 '^spamlr [a-z]+: noperm\.tsv: cannot open: Permission denied'; untouched
fi

case_ "a directory where a lines file is expected"
mkdir adir
train_over adir; expect 1 '^spamlr [a-z]+: adir: is a directory, expected a file'; untouched

case_ "a directory in an index names index line and path"
mkdir -p idx/sub; printf 'spam free\n' > idx/a.eml
printf 'spam a.eml\nham sub/none.eml\n' > idx/list.idx
train_over --index idx/list.idx; expect 1 '^spamlr [a-z]+: idx/list\.idx:2: idx/sub/none\.eml: cannot open'
untouched

case_ "one-class training data"
printf 'spam\tx\nspam\ty\n' > oneclass.tsv
train_over oneclass.tsv; expect 1 '^spamlr [a-z]+: training data holds only one class \(2 spam, 0 ham\)'
untouched

case_ "truncated gzip input"
gzip -c good.tsv > full.tsv.gz
head -c $(( $(wc -c < full.tsv.gz) - 6 )) full.tsv.gz > trunc.tsv.gz
train_over trunc.tsv.gz; expect 1 '^spamlr [a-z]+: trunc\.tsv\.gz: compressed data ends early'; untouched

case_ "a huge line (one 20 MB message) is read, bounded by the file limit"
awk 'BEGIN { printf "spam\t"; for (i = 0; i < 400000; i++) printf "w%d lorem ipsum dolor sit ", i % 50000; printf "\nham\tlunch\n" }' > huge.tsv
run train -q -o h.slr huge.tsv; expect 0 ''
run inspect h.slr --format json; expect 0 ''
grep -q '"parameters": *50006' out || grep -q '"parameters": *5000[0-9]' out || fail "huge line not read whole: $(head -c 200 out)"

case_ "model file that is not a model"
echo "hello, world" > notmodel.slr
run predict -m notmodel.slr good.tsv; expect 1 '^spamlr [a-z]+: notmodel\.slr:byte 0: not a spamlr model file'
[ -s out ] && fail "predict printed results without a model"

case_ "empty model file"
: > empty.slr
run inspect empty.slr; expect 1 '^spamlr [a-z]+: empty\.slr:byte 0: not a spamlr model file'

case_ "truncated model file"
head -c 100 old.slr > short.slr
run inspect short.slr; expect 1 '^spamlr [a-z]+: short\.slr:.*file ends inside the header'

case_ "damaged model file (one byte changed)"
cp old.slr bad.slr
printf '\377' | dd of=bad.slr bs=1 seek=$(( $(wc -c < bad.slr) - 10 )) conv=notrunc 2>/dev/null
run inspect bad.slr; expect 1 '^spamlr [a-z]+: bad\.slr:.*checksum mismatch'

case_ "non-finite value in libsvm input names file and line"
printf '+1 1:0.5 2:1\n-1 1:inf\n' > inf.svm
cp old.slr keep.slr; run train -q --libsvm inf.svm -o keep.slr
expect 1 '^spamlr [a-z]+: inf\.svm:2: non-finite value "inf" for feature 1'; untouched; no_tmp
printf '+1 1:nan\n' > nan.svm
run eval -m old.slr --libsvm nan.svm; expect 1 '^spamlr [a-z]+: nan\.svm:1: non-finite value "nan"'

case_ "bad label in libsvm input names file and line"
printf '+1 1:1\nspam 2:1\n' > lab.svm
cp old.slr keep.slr; run train -q --libsvm lab.svm -o keep.slr
expect 1 '^spamlr [a-z]+: lab\.svm:2: bad label "spam"'; untouched

case_ "model path is a directory"
run predict -m adir good.tsv; expect 1 '^spamlr [a-z]+: adir: is a directory, not a model file'

case_ "model path does not exist"
run eval -m nosuch.slr good.tsv; expect 1 '^spamlr [a-z]+: nosuch\.slr: cannot open: No such file'

case_ "output path is a directory: nothing written, no temporary file"
mkdir outdir.slr
run train -q -o outdir.slr good.tsv; expect 1 '^spamlr [a-z]+: outdir\.slr: is a directory, not a regular file; refusing to replace it'
[ -d outdir.slr ] || fail "the directory was replaced"; no_tmp

case_ "output directory does not exist"
run train -q -o no/such/dir/m.slr good.tsv; expect 1 '^spamlr [a-z]+: no/such/dir/m\.slr: cannot write there: no/such/dir: No such file or directory'

case_ "unknown option is a usage error"
run train --no-such-option -o x.slr good.tsv; expect 2 "unknown option '--no-such-option'"
[ -e x.slr ] && fail "a model was written"

case_ "missing -o is a usage error"
run train good.tsv; expect 2 ''

case_ "one-class test data: ROC AUC undefined, not 0 (text, JSON null, a warning); curve refuses"
printf 'spam\tfree prize\nspam\tcheap pills\n' > oneclass.tsv
run eval -m old.slr oneclass.tsv; expect 0 '^spamlr [a-z]+: warning: the data hold only spam \(2 messages\): ROC AUC is undefined'
grep -q '^ROC AUC  *undefined (one class)$' out && grep -q '^(1-AUC)%  *undefined' out || fail "AUC not said undefined"
run eval -m old.slr --format json oneclass.tsv; expect 0 'undefined'
python3 -c 'import json,sys; d=json.load(open("out")); assert d["auc"] is None and d["one_minus_auc_pct"] is None, d' ||
    fail "JSON auc is not null"
run curve --train good.tsv --test oneclass.tsv; expect 1 '^spamlr [a-z]+: the test set holds only spam \(2 messages\): ROC AUC.*undefined'

case_ "control characters and invalid UTF-8 in a model's tokens are escaped by inspect"
"$BIN" inspect old.slr --dump > hostile.dump
idf=''; grep -q '^features=tfidf' hostile.dump && idf='\t1'
printf "evil\\\\x1b[2Jclear\t5$idf\nline\\\\nbreak\t-4$idf\nbad\\\\xffbyte\t3$idf\nc1\\\\xc2\\\\x9bcsi\t2$idf\n" >> hostile.dump
run import hostile.dump -o hostile.slr; expect 0 ''
for fmt in text tsv; do
    run inspect hostile.slr --format "$fmt" --top 10; expect 0 ''
    LC_ALL=C grep -q "$(printf '[\033\377\233]')" out && fail "$fmt: raw control bytes or invalid UTF-8 in the output"
    grep -qF 'evil\x1b[2Jclear' out && grep -qF 'line\nbreak' out && grep -qF 'bad\xffbyte' out &&
        grep -qF 'c1\xc2\x9bcsi' out || fail "$fmt: tokens not escaped as --dump escapes them"
done
[ "$(grep -c '	' out)" = "$(wc -l < out)" ] || fail "a TSV record was broken by a token"

case_ "explain reads what predict reads: a gzip-compressed message is explained decompressed"
printf 'Subject: free prize\n\nclaim your cheap pills now\n' > msg.eml
gzip -c msg.eml > msg.eml.gz
run explain -m old.slr --format json msg.eml; expect 0 ''; sed 's/"file":"[^"]*"//' out > plain.json
run explain -m old.slr --format json msg.eml.gz; expect 0 ''; cp out gz.raw; sed 's/"file":"[^"]*"//' out > gz.json
cmp -s plain.json gz.json || fail "explain scores the gzip bytes, not the message"
run explain -m old.slr --format json - < msg.eml.gz; expect 0 ''
sed 's/"file":"[^"]*"//' out | cmp -s - plain.json || fail "explain - does not gunzip standard input"
run predict -m old.slr --format jsonl msg.eml.gz; expect 0 ''
python3 -c 'import json; a=json.load(open("gz.raw")); b=[json.loads(l) for l in open("out")][0]
assert abs(a["probability"]-b["probability"])<1e-6, (a, b)' || fail "explain and predict disagree"
run explain -m old.slr missing.eml; expect 1 '^spamlr [a-z]+: missing\.eml: cannot open: No such file'

case_ "a gzip bomb stops at the input limit, in every reader"
# 64 MiB of zeros in 64 KiB; SPAMLR_MAX_INPUT lowers the 4 GiB limit to 1 MB
head -c 67108864 /dev/zero | gzip -1 > bomb.gz
{ printf 'spam\t'; head -c 67108864 /dev/zero | tr '\0' a; } | gzip -1 > bomb.tsv.gz
{ printf 'spamlr-dump 1\n#'; head -c 67108864 /dev/zero | tr '\0' a; } | gzip -1 > bomb.dump.gz
lim='larger than the 1000000-byte limit for one input file'
for args in "explain -m old.slr bomb.gz" "predict -m old.slr bomb.gz" "train -q -o keep.slr --spam bomb.gz --ham good.tsv" \
            "train -q -o keep.slr bomb.tsv.gz" "import bomb.dump.gz -o imp.slr"; do
    cp old.slr keep.slr
    # shellcheck disable=SC2086
    SPAMLR_MAX_INPUT=1000000 run $args; expect 1 "^spamlr [a-z]+: bomb[.a-z]*\\.gz: $lim"
    untouched; no_tmp
done
SPAMLR_MAX_INPUT=1000000 run explain -m old.slr - < bomb.gz; expect 1 "$lim"
[ -e imp.slr ] && fail "import wrote a model from a bomb"
head -c 1000001 /dev/zero > big.eml
SPAMLR_MAX_INPUT=1000000 run predict -m old.slr big.eml; expect 1 "^spamlr [a-z]+: big\\.eml: $lim"
head -c 1000000 /dev/zero > fits.eml
SPAMLR_MAX_INPUT=1000000 run predict -m old.slr fits.eml; expect 0 ''
{ printf '1 '; head -c 2000000 /dev/zero | tr '\0' ' '; printf '1:1\n0 2:1\n'; } > longline.svm
SPAMLR_MAX_INPUT=1000000 run train -q -o keep.slr --format libsvm longline.svm
expect 1 '^spamlr [a-z]+: longline\.svm:1: a line longer than the 1000000-byte limit'

case_ "option values out of range name the option and the range (usage error 2)"
run train -q --max-token-len 1025 -o x.slr good.tsv
expect 2 "^spamlr train: option '--max-token-len': 1025 is out of range \[1, 1024\]"
run train -q --max-token-len 1024 -o x.slr good.tsv; expect 0 ''
for c in 1e-320 0 -1 1e13 inf; do
    run train -q -c "$c" -o x.slr good.tsv
    expect 2 "^spamlr train: option '-c': $c is out of range: it must be > 0 \(at least 2\.23e-308\) and at most 1e\+12$"
done
run train -q -c nan -o x.slr good.tsv; expect 2 "option '-c': 'nan' is not a number"
run curve --train good.tsv --test good.tsv -c 0; expect 2 "option '-c': 0 is out of range: it must be > 0"
[ -e x.slr ] && rm -f x.slr

case_ "a --min-count that removes every word is said, not silent"
run train -q --min-count 1000 -o x.slr good.tsv
expect 0 '^spamlr [a-z]+: warning: the model holds no words: no word of the [0-9]+ in the training data appears in at least 1000 messages \(--min-count\)'

case_ "options the chosen solver ignores are said to be ignored"
run train -q --epochs 3 -o x.slr good.tsv
expect 0 '^spamlr [a-z]+: warning: --epochs applies only to the online solvers .*; ignored with tron$'
run train -q --solver lbfgs --epochs 3 --eta 0.5 -o x.slr good.tsv
expect 0 '^spamlr [a-z]+: warning: --epochs and --eta apply only to the online solvers .*; ignored with lbfgs$'
run train -q --solver ftrl --max-iter 5 -o x.slr good.tsv
expect 0 '^spamlr [a-z]+: warning: --max-iter applies only to the batch solvers .*; ignored with ftrl$'
run train -q --solver adagrad --epochs 2 -o x.slr good.tsv; expect 0 ''
grep -q "applies only\|apply only" err && fail "a warning for an option the solver uses"
run eval --online -m old.slr --solver ftrl good.tsv
expect 0 '^spamlr [a-z]+: warning: --solver applies only to --online without -m .*; ignored with -m'
run eval -m old.slr --eta 1 good.tsv
expect 0 '^spamlr [a-z]+: warning: --eta applies only to --online without -m .*; ignored without --online'
run eval --online --solver ftrl good.tsv; expect 0 ''
grep -q "applies only" err && fail "a warning for --solver with --online and no -m"

echo "badinput.sh: $rows rows passed${skipped:+ ($skipped skipped)}"
