#!/bin/sh
# Quality on the SpamAssassin split: spamlr (several settings) against the
# peers a user would pick instead, bogofilter and scikit-learn, on the same
# train/test mails in the same run. Prints a table; never fails the build.
#   sh tests/bench/quality.sh [build/spamlr]
set -u
CLI=${1:-build/spamlr}
here=$(cd "$(dirname "$0")/../.." && pwd)
sh "$here/data/get-spamassassin.sh" >/dev/null 2>&1 || { echo "quality: SpamAssassin corpus unavailable; skipped"; exit 0; }
S="$here/data/spamassassin"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# score FILE(label prob lines): prints AUC, (1-AUC)%, ham FP and spam missed at 0.5
score() {
    "$PY" - "$1" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
pos = sorted(float(p) for y, p in rows if y == "spam")
neg = sorted(float(p) for y, p in rows if y == "ham")
# Mann-Whitney with ties counted one half
allv = sorted([(float(p), y == "spam") for y, p in rows])
rank, i, rs = 0.0, 0, 0.0
while i < len(allv):
    j = i
    while j < len(allv) and allv[j][0] == allv[i][0]:
        j += 1
    mid = (i + 1 + j) / 2.0
    rs += mid * sum(1 for k in range(i, j) if allv[k][1])
    i = j
auc = (rs - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg))
fp = sum(1 for p in neg if p >= 0.5)
fn = sum(1 for p in pos if p < 0.5)
print("%.5f  %8.3f  %5d  %5d" % (auc, (1 - auc) * 100, fp, fn))
PY
}

printf '%-44s %-7s  %8s  %5s  %5s\n' "SpamAssassin test split (1496 mails)" "ROC AUC" "(1-AUC)%" "hamFP" "spamFN"
spamlr_row() {  # spamlr_row LABEL TRAIN-OPTIONS...
    label=$1
    shift
    if "$CLI" train -q "$@" -o "$W/m.slr" --index "$S/train.idx" 2>"$W/err" &&
       "$CLI" predict -m "$W/m.slr" --index "$S/test.idx" > "$W/pred"; then
        awk -F'\t' '{print $4, $2}' "$W/pred" > "$W/scores"
        printf '%-44s %s\n' "$label" "$(score "$W/scores")"
    else
        printf '%-44s failed: %s\n' "$label" "$(head -1 "$W/err")"
    fi
}
spamlr_row "spamlr, e-mail decoded, C=1 (default)"
spamlr_row "spamlr, raw mail as text, C=1" --no-mime
spamlr_row "spamlr, e-mail decoded, C by 5-fold CV" -c auto
spamlr_row "spamlr, raw mail as text, C by 5-fold CV" -c auto --no-mime
spamlr_row "spamlr, decoded, tf-idf, C by 5-fold CV" -c auto --features tfidf

if command -v bogofilter >/dev/null 2>&1; then
    (cd "$S" &&
     bogofilter -d "$W/bogo" -s -B $(awk '$1=="spam"{print $2}' train.idx) &&
     bogofilter -d "$W/bogo" -n -B $(awk '$1=="ham"{print $2}' train.idx) &&
     bogofilter -d "$W/bogo" -T -B $(awk '{print $2}' test.idx)) > "$W/bogo.out" 2>/dev/null
    awk 'NR==FNR {lab[$2]=$1; next} {print lab[$1], $3}' "$S/test.idx" "$W/bogo.out" > "$W/scores"
    printf '%-44s %s\n' "bogofilter $(bogofilter -V 2>&1 | head -1 | awk '{print $3}') (raw mail, defaults)" "$(score "$W/scores")"
else
    echo "bogofilter: not installed (apt-get install bogofilter); skipped"
fi

if "$PY" -c 'import sklearn' 2>/dev/null; then
    "$PY" - "$S" > "$W/scores" <<'PY'
import email, email.policy, os, sys
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
root = sys.argv[1]
def text(path):
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
def load(idx):
    rows = [l.split() for l in open(os.path.join(root, idx)) if l.strip()]
    return [text(os.path.join(root, p)) for _, p in rows], [y == "spam" for y, _ in rows]
Xtr, ytr = load("train.idx")
Xte, yte = load("test.idx")
v = CountVectorizer(binary=True)
clf = LogisticRegression(C=1.0, max_iter=2000).fit(v.fit_transform(Xtr), ytr)
for y, p in zip(yte, clf.predict_proba(v.transform(Xte))[:, 1]):
    print("spam" if y else "ham", repr(float(p)))
PY
    printf '%-44s %s\n' "scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)') CountVectorizer+LR (decoded)" "$(score "$W/scores")"
else
    echo "scikit-learn: not installed (apt-get install python3-sklearn); skipped"
fi
