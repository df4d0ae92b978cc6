#!/usr/bin/env bash
# Every example config (examples/*/*.conf) passes `vipd -t` without an error or a warning.
# (tests/netns/examples_test.sh runs them; this is the quick check.)
#   tests/corpus/examples_check.sh VIPD EXAMPLES_DIR
set -u
vipd=$1 dir=$2 fail=0 n=0
for f in "$dir"/*/*.conf; do
  n=$((n + 1))
  out=$("$vipd" -t -f "$f" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || ! grep -q ': 0 error(s), 0 warning(s)$' <<<"$out"; then
    echo "FAIL $f (exit $rc):"; echo "$out"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "$n example configs: vipd -t clean"
exit $fail
