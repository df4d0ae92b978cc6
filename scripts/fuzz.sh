#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_SEED=N (default 1): libFuzzer's seed. Fixed by default so that CI explores the same
#   inputs on every run: a finding reproduces, and a green commit stays green. FUZZ_SEED=0
#   draws a random seed (for longer exploratory runs).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
scripts/build.sh fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Seeds: our examples and the configs keepalived ships for the config pipeline; the
# checked-in corpora under tests/fuzz/corpus/TARGET for the others that have one
# (netlink_fuzz's are real rtnetlink dumps and events: tests/fuzz/record_netlink.py).
cp examples/*.conf "$corpus/" 2>/dev/null || true
cp /usr/share/doc/keepalived/samples/keepalived.conf.* "$corpus/" 2>/dev/null || true
targets=(conf_fuzz vrrp_decode_fuzz fsm_fuzz http_response_fuzz check_reply_fuzz ctl_request_fuzz
         metrics_request_fuzz netlink_fuzz)
for name in "${targets[@]}"; do
  target=build-fuzz/tests/fuzz/$name
  echo "fuzzing $name for ${secs}s"
  seeds="$corpus"
  [ "$name" != conf_fuzz ] && seeds=""  # starts from nothing; the inputs are small
  if [ -d "tests/fuzz/corpus/$name" ]; then  # a copy: libFuzzer adds to its first corpus
    seeds="$corpus/$name.seeds"
    cp -r "tests/fuzz/corpus/$name" "$seeds"
  fi
  "$target" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -seed="${FUZZ_SEED:-1}" -artifact_prefix=build-fuzz/ \
    -print_final_stats=1 $seeds 2>"$corpus/$name.log" || {
      tail -50 "$corpus/$name.log"; echo "FAIL: $name found a problem"; exit 1; }
  grep -E 'stat::number_of_executed_units|Done' "$corpus/$name.log" | tail -2
done
echo "fuzz: ${#targets[@]} passed, 0 failed"
