// The engine on a simulated LAN: exact failover timings over a grid of versions, intervals,
// priorities and delays, then properties over randomized fault sequences (VIPD_SIM_SEEDS
// seeds, default 500): once the network settles there is exactly one master per virtual
// router, and no live router that preempts has a higher priority than it.
#include "sim/lan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>

#include "proto/vrrp/timers.h"

namespace vipd::sim {
namespace {

using namespace std::chrono_literals;

IpAddress addr(int host, bool v6 = false) {
  return *IpAddress::parse(v6 ? "fe80::" + std::to_string(host) : "10.0.0." + std::to_string(host));
}

RouterSpec spec(const std::string& name, int host, int priority, int version, Micros interval,
                bool v6 = false) {
  RouterSpec s;
  s.name = name;
  s.params.version = static_cast<uint8_t>(version);
  s.params.vrid = 7;
  s.params.priority = priority;
  s.params.advert_interval = interval;
  s.params.primary = addr(host, v6);
  s.rx.version = s.params.version;
  s.rx.vrid = 7;
  s.rx.interval = vrrp::wireInterval(version, interval);
  s.rx.addrs = {v6 ? *IpAddress::parse("fe80::7") : *IpAddress::parse("192.168.7.1")};
  if (v6)
    s.rx.addrs.push_back(*IpAddress::parse("2001:db8::7"));
  return s;
}

std::optional<Time> becameMasterAt(const Lan& lan, size_t r, Time after) {
  for (const auto& e : lan.log()) {
    if (e.router == r && e.at >= after && e.kind == LogEntry::Kind::kTransition &&
        e.transition.to == State::kMaster) {
      return e.at;
    }
  }
  return std::nullopt;
}

struct Case {
  int version;
  Micros interval;
  Micros delay;
};

std::vector<Case> grid() {
  std::vector<Case> out;
  for (Micros d : {Micros(0), Micros(100), Micros(1500)}) {
    out.push_back({2, 1s, d});
    out.push_back({2, 3s, d});
    for (Micros i : {Micros(10ms), Micros(100ms), Micros(1s), Micros(40950ms)})
      out.push_back({3, i, d});
  }
  return out;
}

std::string describe(const Case& c) {
  std::ostringstream s;
  s << "v" << c.version << " interval " << c.interval.count() << "us delay " << c.delay.count()
    << "us";
  return s.str();
}

// Routers m (10.0.0.9), b (10.0.0.2) and c (10.0.0.3) with these priorities, started and
// given ten intervals to elect.
Lan settledTrio(const Case& c, int pm, int pb, int pc) {
  Lan lan;
  lan.setDelay(c.delay);
  lan.add(spec("m", 9, pm, c.version, c.interval));
  lan.add(spec("b", 2, pb, c.version, c.interval));
  lan.add(spec("c", 3, pc, c.version, c.interval));
  for (size_t r = 0; r < lan.size(); ++r)
    lan.start(r);
  lan.runFor(10 * c.interval + 5s);
  return lan;
}

// RFC 5798 6.4.2: a backup takes over exactly Master_Down_Interval after the last advert it
// heard from the dead master (no priority-0 advert: the process was killed).
TEST(SimLan, KilledMasterIsReplacedExactlyAtMasterDownInterval) {
  for (const Case& c : grid()) {
    for (int backup_prio : {1, 100, 254}) {
      // The third router has half the priority: its Skew_Time is later by more than a
      // packet flight, so it cannot take over for an instant before b's first advert.
      Lan lan = settledTrio(c, 255, backup_prio, std::max(1, backup_prio / 2));
      const size_t m = 0, b = 1;
      ASSERT_EQ(lan.masters(7), std::vector<size_t>{m}) << describe(c);
      const Time kill_at = lan.now() + c.interval / 3;
      lan.runUntil(kill_at);
      lan.kill(m);
      lan.runFor(4 * c.interval + 2s);
      // The last advert may have been in flight at the kill: it still counts.
      const Time last = *lan.lastAdvertHeard(b);
      auto mdi = vrrp::masterDownInterval(c.version, backup_prio, c.interval);
      auto at = becameMasterAt(lan, b, kill_at);
      if (backup_prio == 1) {
        // Equal priorities: whichever down timer fires first wins; with the same address
        // order rule the higher address would win a later tie. Just one master.
        EXPECT_EQ(lan.masters(7).size(), 1u) << describe(c);
        continue;
      }
      ASSERT_TRUE(at) << describe(c) << " prio " << backup_prio;
      EXPECT_EQ(*at - last, mdi) << describe(c) << " prio " << backup_prio;
      EXPECT_EQ(lan.masters(7), std::vector<size_t>{b}) << describe(c);
    }
  }
}

// RFC 5798 6.4.3 / 6.4.2: a master that stops sends priority 0; the best backup takes over
// after its Skew_Time (plus the packet's flight).
TEST(SimLan, StoppedMasterHandsOverAfterSkewTime) {
  for (const Case& c : grid()) {
    Lan lan = settledTrio(c, 200, 150, 100);
    const size_t m = 0, b = 1;
    ASSERT_EQ(lan.masters(7), std::vector<size_t>{m}) << describe(c);
    const Time stop_at = lan.now() + c.interval / 2;
    lan.runUntil(stop_at);
    lan.stop(m);
    lan.runFor(2 * c.interval + 2s);
    auto at = becameMasterAt(lan, b, stop_at);
    ASSERT_TRUE(at) << describe(c);
    EXPECT_EQ(*at - stop_at, c.delay + vrrp::skewTime(c.version, 150, c.interval)) << describe(c);
    EXPECT_EQ(lan.masters(7), std::vector<size_t>{b});
  }
}

// Two masters after a partition: once healed, one advert interval (plus flight) is enough.
TEST(SimLan, HealedPartitionConvergesWithinOneAdvertInterval) {
  for (const Case& c : grid()) {
    for (bool lower_prio_no_advert : {false, true}) {
      for (int p2 : {100, 200}) {  // equal priorities: the higher address must win
        Lan lan;
        lan.setDelay(c.delay);
        auto s1 = spec("a", 1, 200, c.version, c.interval);
        auto s2 = spec("b", 2, p2, c.version, c.interval);
        s1.params.lower_prio_no_advert = s2.params.lower_prio_no_advert = lower_prio_no_advert;
        size_t a = lan.add(s1), b = lan.add(s2);
        lan.start(a);
        lan.start(b);
        lan.runFor(5 * c.interval + 5s);
        lan.partition({{a}, {b}});
        lan.runFor(5 * c.interval + 5s);
        ASSERT_EQ(lan.masters(7).size(), 2u) << describe(c);
        lan.heal();
        lan.runFor(c.interval + 2 * c.delay + 1us);
        const size_t winner = p2 == 200 ? b : a;  // equal: 10.0.0.2 > 10.0.0.1
        EXPECT_EQ(lan.masters(7), std::vector<size_t>{winner})
            << describe(c) << " no_advert " << lower_prio_no_advert << " p2 " << p2;
      }
    }
  }
}

TEST(SimLan, IPv6RoutersElectAndFailOver) {
  Lan lan;
  size_t a = lan.add(spec("a", 1, 100, 3, 100ms, true));
  size_t b = lan.add(spec("b", 2, 100, 3, 100ms, true));
  lan.start(a);
  lan.start(b);
  lan.runFor(2s);
  ASSERT_EQ(lan.masters(7).size(), 1u);
  size_t m = lan.masters(7)[0];
  lan.kill(m);
  lan.runFor(1s);
  EXPECT_EQ(lan.masters(7), std::vector<size_t>{m == a ? b : a});
  EXPECT_EQ(lan.drops(vrrp::DropReason::kChecksum), 0u);
}

TEST(SimLan, MismatchedV2IntervalsAreDroppedAndCounted) {
  // RFC 3768 7.1: a v2 interval mismatch is a MUST-drop, so both become master: the
  // classic keepalived dual-master misconfiguration, visible in the drop counter.
  Lan lan;
  lan.add(spec("a", 1, 200, 2, 1s));
  lan.add(spec("b", 2, 100, 2, 2s));
  lan.start(0);
  lan.start(1);
  lan.runFor(20s);
  EXPECT_EQ(lan.masters(7).size(), 2u);
  EXPECT_GT(lan.drops(vrrp::DropReason::kInterval), 10u);
}

// --- randomized fault sequences --------------------------------------------------------------

struct World {
  Lan lan;
  std::vector<bool> preempt;
  std::vector<bool> fault;
  explicit World(uint64_t seed) : lan(seed) {}
};

std::string checkConverged(const World& w) {
  std::vector<size_t> live;
  for (size_t r = 0; r < w.lan.size(); ++r) {
    if (w.lan.running(r) && !w.fault[r])
      live.push_back(r);
  }
  auto masters = w.lan.masters(7);
  if (live.empty())
    return masters.empty() ? "" : "a master with no live router";
  if (masters.size() != 1)
    return std::to_string(masters.size()) + " masters";
  const auto& m = w.lan.router(masters[0]);
  for (size_t r : live) {
    const auto& v = w.lan.router(r);
    if ((w.preempt[r] || v.isOwner()) && v.priority() > m.priority()) {
      return w.lan.name(r) + " (priority " + std::to_string(v.priority()) +
             ", preempt) is not master; " + w.lan.name(masters[0]) + " has " +
             std::to_string(m.priority());
    }
  }
  return "";
}

TEST(SimLan, RandomFaultSequencesSettleToOneRightfulMaster) {
  int seeds = 500;
  if (const char* s = std::getenv("VIPD_SIM_SEEDS"))
    seeds = std::atoi(s);
  int checked = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    World w(static_cast<uint64_t>(seed));
    const int version = pick(2, 3);
    const Micros interval =
        version == 2 ? Micros(std::chrono::seconds(pick(1, 2)))
                     : std::vector<Micros>{10ms, 50ms, 100ms, 1s}[static_cast<size_t>(pick(0, 3))];
    const int n = pick(2, 5);
    const bool v6 = version == 3 && pick(0, 1) == 1;
    for (int i = 0; i < n; ++i) {
      int prio = pick(0, 3) == 0 ? 100 : pick(1, 254);  // equal priorities are common
      if (i == 0 && pick(0, 4) == 0)
        prio = 255;
      auto s = spec("r" + std::to_string(i), 1 + pick(0, 200), prio, version, interval, v6);
      s.params.primary = addr(10 * i + pick(1, 9), v6);  // distinct addresses
      s.params.preempt = pick(0, 3) != 0;
      s.params.lower_prio_no_advert = pick(0, 1) == 1;
      w.preempt.push_back(s.params.preempt);
      w.fault.push_back(false);
      w.lan.add(s);
    }
    w.lan.setDelay(Micros(pick(0, 2000)), Micros(pick(0, 500)));
    for (size_t r = 0; r < w.lan.size(); ++r)
      w.lan.start(r);
    const int steps = pick(4, 12);
    for (int k = 0; k < steps; ++k) {
      w.lan.runFor(Micros(pick(0, 6) * interval.count() / 2 + pick(0, 1000)));
      const size_t r = static_cast<size_t>(pick(0, n - 1));
      switch (pick(0, 8)) {
        case 0:
          w.lan.kill(r);
          break;
        case 1:
          w.lan.stop(r);
          break;
        case 2:
          w.lan.start(r);
          break;
        case 3: {
          std::set<size_t> a, b;
          for (size_t i = 0; i < w.lan.size(); ++i)
            (pick(0, 1) ? a : b).insert(i);
          w.lan.partition({a, b});
          break;
        }
        case 4:
          w.lan.heal();
          break;
        case 5:
          w.lan.setPriority(r, pick(1, 254));
          break;
        case 6:
          w.lan.setLoss(pick(0, 1) ? 0.3 : 0.0);
          break;
        case 7:
          w.fault[r] = !w.fault[r];
          w.lan.setFault(r, w.fault[r]);
          break;
        default:
          w.lan.start(r);
          break;
      }
    }
    // Settle: a quiet network for long enough that every down timer has fired.
    w.lan.heal();
    w.lan.setLoss(0);
    w.lan.runFor(2 * vrrp::masterDownInterval(version, 1, interval) + 5s);
    std::string problem = checkConverged(w);
    EXPECT_EQ(problem, "") << "seed " << seed << " (v" << version << ", " << n << " routers, "
                           << interval.count() << " us)";
    // And it stays settled: no transition in a further 20 intervals.
    const size_t before = w.lan.log().size();
    w.lan.runFor(20 * interval);
    size_t transitions = 0;
    for (size_t i = before; i < w.lan.log().size(); ++i) {
      if (w.lan.log()[i].kind == LogEntry::Kind::kTransition)
        ++transitions;
    }
    EXPECT_EQ(transitions, 0u) << "seed " << seed << " flaps after settling";
    ++checked;
  }
  EXPECT_EQ(checked, seeds);
}

}  // namespace
}  // namespace vipd::sim
