#!/bin/sh
# quality.sh - `make accuracy` (also the end of `make bench`): spamlr's
# defaults, and each single change from them, against the peers a user
# would pick instead (bogofilter, scikit-learn, fastText, and the
# byte-4-gram online filter of tests/bench/bytes4.c), on fixed splits, in
# the same run.
# Prints (1-AUC)%, ham false positives and spam misses at the default
# threshold, and training time; never fails the build.
#   sh tests/bench/quality.sh [build/spamlr [build/bench]]
# Corpora: the SpamAssassin split (data/get-spamassassin.sh) and, when
# present, the SMS Spam Collection (SPAMLR_SMS, default
# ../shared/corpora/sms/SMSSpamCollection), split by the MD5 of each text:
# first hex digit 0-3 = test (1487 messages), the rest train (4087), so a
# text that repeats stays on one side.
set -u
CLI=${1:-build/spamlr}
BB=${2:-$(dirname "$CLI")/bench}
here=$(cd "$(dirname "$0")/../.." && pwd)
SMS=${SPAMLR_SMS:-$here/../shared/corpora/sms/SMSSpamCollection}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# score FILE (lines "label probability"): (1-AUC)%, ham FP, spam missed at 0.5
score() {
    "$PY" - "$1" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
allv = sorted((float(p), y == "spam") for y, p in rows)
npos = sum(1 for _, s in allv if s)
nneg = len(allv) - npos
i, rs = 0, 0.0
while i < len(allv):  # Mann-Whitney, ties counted one half
    j = i
    while j < len(allv) and allv[j][0] == allv[i][0]:
        j += 1
    rs += (i + 1 + j) / 2.0 * sum(1 for k in range(i, j) if allv[k][1])
    i = j
auc = (rs - npos * (npos + 1) / 2.0) / (npos * nneg)
fp = sum(1 for p, s in allv if not s and p >= 0.5)
fn = sum(1 for p, s in allv if s and p < 0.5)
print("%8.3f  %5d  %5d" % ((1 - auc) * 100, fp, fn))
PY
}
# scores_of: predict --format jsonl -> "label probability" lines, the
# probability in full (the TSV's 6 digits tie far from 0.5, and ties move
# the AUC)
scores_of() {
    "$PY" -c 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(d["true_label"], repr(d["probability"]))'
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%7.2f", b - a }'; }
header() {
    printf '\n%-50s %8s  %5s  %5s  %7s\n' "$1" "(1-AUC)%" "hamFP" "spamFN" "train s"
    : > "$W/times"
}
line() { printf '%-50s %s  %s\n' "$1" "$2" "${3:-}"; }
# timed LABEL FIGURES SECONDS: a row with a training time, kept for
# train_ratios (spamlr's defaults and the peers)
timed() {
    line "$@"
    printf '%s|%s\n' "$1" "$3" >> "$W/times"
}
# train_ratios: each peer's training time in this section over spamlr's
# defaults' (whole processes, the same run)
train_ratios() {
    awk -F'|' '/^spamlr defaults/ { if (!b) b = $2 + 0; next }
               { n++; p[n] = $1; t[n] = $2 + 0 }
               END { if (b <= 0 || !n) exit
                     printf "training time, peer / spamlr defaults (%.2f s):", b
                     for (i = 1; i <= n; i++) {
                         sub(/^ +/, "", p[i]); sub(/ *\(.*/, "", p[i])
                         printf "%s %s %.1fx", (i > 1 ? ";" : ""), p[i], t[i] / b }
                     print "" }' "$W/times"
}

# spamlr_row LABEL TRAIN-INPUT TEST-INPUT [TRAIN-OPTIONS...]
# (inputs are one word: "--index=FILE" or a TSV path)
spamlr_row() {
    label=$1 tr=$2 te=$3
    shift 3
    t0=$(now)
    # shellcheck disable=SC2086
    if "$CLI" train -q "$@" -o "$W/m.slr" $(echo "$tr" | sed 's/=/ /') 2>"$W/err"; then
        t1=$(now)
        # shellcheck disable=SC2086
        "$CLI" predict -m "$W/m.slr" --lines --format jsonl $(echo "$te" | sed 's/=/ /') |
            scores_of > "$W/scores"
        case $label in
        "spamlr defaults"*) timed "$label" "$(score "$W/scores")" "$(secs "$t0" "$t1")" ;;
        *) line "$label" "$(score "$W/scores")" "$(secs "$t0" "$t1")" ;;
        esac
    else
        line "$label" "failed: $(head -1 "$W/err")"
    fi
}
# online_row LABEL INPUT [EVAL-OPTIONS...]: test-then-train on the stream
online_row() {
    label=$1 in=$2
    shift 2
    # shellcheck disable=SC2086
    if "$CLI" eval --online --format json "$@" $(echo "$in" | sed 's/=/ /') > "$W/ev" 2>"$W/err"; then
        "$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print("%8.3f  %5d  %5d" % (m["one_minus_auc_pct"], m["fp"], m["fn"]))' "$W/ev" > "$W/row"
        line "$label" "$(cat "$W/row")"
    else
        line "$label" "failed: $(head -1 "$W/err")"
    fi
}
bytes4_row() {  # bytes4_row LABEL FILE [--shuffle SEED]
    label=$1 f=$2
    shift 2
    if [ -x "$BB/bytes4" ] && "$BB/bytes4" "$@" "$f" > "$W/scores" 2>"$W/err"; then
        line "$label" "$(score "$W/scores")"
    else
        line "$label" "skipped: $BB/bytes4 not built (make bench builds it)"
    fi
}
# bootstrap_row LABEL DIR TRAIN.idx TEST.idx FIRST SECOND [NSPAM NHAM
# [CREATE-OPTION]]: the bogofilter bootstrap, `learn` a folder of one class
# then of the other (the first NSPAM spam and NHAM ham of TRAIN.idx, 200
# and 400 unless given), measured on TEST.idx
bootstrap_row() {
    label=$1 dir=$2 tr=$3 te=$4 first=$5 second=$6 ns=${7:-200} nh=${8:-400} copt=${9:-}
    rm -f "$W/boot.slr"
    for c in "$first" "$second"; do
        n=$ns
        [ "$c" = ham ] && n=$nh
        # shellcheck disable=SC2046,SC2086
        "$CLI" learn -q ${first:+--create $copt} -m "$W/boot.slr" --"$c" \
            $(grep "^$c " "$tr" | head -$n | awk -v d="$dir" '{ print d "/" $2 }') 2>"$W/err" ||
            { line "$label" "failed: $(head -1 "$W/err")"; return; }
        first=
    done
    "$CLI" predict -m "$W/boot.slr" --lines --format jsonl --index "$te" | scores_of > "$W/scores"
    line "$label" "$(score "$W/scores")"
}
# The peers' reading of the inputs (scikit-learn, fastText): MODE mail =
# an index of raw mails, decoded by Python's email package (the Subject and
# every text part in its charset), text = a TSV of "label<TAB>text".
cat > "$W/peerdata.py" <<'PY'
import email, email.policy, os
def mail(path):
    msg = email.message_from_binary_file(open(path, "rb"), policy=email.policy.compat32)
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            raw = part.get_payload(decode=True) or b""
            try:
                out.append(raw.decode(part.get_content_charset() or "latin-1", "replace"))
            except LookupError:  # an unknown charset name
                out.append(raw.decode("latin-1"))
    return str(msg.get("Subject") or "") + "\n" + "\n".join(out)
def load(mode, f):
    if mode == "mail":
        rows = [l.split() for l in open(f) if l.strip()]
        d = os.path.dirname(f)
        return [mail(os.path.join(d, p)) for _, p in rows], [y == "spam" for y, _ in rows]
    rows = [l.rstrip("\n").split("\t", 1) for l in open(f, encoding="utf-8") if l.strip()]
    return [t for _, t in rows], [y == "spam" for y, _ in rows]
PY
sklearn_row() {  # sklearn_row LABEL MODE TRAIN TEST (MODE: mail = index files, text = TSV)
    if ! "$PY" -c 'import sklearn' 2>/dev/null; then
        line "$1" "skipped: apt-get install python3-sklearn"
        return
    fi
    t0=$(now)
    PYTHONPATH=$W "$PY" - "$2" "$3" "$4" > "$W/scores" <<'PY'
import sys
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from peerdata import load
mode, tr, te = sys.argv[1:4]
Xtr, ytr = load(mode, tr)
Xte, yte = load(mode, te)
v = CountVectorizer(binary=True)
clf = LogisticRegression(C=1.0, max_iter=2000).fit(v.fit_transform(Xtr), ytr)
for y, p in zip(yte, clf.predict_proba(v.transform(Xte))[:, 1]):
    print("spam" if y else "ham", repr(float(p)))
PY
    t1=$(now)
    timed "$1" "$(score "$W/scores")" "$(secs "$t0" "$t1")"
}
# fasttext_row LABEL MODE TRAIN TEST [OPTIONS...]: fastText's supervised
# classifier on the same decoded text, prepared as its tutorial does
# (punctuation split off, lower-cased), one thread and a fixed seed so
# that a run repeats; "train s" is `fasttext supervised` alone.
fasttext_row() {
    label=$1 mode=$2 tr=$3 te=$4
    shift 4
    if ! command -v fasttext >/dev/null 2>&1; then
        line "$label" "skipped: apt-get install fasttext"
        return
    fi
    PYTHONPATH=$W "$PY" - "$mode" "$tr" "$te" "$W/ft" <<'PY'
import re, sys
from peerdata import load
mode, tr, te, out = sys.argv[1:5]
def prep(t):  # the fastText tutorial's normalisation
    t = re.sub(r"([.!?,'/()])", r" \1 ", t.lower())
    return " ".join(t.split()) or "_"
for f, name in ((tr, "train"), (te, "test")):
    X, y = load(mode, f)
    with open(out + "." + name, "w", encoding="utf-8") as o:
        for t, s in zip(X, y):
            o.write("__label__%s %s\n" % ("spam" if s else "ham", prep(t)))
PY
    t0=$(now)
    if fasttext supervised -input "$W/ft.train" -output "$W/ft" -thread 1 -seed 1 -verbose 0 \
        "$@" > /dev/null 2>"$W/err"; then
        t1=$(now)
        fasttext predict-prob "$W/ft.bin" "$W/ft.test" 2 > "$W/ft.pred"
        # "__label__a p __label__b q" per line: the spam probability, with the true label
        paste -d' ' "$W/ft.test" "$W/ft.pred" | awk '{
            p = 0
            for (i = NF - 3; i <= NF; i += 2) if ($i == "__label__spam") p = $(i + 1)
            print substr($1, 10), p }' > "$W/scores"
        timed "$label" "$(score "$W/scores")" "$(secs "$t0" "$t1")"
    else
        line "$label" "failed: $(head -1 "$W/err")"
    fi
}
# bogofilter_row LABEL DIR TRAIN.idx TEST.idx (paths in the index files relative to DIR)
bogofilter_row() {
    if ! command -v bogofilter >/dev/null 2>&1; then
        line "$1" "skipped: apt-get install bogofilter"
        return
    fi
    t0=$(now)
    (cd "$2" &&
     bogofilter -d "$W/bogo" -s -B $(awk '$1=="spam"{print $2}' "$3") &&
     bogofilter -d "$W/bogo" -n -B $(awk '$1=="ham"{print $2}' "$3")) 2>/dev/null
    t1=$(now)
    (cd "$2" && bogofilter -d "$W/bogo" -T -B $(awk '{print $2}' "$4")) > "$W/bogo.out" 2>/dev/null
    awk 'NR==FNR {lab[$2]=$1; next} {print lab[$1], $3}' "$4" "$W/bogo.out" > "$W/scores"
    rm -rf "$W/bogo"
    timed "$1 $(bogofilter -V 2>&1 | head -1 | awk '{print $3}')" "$(score "$W/scores")" \
        "$(secs "$t0" "$t1")"
}

# spamassassin_rows DIR TRAIN.idx TEST.idx: SpamAssassin as a mail server
# runs it (spamd, asked by spamc, two at a time), local tests only (no
# network): its rules alone, then with its Bayes classifier trained on
# TRAIN.idx by sa-learn ("train s"). Its verdict is score >= 5; the score
# ranks the mails for the AUC. Slow (tens of milliseconds a mail): only on
# the project's split.
spamassassin_rows() {
    dir=$1 tr=$2 te=$3
    if ! command -v spamd >/dev/null 2>&1 || ! command -v spamc >/dev/null 2>&1 ||
        ! command -v sa-learn >/dev/null 2>&1; then
        line "SpamAssassin" "skipped: apt-get install spamassassin spamc"
        return
    fi
    v=$(spamassassin -V 2>/dev/null | awk 'NR==1 {print $3}')
    mkdir -p "$W/sa/conf" "$W/sa/home"
    chmod 755 "$W" "$W/sa" "$W/sa/home"    # spamd's children run as nobody
    for f in /etc/spamassassin/*.pre /etc/spamassassin/*.cf; do
        [ -e "$f" ] && ln -sf "$f" "$W/sa/conf/"
    done
    t0=$(now)
    (cd "$dir" &&
     awk '$1=="spam"{print $2}' "$tr" | xargs sa-learn --spam --no-sync --dbpath "$W/sa/bayes" &&
     awk '$1=="ham"{print $2}' "$tr" | xargs sa-learn --ham --no-sync --dbpath "$W/sa/bayes" &&
     sa-learn --sync --dbpath "$W/sa/bayes") >/dev/null 2>&1
    t1=$(now)
    chmod -R a+rX "$W/sa"
    port=$((20000 + $$ % 20000))
    for bayes in 0 1; do
        printf 'use_bayes %s\nbayes_auto_learn 0\nbayes_path %s/sa/bayes\n' "$bayes" "$W" \
            > "$W/sa/conf/zz_bench.cf"
        u=
        [ "$(id -u)" = 0 ] && u="-u nobody"
        # shellcheck disable=SC2086
        spamd -L --max-children 2 -i 127.0.0.1 -A 127.0.0.1 -p "$port" -H "$W/sa/home" $u \
            --siteconfigpath "$W/sa/conf" -r "$W/sa/pid" >/dev/null 2>&1 &
        k=0
        while [ $k -lt 100 ] && ! spamc -d 127.0.0.1 -p "$port" -K >/dev/null 2>&1; do
            sleep 0.2
            k=$((k + 1))
        done
        if [ $k -ge 100 ]; then
            kill "$(cat "$W/sa/pid" 2>/dev/null)" 2>/dev/null
            wait 2>/dev/null
            line "SpamAssassin $v" "failed: spamd did not answer on port $port"
            return
        fi
        # "label score/threshold" per mail, two clients at a time
        (cd "$dir" && awk '{print $1, $2}' "$te" |
         xargs -P 2 -n 2 sh -c 'echo "$0 $(spamc -d 127.0.0.1 -p '"$port"' -c < "$1")"') |
            awk '{ split($2, a, "/"); s = a[1] + 0
                   printf "%s %.17g\n", $1, 1 / (1 + exp(-(s - 5))) }' > "$W/scores"
        kill "$(cat "$W/sa/pid" 2>/dev/null)" 2>/dev/null
        wait 2>/dev/null
        if [ "$bayes" = 0 ]; then
            line "SpamAssassin $v, rules (local tests, spamd)" "$(score "$W/scores")"
        else
            timed "  SpamAssassin $v, rules + Bayes (sa-learn)" "$(score "$W/scores")" \
                "$(secs "$t0" "$t1")"
        fi
    done
}
# fasttext_rows MODE TRAIN TEST: fastText as it comes, and with the
# settings its tutorial reaches for (25 epochs, lr 1.0, word bigrams)
fasttext_rows() {
    if ! command -v fasttext >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
        command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -qq fasttext >/dev/null 2>&1 || true
    fi
    v=$(dpkg-query -W -f '${Version}' fasttext 2>/dev/null | sed 's/[+-].*//')
    fasttext_row "fastText ${v:-?} supervised, defaults" "$@"
    fasttext_row "  fastText -epoch 25 -lr 1.0 -wordNgrams 2" "$@" -epoch 25 -lr 1.0 -wordNgrams 2
}

# one_change TAG TRAIN TEST: the defaults, then each change from them
one_change() {
    tag=$1 tr=$2 te=$3
    spamlr_row "spamlr defaults (C by path, $tag)" "$tr" "$te"
    spamlr_row "  -c 1 (C fixed, the 0.1 default)" "$tr" "$te" -c 1
    spamlr_row "  --features binary" "$tr" "$te" --features binary
    spamlr_row "  --features logtf" "$tr" "$te" --features logtf
    spamlr_row "  --idf-power 1 (plain tf-idf, the 0.2 default)" "$tr" "$te" --idf-power 1
    spamlr_row "  -c 1 --features binary --header-fields v0.1 --min-count 1" "$tr" "$te" -c 1 \
        --features binary --header-fields v0.1 --min-count 1 # all the 0.1 defaults
    spamlr_row "  --min-count 1 (keep words seen once)" "$tr" "$te" --min-count 1
    spamlr_row "  --subwords 4 (character 4-grams)" "$tr" "$te" --subwords 4
    spamlr_row "  --fold simple (the 0.1 folding)" "$tr" "$te" --fold simple
    spamlr_row "  --solver adagrad (online, 5 epochs)" "$tr" "$te" --solver adagrad
    [ "$tag" = "e-mail" ] || return 0
    header_rows "$tr" "$te"
}

# header_rows TRAIN TEST: the header families, defaults otherwise
NAMED=subject,from,reply-to,to,cc,content-type,x-mailer,user-agent,organization,list-id
header_rows() {
    spamlr_row "  --header-fields none" "$1" "$2" --header-fields none
    spamlr_row "  --header-fields v0.1 (the 0.1 set)" "$1" "$2" --header-fields v0.1
    spamlr_row "  ten named fields" "$1" "$2" --header-fields "$NAMED"
    spamlr_row "  ten named + received" "$1" "$2" --header-fields "$NAMED,received"
    spamlr_row "  ten named + received, message-id" "$1" "$2" \
        --header-fields "$NAMED,received,message-id"
    spamlr_row "  twelve named, field-aware (the 0.2 default)" "$1" "$2" \
        --header-fields "$NAMED,received,message-id,field-aware"
    spamlr_row "  every field, not field-aware" "$1" "$2" \
        --header-fields "$NAMED,received,message-id,other"
    spamlr_row "  --header-fields all (every Received field: the 0.3 default)" "$1" "$2" \
        --header-fields all
}

say_env() {
    echo "== spamlr accuracy: $(uname -m), $(getconf _NPROCESSORS_ONLN 2>/dev/null) cores," \
         "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), load $(cut -d' ' -f1 /proc/loadavg)"
}
say_env
if sh "$here/data/get-spamassassin.sh" >/dev/null 2>&1; then
    S=$here/data/spamassassin
    header "SpamAssassin split (train 4550, test 1496 mails)"
    one_change "e-mail" "--index=$S/train.idx" "--index=$S/test.idx"
    bogofilter_row "bogofilter (raw mail, defaults)" "$S" "$S/train.idx" "$S/test.idx"
    sklearn_row "scikit-learn CountVectorizer+LR C=1 (decoded)" mail "$S/train.idx" "$S/test.idx"
    fasttext_rows mail "$S/train.idx" "$S/test.idx"
    spamassassin_rows "$S" "$S/train.idx" "$S/test.idx"
    train_ratios
    header "SpamAssassin split swapped (train on the 1496, test on the 4550)"
    spamlr_row "spamlr defaults" "--index=$S/test.idx" "--index=$S/train.idx"
    spamlr_row "  --min-count 1" "--index=$S/test.idx" "--index=$S/train.idx" --min-count 1
    spamlr_row "  --idf-power 1" "--index=$S/test.idx" "--index=$S/train.idx" --idf-power 1
    spamlr_row "  twelve named, field-aware (the 0.2 default)" "--index=$S/test.idx" \
        "--index=$S/train.idx" --header-fields "$NAMED,received,message-id,field-aware"
    spamlr_row "  --header-fields all (the 0.3 default)" "--index=$S/test.idx" \
        "--index=$S/train.idx" --header-fields all
    spamlr_row "  --subwords 4" "--index=$S/test.idx" "--index=$S/train.idx" --subwords 4
    bogofilter_row "bogofilter (raw mail, defaults)" "$S" "$S/test.idx" "$S/train.idx"
    fasttext_rows mail "$S/test.idx" "$S/train.idx"
    train_ratios
    # one source against the other, as a filter meets new senders and
    # campaigns: train on easy_ham + spam (the first halves), test on
    # easy_ham_2 + hard_ham + spam_2
    cat "$S/train.idx" "$S/test.idx" | grep -E ' (easy-ham-1|spam-1)/' > "$S/.x.tmp" &&
        mv "$S/.x.tmp" "$S/cross-train.idx"
    cat "$S/train.idx" "$S/test.idx" | grep -E ' (easy-ham-2|hard-ham-1|spam-2)/' > "$S/.x.tmp" &&
        mv "$S/.x.tmp" "$S/cross-test.idx"
    header "SpamAssassin by source (train easy_ham+spam 3000, test easy_ham_2+hard_ham+spam_2 3046)"
    spamlr_row "spamlr defaults" "--index=$S/cross-train.idx" "--index=$S/cross-test.idx"
    spamlr_row "  --idf-power 1" "--index=$S/cross-train.idx" "--index=$S/cross-test.idx" \
        --idf-power 1
    spamlr_row "  --idf-power 3" "--index=$S/cross-train.idx" "--index=$S/cross-test.idx" \
        --idf-power 3
    spamlr_row "  --header-fields all (the 0.3 default)" "--index=$S/cross-train.idx" \
        "--index=$S/cross-test.idx" --header-fields all
    bogofilter_row "bogofilter (raw mail, defaults)" "$S" "$S/cross-train.idx" "$S/cross-test.idx"
    sklearn_row "scikit-learn CountVectorizer+LR C=1 (decoded)" mail "$S/cross-train.idx" \
        "$S/cross-test.idx"
    fasttext_rows mail "$S/cross-train.idx" "$S/cross-test.idx"
    train_ratios
    bootstrap_row "learn its folders: --spam, then --ham" "$S" "$S/cross-train.idx" \
        "$S/cross-test.idx" spam ham 100000 100000
    bootstrap_row "learn its folders: --ham, then --spam" "$S" "$S/cross-train.idx" \
        "$S/cross-test.idx" ham spam 100000 100000
    cat "$S/train.idx" "$S/test.idx" > "$S/.all.idx.tmp" && mv "$S/.all.idx.tmp" "$S/all.idx"
    # by date, as a filter meets next month's mail: the 6046 mails in the
    # order of their Date fields (two without one last), the first 75 %
    # to train, the rest to test
    "$PY" - "$S" "$W/date-train.idx" "$W/date-test.idx" <<'PY'
import email.utils, re, sys
d = sys.argv[1]
rows = [l.split() for l in open(d + "/all.idx") if l.strip()]
def when(path):
    head = open(d + "/" + path, "rb").read(65536).split(b"\n\n", 1)[0].decode("latin-1")
    m = re.search(r"^Date:[ \t]*(.*(?:\n[ \t].*)*)", head, re.M | re.I)
    try:
        return email.utils.parsedate_to_datetime(" ".join(m.group(1).split())).timestamp()
    except Exception:  # no Date, or one that does not parse: last
        return float("inf")
order = sorted((when(p), i, y, p) for i, (y, p) in enumerate(rows))
cut = len(order) * 3 // 4
for part, name in ((order[:cut], sys.argv[2]), (order[cut:], sys.argv[3])):
    with open(name, "w") as o:
        o.writelines("%s %s/%s\n" % (y, d, p) for _, _, y, p in part)
PY
    header "SpamAssassin by date (the first 75 % of the 6046 mails by Date to train: 4534, test 1512)"
    spamlr_row "spamlr defaults" "--index=$W/date-train.idx" "--index=$W/date-test.idx"
    spamlr_row "  --header-fields all (every Received field: the 0.3 default)" \
        "--index=$W/date-train.idx" "--index=$W/date-test.idx" --header-fields all
    bogofilter_row "bogofilter (raw mail, defaults)" "/" "$W/date-train.idx" "$W/date-test.idx"
    sklearn_row "scikit-learn CountVectorizer+LR C=1 (decoded)" mail "$W/date-train.idx" \
        "$W/date-test.idx"
    train_ratios
    header "SpamAssassin online, test-then-train on all 6046 mails"
    online_row "spamlr eval --online, index order" "--index=$S/all.idx"
    online_row "spamlr eval --online --shuffle 1" "--index=$S/all.idx" --shuffle 1
    bytes4_row "byte 4-grams online LR (bytes4), index order" "$S/all.idx"
    bytes4_row "byte 4-grams online LR (bytes4), shuffled 1" "$S/all.idx" --shuffle 1
    header "SpamAssassin bootstrap: learn 200 spam, 400 ham; test.idx"
    bootstrap_row "spamlr learn --spam, then --ham" "$S" "$S/train.idx" "$S/test.idx" spam ham
    bootstrap_row "spamlr learn --ham, then --spam" "$S" "$S/train.idx" "$S/test.idx" ham spam
    { grep '^spam ' "$S/train.idx" | head -200; grep '^ham ' "$S/train.idx" | head -400; } |
        awk -v d="$S" '{ print $1, d "/" $2 }' > "$W/boot.idx"
    spamlr_row "spamlr train --solver adagrad on the same 600" "--index=$W/boot.idx" \
        "--index=$S/test.idx" --solver adagrad
    header "SpamAssassin bootstrap, whole folders: learn the 1416 spam, the 3134 ham of train.idx"
    bootstrap_row "spamlr learn --spam, then --ham" "$S" "$S/train.idx" "$S/test.idx" spam ham \
        100000 100000
    bootstrap_row "spamlr learn --ham, then --spam" "$S" "$S/train.idx" "$S/test.idx" ham spam \
        100000 100000
    bootstrap_row "the same, learn --create --memory 5000" "$S" "$S/train.idx" "$S/test.idx" \
        ham spam 100000 100000 "--memory 5000"
else
    echo "quality: SpamAssassin corpus unavailable; skipped"
fi

if [ -r "$SMS" ]; then
    "$PY" - "$SMS" "$W/sms" <<'PY'
import hashlib, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out + "/msg")
tr, te = open(out + "/train.tsv", "w"), open(out + "/test.tsv", "w")
itr, ite = open(out + "/train.idx", "w"), open(out + "/test.idx", "w")
for i, line in enumerate(open(src, encoding="utf-8")):
    lab, text = line.rstrip("\n").split("\t", 1)
    test = hashlib.md5(text.encode()).hexdigest()[0] in "0123"
    (te if test else tr).write(lab + "\t" + text + "\n")
    open("%s/msg/%05d" % (out, i), "w").write(text + "\n")  # for bogofilter
    (ite if test else itr).write("%s msg/%05d\n" % (lab, i))
PY
    header "SMS Spam Collection, MD5 split (train 4087, test 1487)"
    one_change "text" "$W/sms/train.tsv" "$W/sms/test.tsv"
    bogofilter_row "bogofilter (defaults)" "$W/sms" "$W/sms/train.idx" "$W/sms/test.idx"
    sklearn_row "scikit-learn CountVectorizer+LR C=1" text "$W/sms/train.tsv" "$W/sms/test.tsv"
    fasttext_rows text "$W/sms/train.tsv" "$W/sms/test.tsv"
    train_ratios
    cat "$W/sms/train.tsv" "$W/sms/test.tsv" > "$W/sms/all.tsv"
    header "SMS bootstrap, whole folders: learn the 573 spam, the 3514 ham of the train part"
    bootstrap_row "spamlr learn --spam, then --ham" "$W/sms" "$W/sms/train.idx" \
        "$W/sms/test.idx" spam ham 100000 100000
    bootstrap_row "spamlr learn --ham, then --spam" "$W/sms" "$W/sms/train.idx" \
        "$W/sms/test.idx" ham spam 100000 100000
    header "SMS online, test-then-train on all 5574 messages"
    online_row "spamlr eval --online, file order" "$W/sms/all.tsv"
    online_row "spamlr eval --online --shuffle 1" "$W/sms/all.tsv" --shuffle 1
    bytes4_row "byte 4-grams online LR (bytes4), file order" "$W/sms/all.tsv"
    bytes4_row "byte 4-grams online LR (bytes4), shuffled 1" "$W/sms/all.tsv" --shuffle 1
else
    echo "quality: no SMS corpus at $SMS (set SPAMLR_SMS); skipped"
fi
