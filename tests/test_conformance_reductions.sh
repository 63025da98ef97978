#!/usr/bin/env bash
# pseg conformance reductions on every device (run with PSEG_VALIDATION=1: any validation message
# fails the command): exit code 0; every fp32-accumulation reduction and every stable softmax row
# right; where the device has fp16, the naive fp16 sum overflows (NaN/Inf) exactly on the cases
# whose sum exceeds 65504, the prescaled fp16 mean stays finite, and the naive softmax is wrong on
# +Inf and on huge logits (the report shows the failures it exists to show).
# Usage: test_conformance_reductions.sh PSEG
set -uo pipefail
PSEG=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rc=0
"$PSEG" conformance reductions --device all --json "$T/report.json" > "$T/out.txt" || rc=$?
echo "pseg conformance reductions: exit code $rc"
status=0
[ "$rc" -eq 0 ] || { echo "FAIL exit code $rc (expected 0)"; cat "$T/out.txt"; status=1; }
node - "$T/report.json" <<'JS' || status=1
const r = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
let fails = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) fails++; };
check(r.suite === 'reductions' && r.pass === true && r.devices.length >= 1, 'report: suite reductions, pass, devices');
const over = Object.fromEntries(r.cases.map((c) => [c.name, c.fp16_sum_overflows]));
check(Object.values(over).filter((v) => v).length >= 3 && Object.values(over).filter((v) => !v).length >= 3,
      'cases: at least 3 whose fp16 sum overflows and 3 whose does not');
let fp16dev = 0;
for (const d of r.devices) {
  check(d.error === null && d.validation_messages === 0 && d.pass, `${d.name}: no error, no validation message, pass`);
  for (const x of d.reductions.filter((x) => x.accumulation === 'fp32'))
    check(x.pass && x.nonfinite === 0 && x.max_rel_err <= 1e-5, `${d.name} ${x.case} fp32: rel err ${x.max_rel_err}`);
  for (const x of d.softmax.filter((x) => x.variant.startsWith('stable')))
    check(x.as_expected, `${d.name} softmax ${x.row} ${x.variant}: ${JSON.stringify(x.got)}`);
  if (!d.fp16) continue;
  fp16dev++;
  for (const x of d.reductions.filter((x) => x.accumulation === 'fp16'))
    check((x.nonfinite > 0) === over[x.case], `${d.name} ${x.case} fp16 sum: ${x.nonfinite} NaN/Inf (overflow expected: ${over[x.case]})`);
  for (const x of d.reductions.filter((x) => x.accumulation === 'fp16-prescaled'))
    check(x.nonfinite === 0, `${d.name} ${x.case} fp16 prescaled mean: finite`);
  const naive = (row, v) => d.softmax.find((x) => x.row === row && x.variant === v);
  check(!naive('[+Inf, 0, -Inf]', 'naive_fp32').as_expected, `${d.name} naive fp32 softmax wrong on +Inf`);
  check(!naive('[1000, 999, -Inf]', 'naive_fp32').as_expected, `${d.name} naive fp32 softmax wrong on logits 1000, 999`);
  check(!naive('[20, 0, -Inf]', 'naive_fp16').as_expected, `${d.name} naive fp16 softmax wrong on a logit of 20`);
}
check(fp16dev >= 1, `${fp16dev} device(s) with fp16 arithmetic (at least one needed)`);
process.exit(fails ? 1 : 0);
JS
rc=0
"$PSEG" conformance reductions extra 2>"$T/err" >/dev/null || rc=$?
[ "$rc" -eq 2 ] && echo "ok   an unexpected argument: usage, exit code 2" || { echo "FAIL unexpected argument: exit code $rc"; status=1; }
exit $status
