#!/bin/sh
# serve_bench.sh CLI BENCHDIR - `make bench`: `spamlr serve` under 1, 8 and
# 64 concurrent spamd-protocol clients (bench_serve: CHECK, one connection
# a request, as spamc makes them), throughput and latency (median, p99),
# and the daemon's resident memory. Messages: the SpamAssassin test split
# with a model trained on the train split when data/spamassassin is there,
# else the bundled corpus. When SpamAssassin's own spamd is installed it is
# measured the same way beside it (not installed by this script). Prints;
# never fails the build. SPAMLR_BENCH_REQUESTS (default 3000) per level.
set -u
CLI=$1
BB=$2
N=${SPAMLR_BENCH_REQUESTS:-3000}
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$W"' EXIT INT TERM
say() { printf '%s\n' "$*"; }
[ -x "$BB/bench_serve" ] || { say "serve bench: $BB/bench_serve missing; skipped"; exit 0; }

if [ -f data/spamassassin/test.idx ] && [ -f data/spamassassin/train.idx ]; then
    "$CLI" train -q -o "$W/m.slr" --index data/spamassassin/train.idx || exit 0
    IDX=$(pwd)/data/spamassassin/test.idx
    what="SpamAssassin test split (1496 mails), model trained on the train split"
else
    "$CLI" train -q -o "$W/m.slr" data/corpus.tsv || exit 0
    mkdir "$W/mail"
    i=0
    while IFS='	' read -r label text; do
        i=$((i + 1))
        printf 'From: a%d@example.com\nSubject: message %d\n\n%s\n' $i $i "$text" > "$W/mail/$i.eml"
        echo "$label mail/$i.eml" >> "$W/test.idx"
    done < data/corpus-test.tsv
    IDX=$W/test.idx
    what="bundled corpus-test.tsv (120 short mails)"
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 17839)
"$CLI" serve -m "$W/m.slr" --listen 127.0.0.1:$PORT --log syslog 2>"$W/log" &
PID=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT))" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 50 ] && { say "serve bench: the daemon did not start"; exit 0; }
    sleep 0.1
done
say "== spamlr serve: CHECK over TCP, $what, $(nproc 2>/dev/null || echo '?') CPUs"
for c in 1 8 64; do
    "$BB/bench_serve" $PORT "$IDX" $c $N
done
say "resident memory of the daemon: $(awk '/VmRSS/ { print $2, $3 }' /proc/$PID/status 2>/dev/null)," \
    "peak $(awk '/VmHWM/ { print $2, $3 }' /proc/$PID/status 2>/dev/null)"
kill -TERM $PID
wait $PID
PID=
if command -v spamd >/dev/null 2>&1; then
    # a port of its own, asked for afresh (PORT + 1 was once taken by a
    # client's ephemeral port, and spamd then never started)
    SPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((PORT + 1)))
    spamd --port $SPORT -i 127.0.0.1 -A 127.0.0.1 -L -s stderr 2>"$W/spamd.log" &
    PID=$!
    # ready when it answers a PING (its rules compile first: seconds)
    i=0
    while [ $i -lt 60 ] && ! spamc -d 127.0.0.1 -p $SPORT -K >/dev/null 2>&1; do
        sleep 0.5
        i=$((i + 1))
    done
    say "== SpamAssassin spamd (-L: local tests only, its default rules and Bayes as configured)"
    if spamc -d 127.0.0.1 -p $SPORT -K >/dev/null 2>&1; then
        for c in 1 8; do
            "$BB/bench_serve" $SPORT "$IDX" $c $((N / 10))
        done
    else
        say "   spamd did not answer on port $SPORT: no comparison ($(tail -1 "$W/spamd.log"))"
    fi
    kill -TERM $PID 2>/dev/null
    wait $PID
    PID=
else
    say "(SpamAssassin's spamd is not installed: no comparison; apt-get install spamassassin)"
fi
exit 0
