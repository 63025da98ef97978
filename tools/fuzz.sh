#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS] [TARGET...]: libFuzzer runs of pseg's fuzz targets (tests/fuzz: convert,
# pseg, model, image), each for SECONDS (default 60), built with clang and ASan + UBSan in
# build-fuzz/. Seeds: tests/fuzz/seeds.sh; the growing corpus stays in build-fuzz/corpus/TARGET.
# A crash, leak or sanitizer report is kept in tests/fuzz/regressions/TARGET/ (commit it: ctest
# fuzz_regressions replays that directory on every run) and fails the script. Prints each
# target's executions and rate. Long runs: tools/fuzz.sh 3600 model.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-convert pseg model image}
. tools/deps.sh
pseg_install_debs clang libclang-rt-14-dev
[ -x build/pseg ] && [ -x build/tests/make_test_models ] || pseg_build >/dev/null
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DPSEG_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do cmake --build build-fuzz -j"$(nproc)" --target "fuzz_$t" >/dev/null; done
rm -rf build-fuzz/seeds
bash tests/fuzz/seeds.sh "$PWD" build/pseg build/tests/make_test_models build-fuzz/seeds >/dev/null
status=0
for t in $targets; do
  mkdir -p "build-fuzz/corpus/$t" "tests/fuzz/regressions/$t"
  log=build-fuzz/fuzz_$t.log
  rc=0
  "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="tests/fuzz/regressions/$t/" "build-fuzz/corpus/$t" "build-fuzz/seeds/$t" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ $rc -eq 0 ]; then
    echo "ok   fuzz_$t: $execs executions in ${secs} s ($((execs / secs))/s), $cov, no crash"
  else
    echo "FAIL fuzz_$t (exit $rc): kept in tests/fuzz/regressions/$t/; log: $log"
    grep -E "ERROR|SUMMARY|==[0-9]+==" "$log" | head -5
    status=1
  fi
done
exit $status
