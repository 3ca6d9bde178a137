#!/bin/sh
# tests/fuzz/run.sh SECONDS [TARGET...] - runs each fuzz target (built by
# `make fuzz`) for SECONDS, one after the other, single job. The working
# corpus grows in $FUZZ_B/work/<target> (seeded from tests/fuzz/corpus);
# crashes land in $FUZZ_B/artifacts/<target>/ and the log in
# $FUZZ_B/log/<target>.log. Prints one summary line per target.
set -u
secs=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
B=${FUZZ_B:-build-fuzz}
[ $# -gt 0 ] || set -- $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
for t in "$@"; do
  mkdir -p "$B/work/$t" "$B/artifacts/$t" "$B/log"
  cp -n tests/fuzz/corpus/$t/* "$B/work/$t/" 2>/dev/null
  # fuzz_predict scores fuzz_mime's mails too (its first byte picks a model)
  [ "$t" = fuzz_predict ] && cp -n tests/fuzz/corpus/fuzz_mime/* "$B/work/$t/" 2>/dev/null
  "$B/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" \
      "$B/work/$t" > "$B/log/$t.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/log/$t.log" | tail -1)
  echo "$t: exit $rc, execs ${execs:-?}, corpus $(ls "$B/work/$t" | wc -l), artifacts $(ls "$B/artifacts/$t" | wc -l)"
done
