#!/usr/bin/env bash
# vipd -t exits 6 for a root script that others can replace, under enable_script_security,
# and only warns without it (keepalived's behaviour).
set -u
vipd=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
printf '#!/bin/sh\nexit 0\n' > "$dir/check.sh"
chmod 777 "$dir/check.sh"
conf() {
  cat > "$dir/k.conf" <<EOC
global_defs {
  $1
  script_user root
}
vrrp_script chk {
  script "$dir/check.sh"
}
EOC
}
fail=0 pass=0
conf enable_script_security
out=$("$vipd" -t -f "$dir/k.conf" 2>&1); rc=$?
if [ $rc -eq 6 ] && grep -q "is writable by everyone" <<<"$out"; then pass=$((pass+1)); else
  echo "FAIL: expected exit 6, got $rc: $out"; fail=$((fail+1)); fi
conf ""
out=$("$vipd" -t -f "$dir/k.conf" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "warning: unsafe script" <<<"$out"; then pass=$((pass+1)); else
  echo "FAIL: expected exit 0 with a warning, got $rc: $out"; fail=$((fail+1)); fi
chmod 755 "$dir/check.sh"
conf enable_script_security
out=$("$vipd" -t -f "$dir/k.conf" 2>&1); rc=$?
if [ $rc -eq 0 ]; then pass=$((pass+1)); else
  echo "FAIL: safe script refused ($rc): $out"; fail=$((fail+1)); fi
"$vipd" -t -f "$dir/missing.conf" >/dev/null 2>&1; rc=$?
if [ $rc -eq 4 ]; then pass=$((pass+1)); else echo "FAIL: missing file exit $rc"; fail=$((fail+1)); fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
