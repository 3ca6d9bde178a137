#!/bin/sh
# tests/serve.sh - spamlr serve against Debian's own spamc client: CHECK
# (-c), REPORT (-R), SYMBOLS (-y), PROCESS (no flag, -E), PING (-K), TELL
# (-L spam|ham|forget, with and without --allow-tell), over TCP and a Unix
# socket; verdicts against `spamlr predict`, PROCESS byte for byte;
# malformed and hostile requests from a small python3 client (each gets
# its EX_* code or is closed, and the daemon keeps serving); reload on
# SIGHUP and on a changed file, also while clients run; SIGTERM drains
# and exits 0, a second SIGTERM exits at once.
#
#   sh tests/serve.sh build/spamlr          (from the repository root)
set -u

. "$(dirname "$0")/cli_lib.sh"
cli_setup serve.sh "${1:?usage: sh tests/serve.sh path/to/spamlr}" \
    python3 awk cmp grep sed head spamc
PID=
stop_daemon() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; PID=; }
trap 'stop_daemon; rm -rf "$T"' 0
ok() { awk "BEGIN { exit !($1) }"; }
CORPUS=$ROOT/data/corpus.tsv
TEST=$ROOT/data/corpus-test.tsv
M=$T/m.slr

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start ARGS...: the daemon on a free port and $T/sock, ready when it answers PING
start() {
    tries=0
    while :; do
        PORT=$(free_port)
        $WRAP "$BIN" serve -m "$M" --listen 127.0.0.1:$PORT --listen "unix:$T/sock" \
            "$@" 2>>"$T/serve.log" &
        PID=$!
        i=0
        while [ $i -lt 100 ]; do
            spamc -p $PORT -K >/dev/null 2>&1 && return 0
            kill -0 $PID 2>/dev/null || break
            sleep 0.1
            i=$((i + 1))
        done
        stop_daemon
        tries=$((tries + 1))
        [ $tries -lt 3 ] || { cat "$T/serve.log" >&2; fail "the daemon did not start"; }
    done
}

# stop: SIGTERM; the exit status in $src
stop() {
    kill -TERM $PID
    wait $PID
    src=$?
    PID=
}

# raw REQUEST-FILE [DELAY]: sends a request with python3's sockets, prints
# the first line of the answer ("closed" when there is none), or with
# RAW_WHOLE=1 the whole answer as it came
raw() {
    python3 - "$PORT" "$@" <<'EOF'
import os, socket, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0
data = open(path, "rb").read()
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(20)
try:
    if delay:
        for i in range(len(data)):
            s.sendall(data[i:i + 1])
            time.sleep(delay)
    else:
        s.sendall(data)
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
out = b""
try:
    while True:
        k = s.recv(65536)
        if not k:
            break
        out += k
except OSError:
    pass
if len(sys.argv) > 3 or not os.environ.get("RAW_WHOLE"):
    line = out.split(b"\r\n")[0].decode("latin-1")
    print(line if line else "closed")
else:
    sys.stdout.buffer.write(out)
EOF
}

# ------------------------------------------------------------ messages
run train -q -o "$M" "$CORPUS"
expect_rc 0
mkdir "$T/mail"
n=0
{ grep '^spam	' "$TEST" | head -12; grep '^ham	' "$TEST" | head -12; } | while IFS='	' read -r label text; do
    n=$((n + 1))
    if [ $((n % 2)) = 0 ]; then
        printf 'From: sender%d@example.com\r\nSubject: message %d\r\nX-Spam-Flag: YES\r\n\r\n%s\r\n\xe9\xff binary tail\r\n' \
            $n $n "$text" > "$T/mail/$n.eml"
    else
        printf 'From: sender%d@example.com\nSubject: message %d\n\n%s\n' $n $n "$text" \
            > "$T/mail/$n.eml"
    fi
done
THR=$("$BIN" inspect "$M" --format json | grep -o '"threshold":[^,}]*' | head -1 | cut -d: -f2)
[ -n "$THR" ] || fail "no threshold in inspect --format json"

check "serve --help and usage errors"
run serve --help
expect_rc 0
expect_out "spamd"
run serve --listen 127.0.0.1:1
expect_rc 2
run serve -m "$M" --allow 10.0.0.0/33
expect_rc 2
run serve -m "$T/missing.slr" --listen 127.0.0.1:0
expect_rc 1

start --threads 2 --timeout 3 --max-size 100000

check "spamc -c (CHECK) agrees with spamlr predict, over TCP and a Unix socket"
# label, log-odds and name of each message (the log-odds in full: a
# probability printed to 6 digits loses it far from 0.5)
"$BIN" predict -m "$M" --format jsonl "$T"/mail/*.eml | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print("%s\t%.17g\t%s" % (d["label"], d["score"], d["id"]))' > "$T/pred"
nspam=0
while IFS='	' read -r label z id; do
    for how in "-p $PORT" "-U $T/sock"; do
        out=$(spamc $how -c < "$id")
        rc=$?
        want=0
        [ "$label" = spam ] && want=1
        [ $rc = $want ] || fail "$id: spamc -c exit $rc, predict says $label"
        score=${out%/*}
        ok "($score >= 5) == ($want == 1)" || fail "$id: score $out for $label"
        # score = 5 + log-odds - logit(threshold), printed to 0.1
        exp=$(awk -v z="$z" -v t="$THR" 'BEGIN { printf "%.3f", 5 + z - log(t / (1 - t)) }')
        ok "($score - $exp) < 0.06 && ($exp - $score) < 0.06" ||
            fail "$id: score $score, expected $exp from log-odds $z"
        [ "${out#*/}" = "5.0" ] || fail "required is ${out#*/}, not 5.0"
    done
    [ "$label" = spam ] && nspam=$((nspam + 1))
done < "$T/pred"
[ $nspam -gt 0 ] && [ $nspam -lt 24 ] || fail "test messages are all one class ($nspam spam)"

check "spamc (PROCESS) passes the message through byte for byte, adding X-Spam-* fields"
for f in "$T"/mail/*.eml; do
    spamc -p $PORT < "$f" > "$T/proc.out"
    python3 - "$f" "$T/proc.out" <<'EOF' || fail "$f: PROCESS output is not the input plus header fields"
import sys
inp, out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
eol = b"\r\n" if b"\r\n" in inp.split(b"\n", 1)[0] + b"\n" else b"\n"
at = inp.index(eol + eol) + len(eol)
head, rest = inp[:at], inp[at:]
assert out.startswith(head) and out.endswith(rest), "not a pass-through"
added = out[len(head):len(out) - len(rest)]
lines = added.split(eol)
assert lines[-1] == b"" and all(l.startswith(b"X-Spam-") for l in lines[:-1]), added
names = [l.split(b":")[0] for l in lines[:-1]]
assert names == [b"X-Spam-Checker-Version", b"X-Spam-Flag", b"X-Spam-Level", b"X-Spam-Status",
                 b"X-Spam-Probability", b"X-Spam-Words"], names
EOF
    label=$(grep -F "$f" "$T/pred" | cut -f1)
    flag=$(grep -a '^X-Spam-Flag: [YN]' "$T/proc.out" | tail -1 | tr -d '\r')
    case $label in
    spam) [ "$flag" = "X-Spam-Flag: YES" ] || fail "$f: spam, but $flag" ;;
    *) [ "$flag" = "X-Spam-Flag: NO" ] || fail "$f: ham, but $flag" ;;
    esac
    spamc -p $PORT -E < "$f" > /dev/null
    rc=$?
    [ $rc = $([ "$label" = spam ] && echo 1 || echo 0) ] || fail "$f: spamc -E exit $rc for $label"
done

check "spamc -y (SYMBOLS) and -R (REPORT) list the tokens of spamlr explain"
f=$(grep '^spam' "$T/pred" | head -1 | cut -f3)
spamc -p $PORT -y < "$f" > "$T/sym"
[ -s "$T/sym" ] || fail "SYMBOLS gave nothing"
"$BIN" explain -m "$M" --top 1 "$f" > "$T/expl"
first=$(cut -d, -f1 < "$T/sym")
grep -qF -- "$first" "$T/expl" || fail "symbol '$first' is not in spamlr explain's output"
spamc -p $PORT -R < "$f" > "$T/rep"
grep -q "^[0-9.-]*/5.0$" "$T/rep" || fail "REPORT: no score line"
grep -q "Content analysis details" "$T/rep" || fail "REPORT: no details"
grep -qF -- " $first " "$T/rep" || fail "REPORT does not list '$first'"
h=$(grep '^ham' "$T/pred" | head -1 | cut -f3)
spamc -p $PORT -r < "$h" > "$T/rif"
grep -q "Content analysis" "$T/rif" && fail "REPORT_IFSPAM reported a ham message"
spamc -p $PORT -r < "$f" | grep -q "Content analysis" || fail "REPORT_IFSPAM: no report for spam"

check "Compress: zlib gives the same verdict (Debian's spamc is built without -z)"
a=$(spamc -p $PORT -c < "$f")
python3 -c '
import sys, zlib
m = open(sys.argv[1], "rb").read()
z = zlib.compress(m)
sys.stdout.buffer.write(b"CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: %d\r\n\r\n" % len(z) + z)' "$f" > "$T/req"
RAW_WHOLE=1 raw "$T/req" | python3 -c '
import sys
out = sys.stdin.buffer.read()
for line in out.decode().split("\r\n"):
    if line.startswith("Spam: "):
        score, req = line.split(";")[1].split("/")
        print("%s/%s" % (score.strip(), req.strip()))' > "$T/zout"
[ "$(cat "$T/zout")" = "$a" ] || fail "zlib: $(cat "$T/zout"), plain: $a"

check "TELL is refused without --allow-tell and the model is left alone"
cp "$M" "$T/before.slr"
spamc -p $PORT -L spam < "$h" > "$T/out" 2>&1
grep -q "successfully" "$T/out" && fail "TELL accepted without --allow-tell"
printf 'TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: 5\r\n\r\nhello' > "$T/req"
[ "$(raw "$T/req")" = "SPAMD/1.0 69 TELL commands are not enabled, set the --allow-tell switch." ] ||
    fail "TELL without --allow-tell: $(raw "$T/req")"
cmp -s "$M" "$T/before.slr" || fail "the model changed"

check "malformed and hostile requests get their EX_ code"
expect_raw() { # expect_raw CODE: the answer to $T/req starts with SPAMD/1.0 CODE
    got=$(raw "$T/req" ${2:-})
    case $got in "SPAMD/1.0 $1 "*) ;; *) fail "expected EX code $1 for $3, got '$got'" ;; esac
}
printf 'FROB SPAMC/1.5\r\n\r\n' > "$T/req"; expect_raw 76 "" "an unknown verb"
printf 'CHECK HTTP/1.1\r\n\r\n' > "$T/req"; expect_raw 76 "" "another protocol"
head -c 3000 /dev/urandom | tr -d '\n' > "$T/req"; printf '\n\n' >> "$T/req"; expect_raw 76 "" "binary junk"
printf 'CHECK SPAMC/1.5\r\nContent-length: 500\r\n\r\nshort' > "$T/req"; expect_raw 76 "" "a Content-length too long"
printf 'CHECK SPAMC/1.5\r\nContent-length: x\r\n\r\n' > "$T/req"; expect_raw 76 "" "a bad Content-length"
printf 'CHECK SPAMC/1.5\r\nContent-length: 200000\r\n\r\n' > "$T/req"; expect_raw 65 "" "a message over --max-size"
printf 'CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: 4\r\n\r\nabcd' > "$T/req"; expect_raw 65 "" "bad zlib data"
python3 -c '
import sys, zlib
z = zlib.compress(b"a" * (50 << 20), 9)
sys.stdout.buffer.write(b"CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: %d\r\n\r\n" % len(z) + z)' > "$T/req"
expect_raw 65 "" "a zlib bomb"
python3 -c '
import sys
sys.stdout.buffer.write(b"CHECK SPAMC/1.5\r\n" + b"X-Field: value\r\n" * 10000 + b"\r\n")' > "$T/req"
expect_raw 76 "" "10,000 header fields"
python3 -c '
import sys
sys.stdout.buffer.write(b"CHECK SPAMC/1.5\r\nX: " + b"a" * (10 << 20) + b"\r\n\r\n")' > "$T/req"
got=$(raw "$T/req")
case $got in "SPAMD/1.0 76 "*|closed) ;; *) fail "a 10 MB header line: '$got'" ;; esac
printf 'CHECK SPAMC/1.5\r\nContent-length: 2\r\n\r\nhello, more than two bytes' > "$T/req"
case $(raw "$T/req") in "SPAMD/1.1 0 EX_OK") ;; *) fail "a Content-length too short is not served" ;; esac
printf 'SYMBOLS SPAMC/1.0\r\nSubject: free money\r\n\r\nwin cash now' > "$T/req"
case $(raw "$T/req") in "SPAMD/1.1 0 EX_OK") ;; *) fail "SPAMC/1.0 (no header fields)" ;; esac

check "a SPAMC/1.2 REPORT (Exim's own spamd client) is answered in the 1.2 layout"
printf 'REPORT SPAMC/1.2\r\nContent-length: 29\r\n\r\nSubject: free money\n\nwin cash' > "$T/req"
RAW_WHOLE=1 raw "$T/req" > "$T/rout"
python3 - "$T/rout" <<'EOF2' || fail "the 1.2 layout: Spam: right after the status line"
import re, sys
out = open(sys.argv[1], "rb").read()
# Exim: sscanf "SPAMD/%7s 0 EX_OK\r\nSpam: %*s ; %lf / %lf\r\n\r\n%n"
assert re.match(rb"SPAMD/1\.1 0 EX_OK\r\nSpam: (True|False) ; -?[0-9.]+ / 5\.0\r\n\r\n.*Content analysis", out, re.S), out[:200]
EOF2

check "slowloris: closed after --timeout while others are served"
printf 'CHECK SPAMC/1.5\r\nContent-length: 10\r\n\r\n0123456789' > "$T/req"
raw "$T/req" 0.4 > "$T/slow" &
slow=$!
sleep 0.5
spamc -p $PORT -c < "$f" > /dev/null
[ $? = 1 ] || fail "a client was not served during a slow one"
wait $slow
case $(cat "$T/slow") in "SPAMD/1.0 79 "*|closed) ;; *) fail "slow client: $(cat "$T/slow")" ;; esac
spamc -p $PORT -K > /dev/null || fail "no PING answer after the hostile clients"

check "SIGHUP reloads a retrained model"
sed 's/^spam	/X	/; s/^ham	/spam	/; s/^X	/ham	/' "$CORPUS" > "$T/flipped.tsv"
run train -q -o "$T/flip.slr" "$T/flipped.tsv"
expect_rc 0
before=$(spamc -p $PORT -c < "$f")
cp "$T/flip.slr" "$M.new" && mv "$M.new" "$M"
kill -HUP $PID
i=0
while [ "$(spamc -p $PORT -c < "$f")" = "$before" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
after=$(spamc -p $PORT -c < "$f")
[ "$after" != "$before" ] || fail "the verdict did not change after SIGHUP"
want=$("$BIN" predict -m "$M" "$f" | cut -f1)
spamc -p $PORT -c < "$f" > /dev/null
rc=$?
[ $rc = $([ "$want" = spam ] && echo 1 || echo 0) ] || fail "after the reload: exit $rc, predict says $want"
grep -q "reloaded" "$T/serve.log" || fail "no 'reloaded' in the log"

check "SIGTERM drains and exits 0; the socket file goes"
stop
[ $src = 0 ] || fail "exit status $src after SIGTERM"
[ -e "$T/sock" ] && fail "the Unix socket file is left"
grep -q "stopped" "$T/serve.log" || fail "no 'stopped' in the log"
grep -Eq "CHECK user=[^ ]+ size=[0-9]+ (spam|ham) score=[-0-9.]+/5.0 p=[0-9.]+ [0-9.]+ms EX_OK" \
    "$T/serve.log" || fail "no request line in the log"

# ---------------------------------------------------------------- TELL
run train -q -o "$M" "$CORPUS"
start --allow-tell --threads 2 --socket-mode 660
[ "$(stat -c %a "$T/sock")" = 660 ] || fail "--socket-mode 660: $(stat -c %a "$T/sock")"

check "spamc -L spam / ham / forget learn through the model file"
spam0=$("$BIN" inspect "$M" --format json | sed -n 's/.*"spam":\([0-9]*\).*/\1/p')
ham0=$("$BIN" inspect "$M" --format json | sed -n 's/.*"ham":\([0-9]*\).*/\1/p')
spamc -p $PORT -L spam < "$h" > "$T/out"
grep -q "Message successfully un/learned" "$T/out" || fail "-L spam: $(cat "$T/out")"
spam1=$("$BIN" inspect "$M" --format json | sed -n 's/.*"spam":\([0-9]*\).*/\1/p')
[ "$spam1" = $((spam0 + 1)) ] || fail "spam count $spam1 after -L spam, was $spam0"
# the model's record of learned messages: a repeat is answered as spamd
# answers it (no DidSet field: spamc says "already un/learned") and counts once
spamc -p $PORT -L spam < "$h" > "$T/out"
grep -q "Message was already un/learned" "$T/out" || fail "-L spam twice: $(cat "$T/out")"
spam1b=$("$BIN" inspect "$M" --format json | sed -n 's/.*"spam":\([0-9]*\).*/\1/p')
[ "$spam1b" = "$spam1" ] || fail "spam count $spam1b after a second -L spam, was $spam1"
# the served model is the saved one
p_served=$(spamc -p $PORT -c < "$h")
"$BIN" predict -m "$M" --format jsonl "$h" > "$T/pj"
p_file=$(sed -n 's/.*"probability":\([^,}]*\).*/\1/p' "$T/pj")
exp=$(awk -v p="$p_file" -v t="$THR" 'BEGIN { printf "%.1f", 5 + log(p / (1 - p)) - log(t / (1 - t)) }')
ok "(${p_served%/*} - $exp) < 0.11 && ($exp - ${p_served%/*}) < 0.11" ||
    fail "served $p_served, the saved model gives $exp"
spamc -p $PORT -L forget < "$h" > "$T/out"
grep -q "Message successfully un/learned" "$T/out" || fail "-L forget: $(cat "$T/out")"
spam2=$("$BIN" inspect "$M" --format json | sed -n 's/.*"spam":\([0-9]*\).*/\1/p')
[ "$spam2" = "$spam0" ] || fail "spam count $spam2 after -L forget, was $spam0 before -L spam"
spamc -p $PORT -L forget < "$h" > "$T/out"
grep -q "Message was already un/learned" "$T/out" || fail "-L forget twice: $(cat "$T/out")"
spam3=$("$BIN" inspect "$M" --format json | sed -n 's/.*"spam":\([0-9]*\).*/\1/p')
[ "$spam3" = "$spam0" ] || fail "spam count $spam3 after a second -L forget, was $spam0"
spamc -U "$T/sock" -L ham < "$h" > "$T/out"
grep -q "Message successfully un/learned" "$T/out" || fail "-L ham: $(cat "$T/out")"
ham1=$("$BIN" inspect "$M" --format json | sed -n 's/.*"ham":\([0-9]*\).*/\1/p')
[ "$ham1" = $((ham0 + 1)) ] || fail "ham count $ham1 after -L ham, was $ham0"

check "reload under load: spamlr learn from another process, no failed request"
python3 - "$PORT" "$f" > "$T/load" <<'EOF' &
import socket, sys, time
port, msg = int(sys.argv[1]), open(sys.argv[2], "rb").read()
bad = 0
end = time.time() + 3
n = 0
while time.time() < end:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"CHECK SPAMC/1.5\r\nContent-length: %d\r\n\r\n" % len(msg) + msg)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        k = s.recv(4096)
        if not k:
            break
        out += k
    s.close()
    n += 1
    if not out.startswith(b"SPAMD/1.1 0 EX_OK\r\n") or b"Spam: " not in out:
        bad += 1
print(n, bad)
EOF
load=$!
for i in 1 2 3 4 5 6 7 8; do
    # a new message each time: the model's record leaves a repeat alone
    { cat "$h"; echo "reload$i"; } > "$T/h$i"
    "$BIN" learn -q -m "$M" --ham "$T/h$i" || fail "spamlr learn failed"
    sleep 0.2
done
wait $load
read -r nreq nbad < "$T/load"
[ "$nbad" = 0 ] && [ "$nreq" -gt 10 ] || fail "$nbad of $nreq requests failed during relearning"
grep -q "reloaded .*(file changed)" "$T/serve.log" || fail "no reload on a changed file"

check "a second SIGTERM exits at once"
printf 'CHECK SPAMC/1.5\r\n' > "$T/req"
raw "$T/req" 1 > /dev/null &
slow=$!
sleep 0.3
kill -TERM $PID
sleep 0.3
kill -0 $PID 2>/dev/null || fail "exited before the slow request was done (no drain)"
kill -TERM $PID
wait $PID
src=$?
PID=
[ $src = 1 ] || fail "exit status $src after a second SIGTERM"
wait $slow 2>/dev/null

echo "serve.sh: all $checks checks passed"
