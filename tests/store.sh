#!/bin/sh
# tests/store.sh - the per-user model store (issue 14, section 3): a base
# trained from data/corpus.tsv in DIR/base.slr; users created by their
# first learn (a delta on the base in DIR/users/NAME.slr) round-trip; a
# delta is a fraction of the base's size, is refused without its base and
# on a retrained base (clearly, the mail passed through), and a whole model
# left by an older store is read as it is and becomes a delta; a
# user without a model gets the base's verdicts; a user's learn changes
# only that user; hostile user names are refused with a usage error and
# create nothing; concurrent learns for two users and for one user lose no
# update; spamlr serve --store answers each User: with that user's model
# (the base for a user without one), TELL teaches it (a delta, as learn
# does), a changed delta is read again, bad names get EX_NOUSER, and a
# delta on a replaced base is refused (with Debian's spamc; skipped when it
# is not installed).
#
#   sh tests/store.sh build/spamlr          (from the repository root)
#   STORE_USERS=N   users created (default 1000; 20 under SPAMLR_CLI_WRAPPER)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup store.sh "${1:?usage: sh tests/store.sh path/to/spamlr}" grep cmp ls wc

if [ -n "$WRAP" ]; then USERS=${STORE_USERS:-20}; else USERS=${STORE_USERS:-1000}; fi
S=$T/store
mkdir -p "$S"
# a spammy message (the base says spam) with a word of its own: learned as
# ham, it moves the user's model and adds the word to its vocabulary
msg() {
    printf 'From: a@b.example\nSubject: win money now\n\nclaim your free prize now, crypto bot %s\n' "$1"
}
msg plain > "$T/m1"
printf 'From: ann@example.org\nSubject: lunch\n\nmeet you at the cinema for lunch\n' > "$T/m2"

check "the base: train -o DIR/base.slr"
run train -q -o "$S/base.slr" "$ROOT/data/corpus.tsv"
expect_rc 0
run predict -m "$S/base.slr" "$T/m1"
expect_rc 0
expect_out '^spam'
cp "$S/base.slr" "$T/base.copy"

check "a user without a model gets the base's verdicts (predict, filter, explain)"
run predict -m "$S/base.slr" "$ROOT/data/corpus-test.tsv"
cp "$T/out" "$T/base.pred"
run predict --store "$S" --user nobody "$ROOT/data/corpus-test.tsv"
expect_rc 0
cmp -s "$T/out" "$T/base.pred" || fail "predict: a user without a model differs from the base"
run predict --store "$S" "$ROOT/data/corpus-test.tsv"
cmp -s "$T/out" "$T/base.pred" || fail "predict --store without --user differs from the base"
run_in "$T/m1" filter -m "$S/base.slr"
cp "$T/out" "$T/base.filt"
run_in "$T/m1" filter --store "$S" --user nobody
expect_rc 0
cmp -s "$T/out" "$T/base.filt" || fail "filter: a user without a model differs from the base"
run explain --store "$S" --user nobody "$T/m1"
expect_rc 0
expect_out 'spam'
[ -e "$S/users/nobody.slr" ] && fail "a reader created a user's model"

check "a user's first learn copies the base, then learns; it changes only that user"
run learn --store "$S" --user alice --ham "$T/m1"
expect_rc 0
expect_err "users/alice\.slr"
[ -f "$S/users/alice.slr" ] || fail "no DIR/users/alice.slr"
cmp -s "$S/base.slr" "$T/base.copy" || fail "a user's learn changed the base"
run_in "$T/m1" filter --store "$S" --user alice
cmp -s "$T/out" "$T/base.filt" && fail "alice's learn did not change her verdicts"
cp "$T/out" "$T/alice.filt0"
run predict --store "$S" --user bob "$ROOT/data/corpus-test.tsv"
cmp -s "$T/out" "$T/base.pred" || fail "alice's learn changed bob (who has no model)"
run learn --store "$S" --user bob --spam "$T/m2"
expect_rc 0
cp "$S/users/alice.slr" "$T/alice.copy"
run learn --store "$S" --user bob --spam "$T/m2"
cmp -s "$S/users/alice.slr" "$T/alice.copy" || fail "bob's learn changed alice"
cmp -s "$S/base.slr" "$T/base.copy" || fail "bob's learn changed the base"
run inspect --store "$S" --user alice --diff "$S/base.slr" --top 0
expect_out 'crypto'

run learn --store "$S" --user bob --create --memory 9 --spam "$T/m2"
expect_rc 2
grep -q -- "--memory is for a model --create makes, not a store user's" "$T/err" ||
    fail "learn --store --memory: $(cat "$T/err")"

check "a user's model is a small delta, read only with its base"
size() { wc -c < "$1" | tr -d ' '; }
[ "$(size "$S/users/alice.slr")" -lt $(($(size "$S/base.slr") / 4)) ] ||
    fail "alice's delta is $(size "$S/users/alice.slr") bytes, the base $(size "$S/base.slr")"
run inspect "$S/users/alice.slr"
expect_rc 1
expect_err 'alice\.slr.*delta.*--store'
run inspect --store "$S" --user alice --format json
expect_rc 0
expect_out '"parameters"'
msg again > "$T/m3"
run learn -q --store "$S" --user alice --ham "$T/m3"
expect_rc 0
run_in "$T/m1" filter --store "$S" --user alice
cmp -s "$T/out" "$T/alice.filt0" && fail "alice's second learn changed nothing"

check "a whole model left by an older store is read as it is, and its learn makes a delta"
cp "$S/base.slr" "$S/users/old.slr"
run_in "$T/m1" filter --store "$S" --user old
expect_rc 0
cmp -s "$T/out" "$T/base.filt" || fail "a whole model in users/ is not read as it is"
run learn -q --store "$S" --user old --ham "$T/m1"
expect_rc 0
[ "$(size "$S/users/old.slr")" -lt $(($(size "$S/base.slr") / 4)) ] ||
    fail "old's learn did not write a delta"
# it learned as the whole model it was (no pull towards the base): as a
# copy of the base outside any store learning the same message
cp "$S/base.slr" "$T/whole.slr"
run learn -q -m "$T/whole.slr" --ham "$T/m1"
expect_rc 0
run_in "$T/m1" filter -m "$T/whole.slr"
cp "$T/out" "$T/whole.filt"
run_in "$T/m1" filter --store "$S" --user old
cmp -s "$T/out" "$T/whole.filt" || fail "old (the base, then one learn) differs from a whole copy's learn"

check "after the base is retrained, a user's delta is refused with a clear error"
mkdir "$T/s2"
cp -R "$S/users" "$T/s2/users"
run train -q -c 2 -o "$T/s2/base.slr" "$ROOT/data/corpus.tsv"
expect_rc 0
run_in "$T/m1" filter --store "$T/s2" --user alice
expect_rc 2
expect_err 'alice\.slr.*checksum.*base\.slr'
cmp -s "$T/out" "$T/m1" || fail "filter did not pass the mail through"
run predict --store "$T/s2" --user alice "$T/m1"
expect_rc 1
expect_err 'checksum'
run learn --store "$T/s2" --user alice --ham "$T/m1"
expect_rc 1
expect_err 'checksum'
run predict --store "$T/s2" --user nobody "$T/m1"
expect_rc 0

check "hostile user names are a usage error and create nothing"
long=$(printf '%0241d' 0)
ok=$(printf '%0240d' 0)
for u in '' .. . ../evil ../../evil a/b /etc/passwd .hidden "$(printf 'a\tb')" \
         "$(printf 'a\nb')" "$(printf 'a\033b')" "$long"; do
    run learn --store "$S" --user "$u" --ham "$T/m1"
    expect_rc 2
    expect_err 'the user name'
    run predict --store "$S" --user "$u" "$T/m1"
    expect_rc 2
    run_in "$T/m1" filter --store "$S" --user "$u"
    expect_rc 2
    cmp -s "$T/out" "$T/m1" || fail "filter with a bad user name did not pass the mail through"
done
[ -e "$T/evil.slr" ] || [ -e "$S/evil.slr" ] || [ -e "$S/users/.hidden.slr" ] &&
    fail "a hostile name created a file"
run learn --store "$S" --user "$ok" --ham "$T/m1"
expect_rc 0
[ -f "$S/users/$ok.slr" ] || fail "a 240-byte name was not stored"
run learn --user alice --ham "$T/m1"
expect_rc 2
expect_err 'store'
run learn -m "$T/x.slr" --store "$S" --user alice --ham "$T/m1"
expect_rc 2
run learn --store "$S" --ham "$T/m1"
expect_rc 2
expect_err 'user'
run learn --store "$T/nostore" --user alice --ham "$T/m1"
expect_rc 1
expect_err 'base\.slr'

check "$USERS users created by learn round-trip"
i=0
while [ $i -lt $USERS ]; do
    $WRAP "$BIN" learn -q --store "$S" --user "u$i" --ham "$T/m1" 2>"$T/err" ||
        fail "learn for u$i failed"
    i=$((i + 1))
done
n=$(ls "$S/users" | grep -c '^u[0-9]*\.slr$')
[ "$n" = "$USERS" ] || fail "$n user models, expected $USERS"
for i in 0 1 $((USERS / 2)) $((USERS - 1)); do
    # every user learned what alice learned first, from the same base
    run_in "$T/m1" filter --store "$S" --user "u$i"
    cmp -s "$T/out" "$T/alice.filt0" || fail "user u$i does not give alice's first verdict"
    run predict --store "$S" --user "u$i" "$T/m1"
    expect_rc 0
done
cmp -s "$S/base.slr" "$T/base.copy" || fail "the users changed the base"

check "concurrent learns: two users, and one user from two writers, lose no update"
learner() { # learner USER TAG: 6 learns, each with a word of its own
    k=1
    while [ $k -le 6 ]; do
        msg "w$2x$k" > "$T/c$2$k"
        $WRAP "$BIN" learn -q --store "$S" --user "$1" --ham "$T/c$2$k" 2>>"$T/cerr" ||
            echo "learn $1 $2 $k failed" >> "$T/cerr"
        k=$((k + 1))
    done
}
: > "$T/cerr"
learner carol a & p1=$!
learner dave b & p2=$!
learner erin c & p3=$!
learner erin d & p4=$!
wait $p1 $p2 $p3 $p4
[ -s "$T/cerr" ] && fail "a concurrent learn failed: $(cat "$T/cerr")"
for pair in carol:a dave:b erin:c erin:d; do
    u=${pair%%:*} tag=${pair#*:}
    run inspect --store "$S" --user $u --diff "$S/base.slr" --top 0
    k=1
    while [ $k -le 6 ]; do
        grep -q "w${tag}x$k\$" "$T/out" || fail "$u lost the update w${tag}x$k"
        k=$((k + 1))
    done
done
run inspect --store "$S" --user carol --diff "$S/base.slr" --top 0
grep -q 'wbx' "$T/out" && fail "dave's learns reached carol"
cmp -s "$S/base.slr" "$T/base.copy" || fail "concurrent learns changed the base"

check "serve --store: User: picks the user's model, an unknown user gets the base"
if ! command -v spamc >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    echo "store.sh: spamc or python3 missing: serve --store not tested" >&2
    echo "store.sh: $checks checks passed"
    exit 0
fi
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' 0
PORT=
tries=0
while [ -z "$PORT" ]; do
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $WRAP "$BIN" serve --store "$S" --listen 127.0.0.1:$PORT --allow-tell --threads 2 \
        2>>"$T/serve.log" &
    PID=$!
    i=0
    until spamc -p $PORT -K >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 $PID 2>/dev/null; then
            kill -KILL $PID 2>/dev/null
            PORT=
            tries=$((tries + 1))
            [ $tries -lt 3 ] || { cat "$T/serve.log" >&2; fail "the daemon did not start"; }
            break
        fi
        sleep 0.1
    done
done
prob() { grep '^X-Spam-Probability' "$1"; }
spamc -p $PORT -u alice < "$T/m1" > "$T/sa" || fail "spamc -u alice failed"
run_in "$T/m1" filter --store "$S" --user alice
prob "$T/out" > "$T/pa"
[ "$(prob "$T/sa")" = "$(cat "$T/pa")" ] || fail "alice: spamd says $(prob "$T/sa"), filter $(cat "$T/pa")"
spamc -p $PORT -u nobody < "$T/m1" > "$T/sn"
[ "$(prob "$T/sn")" = "$(prob "$T/base.filt")" ] || fail "a user without a model is not served the base"
spamc -p $PORT < "$T/m1" > "$T/s0"
[ "$(prob "$T/s0")" = "$(prob "$T/base.filt")" ] || fail "a request without User: is not served the base"
[ "$(prob "$T/sa")" = "$(prob "$T/sn")" ] && fail "alice and the base agree: the test shows nothing"

check "serve --store: TELL teaches that user's model (a delta), as learn --store does"
msg told > "$T/m5"
spamc -p $PORT -u frank -L ham < "$T/m5" > "$T/tell" 2>&1 || fail "TELL failed: $(cat "$T/tell")"
[ -f "$S/users/frank.slr" ] || fail "TELL made no users/frank.slr"
[ "$(size "$S/users/frank.slr")" -lt $(($(size "$S/base.slr") / 4)) ] || fail "TELL wrote no delta"
run learn -q --store "$S" --user grace --ham "$T/m5"
run_in "$T/m1" filter --store "$S" --user grace
prob "$T/out" > "$T/pg"
spamc -p $PORT -u frank < "$T/m1" > "$T/sf"
[ "$(prob "$T/sf")" = "$(cat "$T/pg")" ] || fail "frank (TELL) $(prob "$T/sf"), grace (learn) $(cat "$T/pg")"
run_in "$T/m1" filter --store "$S" --user frank
[ "$(prob "$T/out")" = "$(cat "$T/pg")" ] || fail "frank's file does not hold what TELL taught"
spamc -p $PORT -u frank -L ham < "$T/m5" > "$T/tell" 2>&1
grep -qi 'already' "$T/tell" || fail "a repeated TELL was not 'already learned': $(cat "$T/tell")"

check "serve --store: a user's file changed by learn is read again; bad names get EX_NOUSER"
msg later > "$T/m6"
run learn -q --store "$S" --user frank --ham "$T/m6"
run_in "$T/m1" filter --store "$S" --user frank
prob "$T/out" > "$T/pf2"
spamc -p $PORT -u frank < "$T/m1" > "$T/sf2"
[ "$(prob "$T/sf2")" = "$(cat "$T/pf2")" ] || fail "the daemon kept frank's old model"
for u in .. .hidden; do
    spamc -p $PORT -u "$u" < "$T/m1" > "$T/sx"
    cmp -s "$T/sx" "$T/m1" || fail "user '$u': the mail did not pass through unchanged"
done
grep -q 'user=\.\. .*EX_NOUSER' "$T/serve.log" || fail "user '..' was not EX_NOUSER"
[ -e "$S/users/..slr" ] || [ -e "$S/users/.hidden.slr" ] && fail "a bad name made a file"

check "serve --store: after the base is replaced, a user's delta is refused (the mail passes)"
cp "$T/s2/base.slr" "$S/base.slr.new"
mv "$S/base.slr.new" "$S/base.slr"
sleep 1.5 # the daemon looks at the base every second
spamc -p $PORT -u alice < "$T/m1" > "$T/sa2"
cmp -s "$T/sa2" "$T/m1" || fail "alice on a changed base: the mail did not pass through"
grep -q 'user alice: .*checksum' "$T/serve.log" || fail "the log does not say why"
spamc -p $PORT -u nobody -c < "$T/m1" > /dev/null
grep -q 'reloaded' "$T/serve.log" || fail "the new base was not loaded"
kill -TERM $PID
wait $PID || fail "serve did not stop cleanly"
PID=

echo "store.sh: $checks checks passed"
