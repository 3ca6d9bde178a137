#!/bin/sh
# tests/cli_html.sh - the pages of `explain --html` and `inspect --html`:
# safe with a hostile message (no live script, nothing fetched), the
# highlighted tokens and the bias add up to explain's score, the model
# report holds the counts, words, histogram and curve, the output checks
# and the atomic write. With chromium installed the pages are also opened
# in it: the screenshots are not blank and the DOM it builds passes the
# same checks (tests/html_check.py).
#
#   sh tests/cli_html.sh build/spamlr      (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup cli_html.sh "${1:?usage: sh tests/cli_html.sh path/to/spamlr}" python3
CHK="python3 $ROOT/tests/html_check.py"
M=$T/m.slr
"$BIN" train -q -o "$M" "$ROOT/data/corpus.tsv" || { echo "cli_html.sh: cannot train" >&2; exit 1; }

# A hostile message: markup in the header and the body, an attribute break-
# out, invalid UTF-8, a NUL, CJK, and words the model knows.
printf 'Subject: FREE <script>document.title="PWNED"</script> prize\nFrom: "x" <a@b.example>\n\nWin a free prize now! "><img src=x onerror=alert(1)> <svg onload=alert(2)>\n</div></pre><script src="http://evil.example/x.js"></script>\n&amp; &lt;b&gt; \377\376 bad\000byte 恭喜中奖 click here for your free $100\nmeeting tomorrow, the invoice is attached\n' >"$T/hostile.eml"

check "explain --html writes the page"
run explain -m "$M" --html -o "$T/page.html" "$T/hostile.eml"
expect_rc 0
[ -s "$T/out" ] && fail "explain --html wrote to stdout"
run explain -m "$M" --format json "$T/hostile.eml"
expect_rc 0
cp "$T/out" "$T/ex.json"

check "the page is safe and its tokens add up to the score"
$CHK explain "$T/page.html" "$T/ex.json" '<script>document.title="PWNED"</script>' \
    '"><img src=x onerror=alert(1)>' '恭喜中奖' 2>"$T/err" || fail "$(cat "$T/err")"
grep -q '<script' "$T/page.html" && fail "a live <script> tag on the page"
ls "$T" | grep -q 'tmp-' && fail "a temporary file was left"

check "explain --html of standard input, --top bars"
run_in "$T/hostile.eml" explain -m "$M" --html --top 3 -o "$T/stdin.html" -
expect_rc 0
[ "$(grep -c '<td class="l"' "$T/stdin.html")" = 3 ] || fail "--top 3 does not give 3 bars"
grep -q '(standard input)' "$T/stdin.html" || fail "standard input is not named"

check "a message with no known token: the score is the bias"
printf 'zzqx wvvy\n' >"$T/unknown.txt"
run explain -m "$M" --html -o "$T/unknown.html" "$T/unknown.txt"
expect_rc 0
run explain -m "$M" --format json "$T/unknown.txt"
cp "$T/out" "$T/unknown.json"
$CHK explain "$T/unknown.html" "$T/unknown.json" 2>"$T/err" || fail "$(cat "$T/err")"

check "explain --html: usage and output checks"
run explain -m "$M" --html "$T/hostile.eml"
expect_rc 2
expect_err 'name its file with -o'
run explain -m "$M" -o "$T/x.html" "$T/hostile.eml"
expect_rc 2
run explain -m "$M" --html -o - "$T/hostile.eml"
expect_rc 2
run explain -m "$M" --html -o "$T/no/such/dir/p.html" "$T/hostile.eml"
expect_rc 1
expect_err 'cannot write there'
cp "$T/hostile.eml" "$T/keep.eml"
run explain -m "$M" --html -o "$T/keep.eml" "$T/keep.eml"
expect_rc 1
expect_err 'refusing to overwrite an input'
cmp -s "$T/hostile.eml" "$T/keep.eml" || fail "the input was changed"
run explain -m "$M" --html -o "$M" "$T/hostile.eml"
expect_rc 1
cp "$T/page.html" "$T/before.html"
run explain -m "$M" --html -o "$T/page.html" "$T/missing.eml"
expect_rc 1
cmp -s "$T/page.html" "$T/before.html" || fail "a failed run changed the existing page"
cp "$T/page.html" "$T/target.html"
ln -s target.html "$T/link.html"
run explain -m "$M" --html -o "$T/link.html" "$T/unknown.txt"
expect_rc 0
[ -L "$T/link.html" ] || fail "the symbolic link was replaced by a file"
cmp -s "$T/target.html" "$T/unknown.html" || fail "the link's target was not written"

# ------------------------------------------------------------ the report

check "inspect --html with a curve"
"$BIN" curve -q --train "$ROOT/data/corpus.tsv" --test "$ROOT/data/corpus-test.tsv" \
    --sizes all,50%,100,30 --format json >"$T/curve.json" 2>"$T/err" || fail "curve failed"
run inspect --format json --top 10 "$M"
cp "$T/out" "$T/inspect.json"
run inspect --html --top 10 --curve "$T/curve.json" -o "$T/report.html" "$M"
expect_rc 0
$CHK inspect "$T/report.html" "$T/inspect.json" "$T/curve.json" 2>"$T/err" || fail "$(cat "$T/err")"

check "inspect --html without a curve, and a TSV curve"
run inspect --html --top 10 -o "$T/report2.html" "$M"
expect_rc 0
$CHK inspect "$T/report2.html" "$T/inspect.json" 2>"$T/err" || fail "$(cat "$T/err")"
"$BIN" curve -q --train "$ROOT/data/corpus.tsv" --test "$ROOT/data/corpus-test.tsv" \
    --sizes all,100 --format tsv >"$T/curve.tsv" 2>"$T/err" || fail "curve tsv failed"
run inspect --html --curve "$T/curve.tsv" -o "$T/report3.html" "$M"
expect_rc 0
grep -q '<circle' "$T/report3.html" || fail "the TSV curve is not drawn"

check "inspect --html: usage and output checks"
run inspect --html "$M"
expect_rc 2
run inspect --html --grep free -o "$T/r.html" "$M"
expect_rc 2
run inspect --curve "$T/curve.json" "$M"
expect_rc 2
run inspect --html -o "$M" "$M"
expect_rc 1
expect_err 'refusing to overwrite an input'
run inspect --html --curve "$T/hostile.eml" -o "$T/bad.html" "$M"
expect_rc 1
expect_err 'curve'
[ -e "$T/bad.html" ] && fail "a report was left after a bad curve file"
ls "$T" | grep -q 'tmp-' && fail "a temporary file was left"

check "curve --svg: subtitle, labels, ticks"
"$BIN" curve -q --train "$ROOT/data/corpus.tsv" --test "$ROOT/data/corpus-test.tsv" \
    --sizes all,50%,100 --svg "$T/curve.svg" >/dev/null 2>"$T/err" || fail "curve --svg failed"
grep -q 'trained on [0-9]* messages, tested on [0-9]*' "$T/curve.svg" || fail "no subtitle"
grep -q '>50%</text>' "$T/curve.svg" || fail "points are not labelled"
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/curve.svg" \
    2>"$T/err" || fail "the SVG is not well-formed XML"

# ------------------------------------------------------------- a browser

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "cli_html.sh: chromium not installed: the pages were not opened in a browser" \
         "(apt-get install chromium)"
    echo "cli_html.sh: $checks checks passed"
    exit 0
fi
chrome() {
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.log"
}
for page in page report; do
    check "chromium renders $page.html"
    rm -f "$T/$page.png"
    chrome --screenshot="$T/$page.png" --window-size=1000,800 "file://$T/$page.html" \
        >/dev/null
    [ -s "$T/$page.png" ] || { cp "$T/chrome.log" "$T/err"; fail "no screenshot"; }
    $CHK png "$T/$page.png" 2>"$T/err" || fail "$(cat "$T/err")"
    check "chromium's DOM of $page.html"
    chrome --dump-dom "file://$T/$page.html" >"$T/$page.dom.html"
    [ -s "$T/$page.dom.html" ] || { cp "$T/chrome.log" "$T/err"; fail "no DOM"; }
    grep -qi '<script' "$T/$page.dom.html" && fail "a <script> element in the DOM"
done
$CHK explain "$T/page.dom.html" "$T/ex.json" '<script>document.title="PWNED"</script>' \
    2>"$T/err" || fail "$(cat "$T/err")"
$CHK inspect "$T/report.dom.html" "$T/inspect.json" "$T/curve.json" 2>"$T/err" ||
    fail "$(cat "$T/err")"
echo "cli_html.sh: $checks checks passed (chromium: $CHROME)"
