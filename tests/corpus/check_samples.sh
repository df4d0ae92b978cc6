#!/usr/bin/env bash
# Runs `vipd -t` over every sample config Debian's keepalived package ships. All must pass
# except the two that are broken upstream, which must fail with the listed diagnostics.
set -u
vipd=$(realpath "$1")
expect_dir=$(realpath "$2")
samples=/usr/share/doc/keepalived/samples
if [ ! -d "$samples" ]; then
  echo "FAIL: $samples missing (apt-get install keepalived)"
  exit 1
fi
pass=0 fail=0
for f in "$samples"/keepalived.conf.*; do
  name=$(basename "$f")
  expected="$expect_dir/$name.expected"
  args=(-t -f "$f")
  # The conditional sample needs a config id, as it does for keepalived.
  [ "$name" = keepalived.conf.conditional_conf ] && args+=(-i high)
  out=$(cd "$samples" && "$vipd" "${args[@]}" 2>&1)
  rc=$?
  if grep -q 'unknown keyword' <<<"$out" && [ ! -f "$expected" ]; then
    echo "FAIL $name: unknown keyword"; echo "$out"; fail=$((fail + 1)); continue
  fi
  if [ -f "$expected" ]; then
    errors=$(grep ': error: ' <<<"$out" | sed "s|^$samples/||")
    if [ "$rc" -eq 5 ] && [ "$errors" = "$(cat "$expected")" ]; then
      pass=$((pass + 1))
    else
      echo "FAIL $name: rc=$rc, expected exit 5 with:"; cat "$expected"; echo "got:"; echo "$out"
      fail=$((fail + 1))
    fi
  elif [ "$rc" -eq 0 ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc"; echo "$out"; fail=$((fail + 1))
  fi
done
for id in high low; do  # both branches of the conditional sample
  if ! "$vipd" -t -i $id -f "$samples/keepalived.conf.conditional_conf" >/dev/null 2>&1; then
    echo "FAIL conditional_conf with -i $id"; fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
