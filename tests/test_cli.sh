#!/usr/bin/env bash
# Every subcommand answers --help with its own usage (exit 0) and an unknown option with an error
# and its own usage (exit 2); pseg --version names the tool's and the library's version (issue 16).
# Usage: test_cli.sh PSEG
set -uo pipefail
PSEG=$1
status=0
for c in segment devices convert bench run compare video profile conformance; do
  h=$("$PSEG" $c --help 2>&1); rh=$?
  b=$("$PSEG" $c --no-such-option 2>&1); rb=$?
  first=$(grep -m1 -E '^(usage: |  )pseg ' <<< "$h")
  other=$([ $c = segment ] && echo convert || echo segment) # another subcommand's usage must not be there
  if [ $rh = 0 ] && [[ $first =~ ^(usage:\ |\ \ )pseg\ $c ]] && [ $rb = 2 ] && grep -q -- "--no-such-option" <<< "$b" &&
     grep -q -E "^(usage: |  )pseg $c" <<< "$b" && ! grep -q "pseg $other " <<< "$h"; then
    echo "ok   pseg $c: --help (exit 0, $(wc -l <<< "$h") lines, its own usage), unknown option (exit 2, its usage)"
  else
    echo "FAIL pseg $c: --help exit $rh, first usage line '$first'; unknown option exit $rb: $(head -1 <<< "$b")"
    status=1
  fi
done
v=$("$PSEG" --version) && [[ $v =~ ^pseg\ [0-9]+\.[0-9]+\.[0-9]+\ \(libpseg\ [0-9]+\.[0-9]+\.[0-9]+\)$ ]] &&
  echo "ok   pseg --version: $v" || { echo "FAIL pseg --version: $v"; status=1; }
"$PSEG" > /dev/null 2>&1; [ $? = 2 ] && echo "ok   pseg alone: usage, exit 2" || { echo "FAIL pseg alone"; status=1; }
exit $status
