#!/usr/bin/env bash
# The whole side-by-side table, keepalived 2.2.7 and vipd, from one command (about 30 min on
# 2 cores; nothing else heavy should run meanwhile):
#   bench/run.sh [VIPD]            QUICK=1 for shorter windows and fewer intervals
# Runs scale.sh (CPU, memory, adverts on time, spurious takeovers, startup and reload work),
# bound.sh (failover against Master_Down_Interval, 10 ms to 1 s, idle and loaded) and
# mass_failover.sh and floor.sh (the kernel's own cost per advert), then prints one table with the ratios and the goals of issue 7.
# Each script's own output is kept in bench/results/<time>/.
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
[ -x "$VIPD" ] || { echo "no vipd at $VIPD (cmake --preset release && cmake --build build-release)" >&2; exit 2; }
OUT=bench/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
export RESULTS=$PWD/$OUT/results.txt
: >"$RESULTS"
if [ -n "${QUICK:-}" ]; then
  W1=20 W2=10 INTERVALS="0.01 0.1 1" REPS=${REPS:-2}
else
  W1=30 W2=20 INTERVALS="0.01 0.02 0.05 0.1 0.2 0.5 1" REPS=${REPS:-3}
fi
export REPS
step() {  # step NAME CMD...: runs a benchmark, its output to the console and to $OUT/NAME
  echo "== $1" >&2
  local name=$1; shift
  "$@" 2>&1 | tee "$OUT/$name.txt" >&2
}
step scale-1000-1s bench/scale.sh "$VIPD" 1000 1 "$W1"
step scale-1000-100ms bench/scale.sh "$VIPD" 1000 0.1 "$W1"
step scale-255-10ms bench/scale.sh "$VIPD" 255 0.01 "$W2"
LOAD=4 step scale-255-10ms-load4 bench/scale.sh "$VIPD" 255 0.01 "$W2"
LOAD=4 step scale-4080-100ms-load4 bench/scale.sh "$VIPD" 4080 0.1 "$W2"
LOAD=4 RELOAD_MID=1 step scale-4080-100ms-load4-reload bench/scale.sh "$VIPD" 4080 0.1 "$W2"
# shellcheck disable=SC2086
LOADS="0 4" step bound bench/bound.sh "$VIPD" $INTERVALS
step floor bench/floor.sh
step mass-1000-1s bench/mass_failover.sh "$VIPD" 1000 1
step mass-1000-100ms bench/mass_failover.sh "$VIPD" 1000 0.1

# One table from results.txt. Lines:
#   scale N INTERVAL LOAD DAEMON cpu_r1 cpu_r2 rss_mib sent_pct r2_adverts allmaster_s start_ms reload_ms reload_s
#   scale-reload ... (the same, with a changed-config reload in the middle of the window)
#   bound INTERVAL LOAD DAEMON median worst values...
#   mass N INTERVAL DAEMON first_ms last_ms n bound_ms
#   floor US_PER_ADVERT
{
  echo
  echo "keepalived $(keepalived --version 2>&1 | head -1 | awk '{print $2}' | tr -d v) and vipd $("$VIPD" --version 2>/dev/null | head -1 | awk '{print $NF}'), $(nproc) cores, $(date -u +%Y-%m-%d)"
  awk -v cores="$(nproc)" '
    function ratio(a, b) { return (b + 0 > 0 && a != "-" && b != "-") ? sprintf("%.2f", a / b) : "-" }
    function yes(c) { return c ? "yes" : "NO" }
    $1 == "scale" { k = $2 " " $3 " " $4 " " $5
      cpu1[k] = $6; cpu2[k] = $7; rss[k] = $8; sent[k] = $9; back[k] = $10; st[k] = $12; rl[k] = $13 }
    $1 == "scale-reload" { k = $2 " " $3 " " $4 " " $5; rsent[k] = $9; rback[k] = $10; rs[k] = $14 }
    $1 == "bound" { w = $6 == "-" ? 1e9 : ($6 < 0 ? -$6 : $6); key = $3 " " $4
      if (!(key in worst) || w > worst[key]) worst[key] = w }
    $1 == "floor" { floor = $2 }
    $1 == "mass" { ml[$2 " " $3 " " $4] = $6 - $8; mn[$2 " " $3 " " $4] = $7 }
    function row(s, k, v, r, g, h) { printf "| %s | %s | %s | %s | %s | %s |\n", s, k, v, r, g, h }
    END {
      print "| scenario | keepalived | vipd | vipd/ka | goal | holds |"
      print "|---|---|---|---|---|---|"
      a = "1000 1 0"; ka = a " keepalived"; vi = a " vipd"
      row("1000 x 1 s: CPU-s/min master / backup", cpu1[ka] " / " cpu2[ka], cpu1[vi] " / " cpu2[vi],
          ratio(cpu1[vi], cpu1[ka]) " / " ratio(cpu2[vi], cpu2[ka]), "10x lower", yes(cpu1[vi] * 10 <= cpu1[ka]))
      row("1000 x 1 s: peak RSS of the master, MiB", rss[ka], rss[vi], ratio(rss[vi], rss[ka]), "no higher", yes(rss[vi] <= rss[ka]))
      row("1000: startup to all-master, CPU ms", st[ka], st[vi], ratio(st[vi], st[ka]), "< 100", yes(st[vi] < 100))
      row("1000: no-change reload, CPU ms", rl[ka], rl[vi], ratio(rl[vi], rl[ka]), "< 100", yes(rl[vi] < 100))
      a = "1000 0.1 0"; ka = a " keepalived"; vi = a " vipd"
      row("1000 x 100 ms: CPU-s/min master / backup", cpu1[ka] " / " cpu2[ka], cpu1[vi] " / " cpu2[vi],
          ratio(cpu1[vi], cpu1[ka]) " / " ratio(cpu2[vi], cpu2[ka]), "master < 1.2 and 10x lower",
          yes(cpu1[vi] < 1.2 && cpu1[vi] * 10 <= cpu1[ka]))
      if (floor != "")
        row("1000 x 100 ms: the kernel alone (bench/floor.sh, bare sendmmsg)", "", sprintf("%.2f", floor * 0.6), "", "", "")
      a = "255 0.01 0"; ka = a " keepalived"; vi = a " vipd"
      row("255 x 10 ms idle: adverts sent % / backup adverts", sent[ka] " / " back[ka], sent[vi] " / " back[vi], "", "", "")
      a = "255 0.01 4"; ka = a " keepalived"; vi = a " vipd"
      row("255 x 10 ms, 4 busy loops: adverts sent % / backup adverts", sent[ka] " / " back[ka], sent[vi] " / " back[vi],
          "", ">= 99.9% / 0", yes(sent[vi] >= 99.9 && back[vi] == 0))
      a = "4080 0.1 4"; ka = a " keepalived"; vi = a " vipd"
      row("4080 x 100 ms, 4 busy loops: adverts sent % / backup adverts", sent[ka] " / " back[ka], sent[vi] " / " back[vi],
          "", ">= 99.9% / 0", yes(sent[vi] >= 99.9 && back[vi] == 0))
      row("4080 x 100 ms, 4 busy loops: CPU-s/min master / backup", cpu1[ka] " / " cpu2[ka], cpu1[vi] " / " cpu2[vi],
          ratio(cpu1[vi], cpu1[ka]) " / " ratio(cpu2[vi], cpu2[ka]), "", "")
      if ((ka in rsent) && (vi in rsent))
        row("4080 x 100 ms, 4 busy loops, a changed config reloaded mid-window: adverts sent % / backup adverts / reload s",
            rsent[ka] " / " rback[ka] " / " rs[ka], rsent[vi] " / " rback[vi] " / " rs[vi], "", ">= 99.9% / 0",
            yes(rsent[vi] >= 99.9 && rback[vi] == 0))
      for (l = 0; l <= 4; l += 4) {
        kw = ("" l " keepalived") in worst ? worst[l " keepalived"] : "-"
        vw = ("" l " vipd") in worst ? worst[l " vipd"] : "-"
        row("failover vs bound, 10 ms..1 s, " (l ? "4 busy loops" : "idle") ": worst deviation (abs.), ms",
            kw == 1e9 ? "missed" : kw, vw == 1e9 ? "missed" : vw, ratio(vw, kw), "within 2", yes(vw != "-" && vw <= 2))
      }
      for (i = 1; i >= 0.1; i /= 10) {
        ka = "1000 " i " keepalived"; vi = "1000 " i " vipd"
        row("mass failover 1000 x " (i == 1 ? "1 s" : "100 ms") ": last VIP - bound, ms (VIPs)",
            ml[ka] " (" mn[ka] ")", ml[vi] " (" mn[vi] ")", "", "<= 50, all 1000", yes(ml[vi] <= 50 && mn[vi] >= 1000))
      }
    }' "$RESULTS"
  echo
  echo "per-interval failover deviations (ms, median / worst):"
  awk '$1 == "bound" { printf "  %-5s s load %s %-10s %s / %s\n", $2, $3, $4, $5, $6 }' "$RESULTS"
} | tee "$OUT/table.md"
