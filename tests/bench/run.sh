#!/bin/sh
# run.sh CLI BENCHDIR - `make bench`: spamlr against LIBLINEAR on the same
# libsvm matrix, every SIMD kernel against the scalar one, threads, growth
# with the data size (the solver alone, and whole-process training on mail
# files), and e-mail reading throughput. Prints; never fails
# the build; skips what is missing with a message.
#
# Times: whole-process runs are repeated (timeit: median wall and median
# CPU = user + system); a comparison with bogofilter runs the two commands
# in turn (timeit N A --vs B) and its ratio is the median of the N pairs'
# ratios, so that a slow stretch of a shared machine slows both of a pair
# rather than one of two medians taken apart; the solver's own figure is
# the "solve time" that `spamlr train` reports (wall, median over as many
# runs). LIBLINEAR prints no solve time, so solve-only is compared the
# same way for both: the CPU time of the whole process minus that of the
# same command told to stop at once (liblinear -e 1e30, spamlr --tol 1),
# which reads the data, builds the problem, evaluates f and its gradient
# once and writes the model. CPU time is used because on a shared machine
# wall time mostly measures the other processes; both are printed.
set -u
CLI=$1
BB=$2
DATA=${SPAMLR_BENCH_DATA:-data/spamassassin}
REPS=${SPAMLR_BENCH_REPS:-7}
W=$(mktemp -d /dev/shm/spamlr-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
SUMMARY=$W/summary

say() { printf '%s\n' "$*"; }
row() { printf '%-44s %s\n' "$1" "$2" >> "$SUMMARY"; }
# ratio A B -> A/B with 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }
# solve_times N ARGS... -> median of the "solve time" spamlr train reports
solve_time() {
    n=$1; shift
    i=0
    while [ $i -lt "$n" ]; do
        "$CLI" train "$@" 2>&1 | awk '/solve time/ { print $3 }'
        i=$((i + 1))
    done | median
}

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
say "== spamlr bench: $(uname -m), $ncpu cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), simd $("$CLI" --version | sed 's/.*simd: \([a-z0-9]*\).*/\1/')"
say "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
: > "$SUMMARY"

# ---------------------------------------------------------------- kernels
say ""
say "== (b) kernels: SIMD vs scalar in one binary (CPU time, median of 41)"
"$BB/kbench" | tee "$W/kbench"
awk '/^(dot|axpy|scale|nrm2sq|sdot|saxpy)/ {
        name = $1; if ($2 ~ /^\(/) { name = name " " $2 }
        printf "kernel %-37s %sx\n", name, substr($NF, 1, length($NF) - 1) }' "$W/kbench" |
    sed 's/^kernel \(.\{37\}\) /kernel \1 /' >> "$SUMMARY"

if [ ! -f "$DATA/train.idx" ]; then
    say ""
    say "== SpamAssassin corpus not found in $DATA (make corpus): skipping the rest"
    cat "$SUMMARY"
    exit 0
fi

# ------------------------------------------------------ e-mail throughput
say ""
say "== (e) reading e-mail, one core (CPU time, median of 5)"
set -- $("$BB/tokbench" "$DATA/train.idx")
say "   $1 messages, $2 MB: MIME + decode + tokenise + vocabulary $3 MB/s; tokeniser alone $4 MB/s (simd $("$CLI" --version | sed 's/.*simd: \([a-z0-9]*\).*/\1/')); memchr over the same bytes ${5:-n/a} MB/s"
say "   where the whole path's time goes: the parse alone (MIME, headers, HTML, the same ${7:-?} tokens to a callback that counts them) ${6:-n/a} MB/s; turning the tokens into rows (hash, vocabulary, counts, sort) the rest, ${8:-n/a} ns a token"
row "e-mail: MIME+tokenise+vocab (MB/s)" "$3"
row "e-mail: parse alone, no rows (MB/s)" "${6:-n/a}"
row "e-mail: tokens into rows (ns a token)" "${8:-n/a}"
row "e-mail: tokeniser alone (MB/s)" "$4"
row "e-mail: tokeniser / memchr" "$(ratio "$4" "${5:-0}")"
for isa in scalar sse2 avx2 avx512; do
    set -- $(SPAMLR_SIMD=$isa "$BB/tokbench" "$DATA/train.idx")
    say "   SPAMLR_SIMD=$isa: whole path $3 MB/s, tokeniser alone $4 MB/s"
done
# getting the files into memory from the page cache, three ways
set -- $("$BB/readbench" "$DATA/train.idx")
say "   files from the page cache ($1 files, $2 MB, wall, median of 5): read into a malloc'ed buffer (the library's way) $3 MB/s, into one reused buffer $4 MB/s, mmap $5 MB/s"
row "files: read / mmap (page cache)" "$(ratio "${3:-0}" "${5:-0}")"

# ------------------------------------------------- end to end vs bogofilter
say ""
say "== (f) end to end on the SpamAssassin split: spamlr defaults vs bogofilter (run in turn: medians of 5 and the median of the 5 pairs' ratios)"
if command -v bogofilter >/dev/null 2>&1; then
    ( cd "$DATA" && awk '$1 == "spam" { print $2 }' train.idx > "$W/tr.spam" &&
      awk '$1 == "ham" { print $2 }' train.idx > "$W/tr.ham" && awk '{ print $2 }' test.idx > "$W/te.all" )
    printf 'cd "%s" && rm -rf "%s/bogo" && bogofilter -d "%s/bogo" -s -B $(cat "%s/tr.spam") && bogofilter -d "%s/bogo" -n -B $(cat "%s/tr.ham")\n' \
        "$DATA" "$W" "$W" "$W" "$W" "$W" > "$W/bogo_train.sh"
    printf 'cd "%s" && bogofilter -d "%s/bogo" -T -B $(cat "%s/te.all"); exit 0\n' \
        "$DATA" "$W" "$W" > "$W/bogo_test.sh"
    # each spamlr run paired with a run of its peer (timeit --vs: the two
    # in turn, the ratio the median of the pairs' ratios)
    for t in 1 2; do
        set -- $("$BB/timeit" 5 sh "$W/bogo_train.sh" --vs "$CLI" train -q --threads "$t" -o "$W/d$t.slr" --index "$DATA/train.idx")
        bt=${1:-n/a} st=${3:-n/a} rt=${5:-n/a}
        # one more run, not timed, for its report's time line (timeit sends
        # the report to /dev/null); it also writes the model predict uses
        tl=$("$CLI" train --threads "$t" -o "$W/d$t.slr" --index "$DATA/train.idx" 2>&1 |
            sed -n 's/^  time  *//p')
        set -- $("$BB/timeit" 5 sh "$W/bogo_test.sh" --vs "$CLI" predict -q --threads "$t" -m "$W/d$t.slr" --index "$DATA/test.idx")
        bp=${1:-n/a} sp=${3:-n/a} rp=${5:-n/a}
        say "   threads $t: train spamlr $st s, bogofilter $bt s: ${rt}x; verdicts for the test split spamlr $sp s, bogofilter -T $bp s: ${rp}x"
        say "   threads $t: $tl"
        row "train vs bogofilter, threads $t (x)" "$rt"
        row "predict vs bogofilter -T, threads $t (x)" "$rp"
    done
    # One message at a time, as a mail filter starts a program per mail
    # (through sh: bogofilter's exit status is the verdict): the first test
    # mail, the model (packed, and the same in the mapped layout: read in
    # place, no table built) and the word list cached; medians of 21
    one=$(awk 'NR == 1 { print $2 }' "$DATA/test.idx")
    "$CLI" prune -q -m "$W/d1.slr" --layout mapped -o "$W/d1m.slr"
    # one_mail WHAT ROW BOGOFILTER-ARGS SPAMLR-COMMAND [ARG]
    one_mail() {
        printf 'bogofilter -d "%s/bogo" %s < "%s/%s" > /dev/null; exit 0\n' "$W" "$3" "$DATA" "$one" > "$W/bogo_one.sh"
        for m in d1 d1m; do
            printf '"%s" %s -m "%s/%s.slr" %s < "%s/%s" > /dev/null; exit 0\n' \
                "$CLI" "$4" "$W" "$m" "${5:-}" "$DATA" "$one" > "$W/spamlr_$m.sh"
        done
        what=$1 name=$2 bargs=$3 cmd=$4
        set -- $("$BB/timeit" 21 sh "$W/bogo_one.sh" --vs sh "$W/spamlr_d1.sh"); bo=${1:-n/a} so=${3:-n/a} ro=${5:-n/a}
        set -- $("$BB/timeit" 21 sh "$W/bogo_one.sh" --vs sh "$W/spamlr_d1m.sh"); som=${3:-n/a} rom=${5:-n/a}
        say "   $what (a program started for it, through sh): spamlr $cmd $so s (mapped model $som s), bogofilter $bargs $bo s: ${ro}x (mapped ${rom}x)"
        row "$name (x)" "$ro"
        row "$name, mapped model (x)" "$rom"
    }
    one_mail "one message" "one message vs bogofilter -T" "-T" predict -
    cp "$W/bogo_one.sh" "$W/bogo_one_t.sh" # bogofilter -T on that mail, for the learned model below
    # as a mail filter: the mail written out with the verdict's fields
    one_mail "one message as a mail filter" "filter one message vs bogofilter -e -p" "-e -p" filter
    # Registering that mail as spam, as a filter's "this is spam" button
    # does: each run on a fresh copy of the model / the word list (copied
    # untimed), so that every run learns it (a mail learned already is
    # left alone, faster)
    # learn_one DIR MODEL: that, learning with a copy of MODEL in DIR,
    # paired with bogofilter -s on a copy of DIR/bogo0 (both copied
    # untimed before each run); sets ob, os (bogofilter's and spamlr's
    # medians) and or (the pairs' ratio)
    learn_one() {
        ld=$1 lm=$2
        printf 'bogofilter -d "%s/bogo" -s < "%s/%s"; exit 0\n' "$ld" "$DATA" "$one" > "$ld/bogo_reg.sh"
        printf '"%s" learn -q -m "%s/l.slr" --spam - < "%s/%s"; exit 0\n' "$CLI" "$ld" "$DATA" "$one" > "$ld/spamlr_reg.sh"
        set -- $(TIMEIT_BEFORE="rm -rf '$ld/bogo' && cp -r '$ld/bogo0' '$ld/bogo'" \
            TIMEIT_BEFORE_VS="cp '$lm' '$ld/l.slr'" \
            "$BB/timeit" 21 sh "$ld/bogo_reg.sh" --vs sh "$ld/spamlr_reg.sh")
        ob=${1:-n/a} os=${3:-n/a} or=${5:-n/a}
    }
    cp -r "$W/bogo" "$W/bogo0"
    learn_one "$W" "$W/d1.slr"; br=$ob sr=$os rr=$or
    learn_one "$W" "$W/d1m.slr"; srm=$os rrm=$or
    say "   learning one message as spam (a program started for it, through sh): spamlr learn $sr s (mapped model $srm s), bogofilter -s $br s: ${rr}x (mapped ${rrm}x)"
    row "learn one message vs bogofilter -s (x)" "$rr"
    row "learn one message, mapped model, vs bogofilter -s (x)" "$rrm"
    # The same on the file system of the build directory when it is not
    # W's (tmpfs, where fsync costs nothing): a model and a word list on a
    # disk pay for syncing what they write (spamlr: the whole file and its
    # directory; bogofilter: its database's changes)
    if [ "$(stat -f -c %T "$BB" 2>/dev/null)" != "$(stat -f -c %T "$W" 2>/dev/null)" ] &&
        D2=$(mktemp -d "$BB/learn-disk.XXXXXX" 2>/dev/null); then
        cp -r "$W/bogo0" "$D2/bogo0"
        learn_one "$D2" "$W/d1.slr"; dbr=$ob dsr=$os drr=$or
        learn_one "$D2" "$W/d1m.slr"; dsrm=$os drrm=$or
        fs=$(df -T "$BB" 2>/dev/null | awk 'NR == 2 { print $2 }')
        say "   the same on ${fs:-disk} (the build directory's file system): spamlr learn $dsr s (mapped model $dsrm s), bogofilter -s $dbr s: ${drr}x (mapped ${drrm}x)"
        row "learn one message on disk vs bogofilter -s (x)" "$drr"
        row "learn one message on disk, mapped model (x)" "$drrm"
        rm -rf "$D2"
    fi
    # The bogofilter way end to end: a model made by learning a folder of
    # each class (the train split's spam, then its ham: `learn --create`,
    # mapped), then one process per mail to judge it or to learn it,
    # against bogofilter's word list of the same mails (bogofilter -T, -s)
    rm -f "$W/lm.slr"
    cli_abs=$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")
    printf 'cd "%s" && "%s" learn -q --create -m "%s/lm.slr" --spam $(cat "%s/tr.spam") && "%s" learn -q -m "%s/lm.slr" --ham $(cat "%s/tr.ham")\n' \
        "$DATA" "$cli_abs" "$W" "$W" "$cli_abs" "$W" "$W" > "$W/lm_boot.sh"
    # (bogofilter's runs are paired with these too: its training against
    # the two folders learned, -T and -s on the same mail with the same
    # word list against predict and learn with this model)
    set -- $(TIMEIT_BEFORE_VS="rm -f '$W/lm.slr'" "$BB/timeit" 5 sh "$W/bogo_train.sh" --vs sh "$W/lm_boot.sh")
    lbt=${1:-n/a} lb=${3:-n/a} rlb=${5:-n/a}
    if [ -f "$W/lm.slr" ]; then
        printf '"%s" predict -m "%s/lm.slr" - < "%s/%s" > /dev/null; exit 0\n' "$CLI" "$W" "$DATA" "$one" > "$W/lm_one.sh"
        set -- $("$BB/timeit" 21 sh "$W/bogo_one_t.sh" --vs sh "$W/lm_one.sh"); lbo=${1:-n/a} lo=${3:-n/a} rlo=${5:-n/a}
        learn_one "$W" "$W/lm.slr"; lbr=$ob lr=$os rlr=$or
        say "   learning the train split folder by folder (spam, then ham): spamlr learn $lb s, bogofilter $lbt s: ${rlb}x"
        row "learn folder by folder vs bogofilter (x)" "$rlb"
        say "   a model learned folder by folder ($(wc -c < "$W/lm.slr") bytes, mapped), a process per mail: predict $lo s, bogofilter -T $lbo s: ${rlo}x; learn $lr s, bogofilter -s $lbr s: ${rlr}x"
        row "learned model: one message vs bogofilter -T (x)" "$rlo"
        row "learned model: learn one vs bogofilter -s (x)" "$rlr"
    else
        say "   learn bootstrap failed"
    fi
    rm -rf "$W/bogo" && mv "$W/bogo0" "$W/bogo"
    # From the disk: before each run the split's files are dropped from
    # the page cache (uncache: posix_fadvise DONTNEED), as when a mail
    # archive is first trained on; the model stays cached
    uc="$BB/uncache $DATA/train.idx $DATA/test.idx"
    for t in 1 2; do
        set -- $(TIMEIT_BEFORE="$uc" "$BB/timeit" 5 sh "$W/bogo_train.sh" --vs "$CLI" train -q --threads "$t" -o "$W/c$t.slr" --index "$DATA/train.idx")
        cbt=${1:-n/a} cst=${3:-n/a} rct=${5:-n/a}
        set -- $(TIMEIT_BEFORE="$uc" "$BB/timeit" 5 sh "$W/bogo_test.sh" --vs "$CLI" predict -q --threads "$t" -m "$W/d$t.slr" --index "$DATA/test.idx")
        cbp=${1:-n/a} csp=${3:-n/a} rcp=${5:-n/a}
        say "   from the disk (files dropped from the page cache), threads $t: train spamlr $cst s, bogofilter $cbt s: ${rct}x; verdicts spamlr $csp s, bogofilter -T $cbp s: ${rcp}x"
        row "train from disk vs bogofilter, threads $t (x)" "$rct"
        row "predict from disk vs bogofilter, threads $t (x)" "$rcp"
    done
    if [ -x /usr/bin/time ]; then
        # peak RSS moves by a megabyte or two from run to run (huge pages,
        # the threads' malloc arenas): the median of 5 runs each
        rss_med() { # rss_med COMMAND... -> median peak RSS (KB) of 5 runs
            for i in 1 2 3 4 5; do
                /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
            done | sort -n | sed -n 3p
        }
        for t in 1 2; do
            rss_s=$(rss_med "$CLI" train -q --threads "$t" -o "$W/d.slr" --index "$DATA/train.idx")
            [ "$t" = 1 ] && rss_b=$(rss_med sh "$W/bogo_train.sh")
            say "   peak RSS of training (median of 5), threads $t: spamlr $rss_s KB, bogofilter $rss_b KB"
            row "train peak RSS vs bogofilter, threads $t (x)" "$(ratio "$rss_s" "$rss_b")"
        done
    fi
else
    say "   skipped: apt-get install bogofilter"
fi

# ----------------------------------------------------------------- solver
say ""
say "== (a) solver: spamlr vs LIBLINEAR -s 0 -c 1, same libsvm file, no bias"
"$BB/tolibsvm" "$DATA/train.idx" "$W/sa.svm" || { say "cannot write the libsvm file"; exit 0; }
say "   matrix: $(wc -l < "$W/sa.svm") rows, $(awk '{ n += NF - 1 } END { print n }' "$W/sa.svm") non-zeros, binary L2-normalised word features"
LL=$(command -v liblinear-train || true)
if [ -z "$LL" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "   installing liblinear-tools ..."
    apt-get install -y -qq liblinear-tools >/dev/null 2>&1 || true
    LL=$(command -v liblinear-train || true)
fi
SP="--no-bias --format libsvm $W/sa.svm -c 1"
set -- $("$BB/timeit" "$REPS" "$CLI" train $SP -o "$W/s.slr")
sp_wall=$1 sp_cpu=$2
sp_solve=$(solve_time "$REPS" $SP -o "$W/s.slr")
set -- $("$BB/timeit" "$REPS" "$CLI" train $SP --tol 1 -o "$W/s0.slr")
sp_load_cpu=$2
sp_solve_cpu=$(awk -v a="$sp_cpu" -v b="$sp_load_cpu" 'BEGIN { printf "%.4f", a - b }')
sp_obj=$("$BB/lrobj" "$W/sa.svm" 1 spamlr "$W/s.slr")
"$CLI" train $SP --tol 1e-10 -o "$W/st.slr" -q
sp_tight=$("$BB/lrobj" "$W/sa.svm" 1 spamlr "$W/st.slr")
say "   spamlr (tol 1e-4):  whole $sp_wall s wall, $sp_cpu s CPU; solve ~$sp_solve_cpu s CPU (minus $sp_load_cpu s with --tol 1), reported solve $sp_solve s wall; objective $sp_obj"
say "   spamlr (tol 1e-10): objective $sp_tight"
if [ -z "$LL" ]; then
    say "   liblinear-train not installed: skipping the comparison"
else
    set -- $("$BB/timeit" "$REPS" "$LL" -s 0 -c 1 "$W/sa.svm" "$W/ll.model")
    ll_wall=$1 ll_cpu=$2
    set -- $("$BB/timeit" "$REPS" "$LL" -s 0 -c 1 -e 1e30 "$W/sa.svm" "$W/ll0.model")
    ll_load_wall=$1 ll_load_cpu=$2
    ll_solve=$(awk -v a="$ll_cpu" -v b="$ll_load_cpu" 'BEGIN { printf "%.4f", a - b }')
    ll_obj=$("$BB/lrobj" "$W/sa.svm" 1 liblinear "$W/ll.model")
    "$LL" -s 0 -c 1 -e 1e-6 "$W/sa.svm" "$W/llt.model" >/dev/null
    ll_tight=$("$BB/lrobj" "$W/sa.svm" 1 liblinear "$W/llt.model")
    rel=$(awk -v a="$sp_tight" -v b="$ll_tight" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.2e", d / b }')
    say "   liblinear (-e 0.01): whole $ll_wall s wall, $ll_cpu s CPU; solve ~$ll_solve s CPU (minus $ll_load_cpu s with -e 1e30); objective $ll_obj"
    say "   liblinear (-e 1e-6): objective $ll_tight"
    say "   tight objectives differ by $rel relative (goal <= 1e-6)"
    row "solver: objective spamlr tight" "$sp_tight"
    row "solver: objective liblinear -e 1e-6" "$ll_tight (rel diff $rel)"
    row "solver: objective at defaults sp / ll" "$sp_obj / $ll_obj"
    row "solver: whole-process wall ll/sp (goal 3)" "$(ratio "$ll_wall" "$sp_wall")x ($ll_wall s / $sp_wall s)"
    row "solver: whole-process CPU ll/sp (goal 3)" "$(ratio "$ll_cpu" "$sp_cpu")x ($ll_cpu s / $sp_cpu s)"
    row "solver: solve-only CPU ll/sp (goal 2)" "$(ratio "$ll_solve" "$sp_solve_cpu")x ($ll_solve s / $sp_solve_cpu s)"
fi

# ---------------------------------------------------------------- threads
say ""
say "== (c) threads: 1 vs $ncpu on the corpus replicated 8x (solve time, median of 3)"
"$BB/tolibsvm" "$DATA/train.idx" "$W/sa8.svm" 8
t1=$(solve_time 3 --no-bias -c 1 --format libsvm "$W/sa8.svm" --threads 1 -o "$W/t.slr")
tn=$(solve_time 3 --no-bias -c 1 --format libsvm "$W/sa8.svm" --threads "$ncpu" -o "$W/t.slr")
say "   1 thread $t1 s, $ncpu threads $tn s: $(ratio "$t1" "$tn")x"
row "threads: 1 vs $ncpu, 8x data (goal 1.7)" "$(ratio "$t1" "$tn")x ($t1 s / $tn s)"

# ----------------------------------------------------------------- growth
say ""
say "== (d) growth: training time at 1x, 4x, 16x the data (C = 1, $ncpu threads; median of 3)"
"$BB/tolibsvm" "$DATA/train.idx" "$W/sa4.svm" 4
rm -f "$W/sa8.svm"
"$BB/tolibsvm" "$DATA/train.idx" "$W/sa16.svm" 16
base=""
for k in 1 4 16; do
    f=$W/sa$k.svm
    [ "$k" = 1 ] && f=$W/sa.svm
    st=$(solve_time 3 --no-bias -c 1 --format libsvm "$f" -o "$W/g.slr")
    set -- $("$BB/timeit" 3 "$CLI" train --no-bias -c 1 --format libsvm "$f" -o "$W/g.slr")
    [ -z "$base" ] && base=$st
    # replicating rows k times is the same problem with C * k: worse
    # conditioned, so more Hessian products are needed; print them
    it=$("$CLI" train --no-bias -c 1 --format libsvm "$f" -o "$W/g.slr" 2>&1 |
         awk '/iterations/ { print $2 " outer, " substr($3, 2) " Hessian products" }')
    say "   ${k}x: solve $st s ($(ratio "$st" "$base")x of 1x; $it), whole $1 s wall, $2 s CPU"
    row "growth: ${k}x solve s (x of 1x) / whole CPU s" "$st ($(ratio "$st" "$base")x; $it) / $2"
done

# ------------------------------------------------- growth, whole process
# The issue's measure: `spamlr train` with its defaults (C chosen on the
# validation path, every core) on the train split's mail files, the index
# listed k times over (so k times the files to open, read and parse), as
# a user would run it. One index a k in $W, its paths made absolute (an
# index's paths are relative to its own folder). Wall and CPU time, time
# per 1x of data, and peak RSS from /usr/bin/time when present (else
# timeit's wall and CPU, no RSS); each the median of 3 runs.
say ""
say "== (d) growth, whole process: spamlr train (defaults) on the train split's mails listed 1x, 4x, 16x (median of 3)"
dabs=$(cd "$DATA" && pwd)
for k in 1 4 16; do
    awk -v k="$k" -v d="$dabs" '
        /^[ \t]*(#|$)/ { next }
        { sub(/^[ \t]+/, ""); lab = $1; p = substr($0, length(lab) + 1); sub(/^[ \t]+/, "", p)
          line[++n] = lab " " (p ~ /^\// ? p : d "/" p) }
        END { for (r = 0; r < k; r++) for (i = 1; i <= n; i++) print line[i] }' \
        "$DATA/train.idx" > "$W/mail$k.idx"
    nf=$(wc -l < "$W/mail$k.idx")
    if [ -x /usr/bin/time ]; then
        i=0 ok=1
        : > "$W/gw.times"
        while [ $i -lt 3 ]; do
            /usr/bin/time -o "$W/gw.time" -f '%e %U %S %M' \
                "$CLI" train -q -o "$W/gw.slr" --index "$W/mail$k.idx" >/dev/null 2>"$W/gw.err" || { ok=0; break; }
            tail -1 "$W/gw.time" >> "$W/gw.times"
            i=$((i + 1))
        done
        if [ $ok = 1 ]; then
            wall=$(awk '{ print $1 }' "$W/gw.times" | median)
            cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$W/gw.times" | median)
            rss=$(awk '{ printf "%.0f\n", $4 / 1024 }' "$W/gw.times" | median)
        fi
    else
        rss=n/a
        ok=0
        t=$("$BB/timeit" 3 "$CLI" train -q -o "$W/gw.slr" --index "$W/mail$k.idx") &&
            set -- $t && ok=1 wall=$1 cpu=$2
    fi
    if [ $ok = 0 ]; then
        say "   ${k}x ($nf files): train failed: $(head -c 300 "$W/gw.err" 2>/dev/null)"
        row "growth: train ${k}x mails" "failed"
        continue
    fi
    per=$(awk -v w="$wall" -v k="$k" 'BEGIN { printf "%.3f", w / k }')
    say "   ${k}x ($nf files): $wall s wall, $cpu s CPU; per 1x $per s wall," \
        "$(awk -v c="$cpu" -v k="$k" 'BEGIN { printf "%.3f", c / k }') s CPU; peak RSS $rss MiB"
    row "growth: train ${k}x mails: wall/CPU/1x/RSS" "$wall s / $cpu s / $per s / $rss MiB"
done
rm -f "$W"/mail*.idx "$W"/gw.*

say ""
say "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'); load average now $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
cat "$SUMMARY"
exit 0
