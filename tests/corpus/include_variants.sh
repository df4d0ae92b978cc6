#!/usr/bin/env bash
# Every include variant against keepalived 2.2.7 on real files: for each variant and each kind
# of pattern (a missing file, a wildcard matching nothing, a brace with a missing alternative,
# a directory, an executable file, a missing directory, a file that exists), `keepalived -t`
# and `vipd -t` must agree on refusing the config; where keepalived logs a problem and goes
# on, vipd must warn; where keepalived says nothing, vipd must say nothing either. Also
# `include_check` and the -e flag, which make every include as strict as `includea`.
#   tests/corpus/include_variants.sh VIPD
set -u
vipd=$(realpath "$1")
command -v keepalived >/dev/null || { echo "FAIL: keepalived missing (apt-get install keepalived)"; exit 1; }
dir=$(mktemp -d /tmp/vipd-include.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/d"
echo 'global_defs { router_id A }' >"$dir/a.conf"
echo 'global_defs { router_id B }' >"$dir/d/b.conf"
cp "$dir/a.conf" "$dir/exe.conf" && chmod +x "$dir/exe.conf"
patterns=("missing.conf" "nomatch*.conf" "{a,zz}.conf" "d" "exe.conf" "nodir/*.conf" "a.conf"
          "d/*.conf")
fail=0 cases=0
row() { printf '%-9s %-15s %-14s %-14s %s\n' "$@"; }
row variant pattern keepalived vipd ""
for v in include includer includem includew includeb includea "include_check;include" "-e;include"; do
  for p in "${patterns[@]}"; do
    word=$v pre="" flags=()
    if [ "$v" = "include_check;include" ]; then word=include pre="global_defs {
  include_check
}"; fi
    if [ "$v" = "-e;include" ]; then word=include flags=(-e); fi
    printf '%s\nglobal_defs {\n  router_id X\n}\n%s %s/%s\n' "$pre" "$word" "$dir" "$p" >"$dir/main.conf"
    ka_out=$(keepalived -t -l "${flags[@]}" -f "$dir/main.conf" 2>&1)
    ka_rc=$?
    out=$("$vipd" -t "${flags[@]}" -f "$dir/main.conf" 2>&1)
    rc=$?
    ka=ok; [ $ka_rc -ne 0 ] && ka=refused
    ka_said=no; grep -qiE 'missing|matched|skipping|directory' <<<"$ka_out" && ka_said=yes
    [ $ka = ok ] && [ $ka_said = yes ] && ka=logged
    mine=ok; [ $rc -ne 0 ] && mine=refused
    [ $mine = ok ] && grep -q ': warning: ' <<<"$out" && mine=warned
    verdict=""
    case $ka/$mine in
      refused/refused | logged/warned | ok/ok) ;;
      *) verdict="MISMATCH"; fail=$((fail + 1)); echo "$out" | sed 's/^/    /' ;;
    esac
    cases=$((cases + 1))
    label=${v/include_check;include/check+inc}
    row "${label/-e;include/-e inc}" "$p" "$ka" "$mine" "$verdict"
  done
done
echo "$cases cases, $fail mismatches"
[ $fail -eq 0 ]
