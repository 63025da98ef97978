#!/usr/bin/env bash
# Two pseg builds against each other, alternating in one run (the machine's noise hits both):
#   bash bench/ab.sh OLD_PSEG NEW_PSEG [MODEL] [ROUNDS] [ITERATIONS]
# Per round, `pseg bench --json` of each build (median wall time per frame over ITERATIONS frames);
# prints each build's round medians, the median of them, and new/old.
# AB_METRIC=cpu_ms_per_frame compares the process's CPU time a frame instead of wall time: on a CPU
# driver in a VM whose host lends its cores to others, wall times swung by half from minute to
# minute, CPU time by about a fifth of that (BENCHMARKS.md, 2026-11-29: what the driver's workers
# compute; their waiting is not counted).
# AB_OLD_ENV / AB_NEW_ENV: VAR=VALUE words set for that side alone, so one build can be compared
# with itself under two settings, e.g. AB_OLD_ENV=PSEG_QDOT=0 bash bench/ab.sh build/pseg build/pseg M.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: [AB_METRIC=cpu_ms_per_frame] [AB_OLD_ENV=VAR=VALUE] [AB_NEW_ENV=...] bash bench/ab.sh OLD_PSEG NEW_PSEG [MODEL] [ROUNDS] [ITERATIONS]" >&2
  exit 2
fi
old=$1 new=$2 model=${3:-selfie} rounds=${4:-8} iters=${5:-30} metric=${AB_METRIC:-ms_median}
old_env=${AB_OLD_ENV:-} new_env=${AB_NEW_ENV:-}
case $metric in ms_median | cpu_ms_per_frame | latency_ms_median) ;; *) echo "ab.sh: AB_METRIC is ms_median, cpu_ms_per_frame or latency_ms_median" >&2; exit 2 ;; esac
for b in "$old" "$new"; do [ -x "$b" ] || { echo "ab.sh: $b is not an executable" >&2; exit 2; }; done
[ "$old" != "$new" ] || [ "$old_env" != "$new_env" ] ||
  { echo "ab.sh: give two different builds, or AB_OLD_ENV / AB_NEW_ENV that differ" >&2; exit 2; }
for _ in $(seq "$rounds"); do
  for side in old new; do
    if [ $side = old ]; then b=$old e=$old_env; else b=$new e=$new_env; fi
    printf '%s ' "$side $b${e:+ ($e)}"
    # shellcheck disable=SC2086 # e: VAR=VALUE words
    env $e "$b" bench --model "$model" --iterations "$iters" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$metric"
  done
done | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    name, ms = line.rsplit(" ", 1)
    runs.setdefault(name, []).append(float(ms))
(old, a), (new, b) = runs.items()
for name, v in ((old, a), (new, b)):
    print("%s: median %.3f ms  rounds %s" % (name, statistics.median(v), " ".join("%.2f" % x for x in v)))
print("new/old %.3f" % (statistics.median(b) / statistics.median(a)))'
