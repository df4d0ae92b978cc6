#!/usr/bin/env bash
# The generated man pages render with man-db/groff without a warning, and each names what it
# must: every vipd flag with help, every vipctl command, a section per config block.
#   tests/corpus/man_render.sh BUILD/tools/mangen
set -u
dir=$1
fail=0
for p in vipd.8 vipd.conf.5 vipctl.8; do
  if [ ! -s "$dir/$p" ]; then echo "FAIL: $dir/$p missing or empty"; fail=1; continue; fi
  warnings=$(LC_ALL=C.UTF-8 man --warnings -l "$dir/$p" 2>&1 >/dev/null)
  if [ -n "$warnings" ]; then echo "FAIL: $p renders with warnings:"; echo "$warnings"; fail=1; fi
done
text() { LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$dir/$1" 2>/dev/null; }
for want in -- "--use-file=FILE" "--config-test" "--metrics-listen" "SIGHUP"; do
  [ "$want" = -- ] && continue
  text vipd.8 | grep -qF -- "$want" || { echo "FAIL: vipd.8 lacks $want"; fail=1; }
done
for want in "status" "explain INSTANCE" "rs drain|enable|weight VS RS" "completion"; do
  text vipctl.8 | grep -qF -- "$want" || { echo "FAIL: vipctl.8 lacks $want"; fail=1; }
done
for want in "global_defs" "vrrp_instance NAME" "virtual_server ADDRESS PORT" "HTTP_GET (in real_server)" \
            "runtime_state_file PATH" "slowstart SECONDS"; do
  text vipd.conf.5 | grep -qF -- "$want" || { echo "FAIL: vipd.conf.5 lacks $want"; fail=1; }
done
[ $fail -eq 0 ] && echo "man pages render cleanly and name every flag, command and block"
exit $fail
