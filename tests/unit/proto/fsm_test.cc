// Table tests for the state machine: one test per row of the RFC state tables (RFC 3768 6.4,
// RFC 5798 6.4, RFC 9568 6.4), then keepalived's extensions. Each names its section.
#include "proto/vrrp/fsm.h"

#include <gtest/gtest.h>

#include "proto/vrrp/timers.h"
#include "test_bytes.h"

namespace vipd::vrrp {
namespace {

using namespace std::chrono_literals;
using testing::ip;

template <class T>
std::vector<T> all(const Actions& as) {
  std::vector<T> out;
  for (const auto& a : as) {
    if (auto* p = std::get_if<T>(&a))
      out.push_back(*p);
  }
  return out;
}
template <class T>
bool has(const Actions& as) {
  return !all<T>(as).empty();
}
template <class T>
size_t indexOf(const Actions& as) {
  for (size_t i = 0; i < as.size(); ++i) {
    if (std::holds_alternative<T>(as[i]))
      return i;
  }
  return as.size();
}

RouterParams v3(int priority = 100) {
  RouterParams p;
  p.version = 3;
  p.vrid = 51;
  p.priority = priority;
  p.advert_interval = 1s;
  p.primary = ip("10.0.0.1");
  return p;
}
RouterParams v2(int priority = 100) {
  RouterParams p = v3(priority);
  p.version = 2;
  return p;
}

const Time t0{1'000'000'000};

AdvertIn advert(const char* src, int priority, Micros interval = 1s) {
  return AdvertIn{ip(src), priority, interval};
}

// A router that has reached Backup (at t0) or Master (owner-free, through the down timer).
VirtualRouter backup(RouterParams p) {
  VirtualRouter r(std::move(p));
  r.handle(Startup{}, t0);
  return r;
}
VirtualRouter master(RouterParams p, Time* at = nullptr) {
  VirtualRouter r = backup(std::move(p));
  Time when = *r.deadline();
  r.handle(Tick{}, when);
  EXPECT_EQ(r.state(), State::kMaster);
  if (at)
    *at = when;
  return r;
}

// --- Initialize (RFC 5798 6.4.1, RFC 3768 6.4.1) ----------------------------------------------

TEST(FsmInitialize, OwnerStartsAsMasterAdvertisesAndAnnounces) {
  VirtualRouter r(v3(255));
  auto out = r.handle(Startup{}, t0);
  EXPECT_EQ(r.state(), State::kMaster);
  auto tr = all<Transition>(out);
  ASSERT_EQ(tr.size(), 1u);
  EXPECT_EQ(tr[0].from, State::kInit);
  EXPECT_EQ(tr[0].reason, Reason::kStartupOwner);
  ASSERT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(all<SendAdvert>(out)[0].priority, 255);
  EXPECT_TRUE(has<TakeAddresses>(out));
  ASSERT_TRUE(has<SendGarp>(out));
  EXPECT_EQ(all<SendGarp>(out)[0].count, 5);
  // Adver_Timer <- Advertisement_Interval.
  EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 1s);
  // Addresses before the advert and the GARPs, so that replies can already be answered.
  EXPECT_LT(indexOf<TakeAddresses>(out), indexOf<SendGarp>(out));
}

TEST(FsmInitialize, NonOwnerStartsAsBackupWithMasterDownTimer) {
  VirtualRouter r(v3(100));
  auto out = r.handle(Startup{}, t0);
  EXPECT_EQ(r.state(), State::kBackup);
  EXPECT_FALSE(has<SendAdvert>(out));
  EXPECT_FALSE(has<TakeAddresses>(out));
  // v3: Master_Adver_Interval <- Advertisement_Interval; 3 x 1 s + (156/256) s.
  EXPECT_EQ(r.masterAdverInterval(), 1s);
  EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 3'609'375us);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kStartup);
}

// --- Backup (RFC 5798 6.4.2, RFC 3768 6.4.2) --------------------------------------------------

TEST(FsmBackup, ShutdownCancelsTheTimerAndSendsNothing) {
  auto r = backup(v3());
  auto out = r.handle(Shutdown{}, t0 + 1s);
  EXPECT_EQ(r.state(), State::kInit);
  EXPECT_FALSE(has<SendAdvert>(out));
  EXPECT_EQ(all<ArmTimer>(out).back().at, std::nullopt);
}

TEST(FsmBackup, MasterDownTimerMakesMaster) {
  auto r = backup(v3());
  auto early = r.handle(Tick{}, t0 + 3'609'374us);
  EXPECT_EQ(r.state(), State::kBackup) << "not one microsecond early";
  EXPECT_TRUE(early.empty());
  auto out = r.handle(Tick{}, t0 + 3'609'375us);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kMasterDown);
  EXPECT_EQ(all<SendAdvert>(out).at(0).priority, 100);
  EXPECT_TRUE(has<TakeAddresses>(out));
  EXPECT_TRUE(has<SendGarp>(out));
  EXPECT_EQ(r.deadline(), t0 + 3'609'375us + 1s);
}

TEST(FsmBackup, PriorityZeroSetsTimerToSkewTime) {
  auto r = backup(v3(100));
  r.handle(advert("10.0.0.9", 200), t0 + 1s);
  auto out = r.handle(advert("10.0.0.9", 0), t0 + 2s);
  EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 2s + 609'375us);
  r.handle(Tick{}, t0 + 2s + 609'375us);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(r.stats().priority_zero_received, 1u);
}

TEST(FsmBackup, HigherOrEqualAdvertResetsTheDownTimer) {
  for (int prio : {100, 150}) {
    auto r = backup(v3(100));
    auto out = r.handle(advert("10.0.0.9", prio), t0 + 2s);
    EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 2s + 3'609'375us) << prio;
    EXPECT_EQ(r.state(), State::kBackup);
    EXPECT_EQ(r.masterAddress(), ip("10.0.0.9"));
  }
}

TEST(FsmBackup, V3LearnsTheMastersIntervalAndRecomputesTheDownInterval) {
  // RFC 9568 6.4.2: Active_Adver_Interval <- Max Adver Int; Skew_Time and
  // Active_Down_Interval recomputed: 3 x 100 ms + 156 x 100 ms / 256.
  auto r = backup(v3(100));
  auto out = r.handle(advert("10.0.0.9", 200, 100ms), t0 + 1s);
  EXPECT_EQ(r.masterAdverInterval(), 100ms);
  EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 1s + 360'937us);
}

TEST(FsmBackup, V2NeverLearnsTheInterval) {
  // RFC 3768 7.1 drops a mismatched interval before the FSM; the FSM keeps its own.
  auto r = backup(v2(100));
  r.handle(advert("10.0.0.9", 200, 100ms), t0 + 1s);
  EXPECT_EQ(r.masterAdverInterval(), 1s);
  EXPECT_EQ(r.masterDownInterval(), 3'609'375us);
}

TEST(FsmBackup, LowerPriorityIsDiscardedWithPreemptAndWePreempt) {
  auto r = backup(v3(150));
  r.handle(advert("10.0.0.9", 200), t0 + 1s);  // a higher master first
  const auto armed = r.deadline();
  auto out = r.handle(advert("10.0.0.9", 100), t0 + 2s);  // its priority dropped
  EXPECT_TRUE(out.empty()) << "discarded: timer unchanged";
  EXPECT_EQ(r.deadline(), armed);
  r.handle(advert("10.0.0.9", 100), t0 + 3s);
  out = r.handle(Tick{}, *armed);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kPreempt);
}

TEST(FsmBackup, LowerPriorityIsAcceptedWithoutPreempt) {
  auto p = v3(150);
  p.preempt = false;
  auto r = backup(p);
  auto out = r.handle(advert("10.0.0.9", 100), t0 + 2s);
  EXPECT_EQ(all<ArmTimer>(out).back().at, t0 + 2s + r.masterDownInterval());
  for (int i = 3; i < 20; ++i)
    r.handle(advert("10.0.0.9", 100), t0 + Micros(i * 1'000'000));
  r.handle(Tick{}, t0 + 20s);
  EXPECT_EQ(r.state(), State::kBackup) << "nopreempt: never takes over from a live master";
}

TEST(FsmBackup, OwnerPreemptsEvenWithNopreempt) {
  auto p = v3(255);
  p.preempt = false;
  VirtualRouter r(p);
  r.handle(FaultChanged{true, "if down"}, t0);
  r.handle(Startup{}, t0);
  EXPECT_EQ(r.state(), State::kFault);
  r.handle(FaultChanged{false, "if up"}, t0 + 1s);
  EXPECT_EQ(r.state(), State::kMaster) << "RFC 5798 6.1: the owner always preempts";
}

TEST(FsmBackup, EqualPriorityIsAcceptedWithoutTieBreak) {
  // RFC 5798 6.4.2 has no address comparison in Backup.
  auto r = backup(v3(100));
  r.handle(advert("10.0.0.0", 100), t0 + 1s);  // a lower address than ours
  r.handle(Tick{}, t0 + 1s + r.masterDownInterval() - 1us);
  EXPECT_EQ(r.state(), State::kBackup);
}

// --- Master (RFC 5798 6.4.3, RFC 3768 6.4.3, RFC 9568 6.4.3) ----------------------------------

TEST(FsmMaster, ShutdownSendsPriorityZeroAndReleases) {
  auto r = master(v3());
  auto out = r.handle(Shutdown{}, t0 + 10s);
  EXPECT_EQ(r.state(), State::kInit);
  ASSERT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(all<SendAdvert>(out)[0].priority, 0);
  EXPECT_TRUE(has<ReleaseAddresses>(out));
  EXPECT_EQ(r.deadline(), std::nullopt);
}

TEST(FsmMaster, AdverTimerSendsAndRearmsWithoutDrift) {
  Time m;
  auto r = master(v3(), &m);
  auto out = r.handle(Tick{}, m + 1s + 3ms);  // woken 3 ms late
  EXPECT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(r.deadline(), m + 2s) << "next advert on schedule, not 3 ms late";
  r.handle(Tick{}, m + 10s);  // far behind (a stall): re-based on now
  EXPECT_EQ(r.deadline(), m + 11s);
}

TEST(FsmMaster, PriorityZeroIsAnsweredAtOnce) {
  Time m;
  auto r = master(v3(), &m);
  auto out = r.handle(advert("10.0.0.9", 0), m + 300ms);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(r.deadline(), m + 1300ms) << "Adver_Timer reset";
}

TEST(FsmMaster, HigherPriorityMakesBackup) {
  Time m;
  auto r = master(v3(100), &m);
  auto out = r.handle(advert("10.0.0.9", 200, 500ms), m + 100ms);
  EXPECT_EQ(r.state(), State::kBackup);
  EXPECT_TRUE(has<ReleaseAddresses>(out));
  EXPECT_FALSE(has<SendAdvert>(out));
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kHigherPriority);
  EXPECT_EQ(r.masterAdverInterval(), 500ms) << "v3 learns on the way to Backup";
  EXPECT_EQ(r.deadline(), m + 100ms + 3 * 500ms + 304'687us);
}

TEST(FsmMaster, EqualPriorityHigherAddressWins) {
  // RFC 5798 6.4.3: equal priority and the sender's primary address is greater.
  auto r = master(v3(100));
  auto out = r.handle(advert("10.0.0.2", 100), t0 + 5s);
  EXPECT_EQ(r.state(), State::kBackup);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kEqualPriorityHigherAddress);
}

TEST(FsmMaster, EqualPriorityLowerAddressLosesAndIsTold) {
  // RFC 9568 6.4.3: discard and send an advert at once (keepalived's default).
  auto r = master(v3(100));
  const auto armed = r.deadline();
  auto out = r.handle(advert("9.0.0.200", 100), t0 + 5s);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(r.deadline(), armed) << "Adver_Timer is not reset";
}

TEST(FsmMaster, AddressComparisonIsUnsignedNetworkOrder) {
  auto p = v3(100);
  p.primary = ip("10.0.0.200");
  auto r = master(p);
  r.handle(advert("10.0.1.1", 100), t0 + 5s);  // 10.0.1.1 > 10.0.0.200
  EXPECT_EQ(r.state(), State::kBackup);
  auto p6 = v3(100);
  p6.primary = ip("fe80::ff");
  auto r6 = master(p6);
  r6.handle(advert("fe80::1:0", 100), t0 + 5s);
  EXPECT_EQ(r6.state(), State::kBackup);
}

// Issue 17: partitions that heal within garp_lower_prio_delay of each other. Each heal is a
// new overlap (a quiet spell of more than Master_Down_Interval before it): the clients may
// hold the other router's MAC again, so each gets a burst at once.
TEST(FsmMaster, EveryNewOverlapRefreshesTheNeighboursAtOnce) {
  auto p = v3(100);
  p.advert_interval = 100ms;
  auto r = master(p);
  auto out = r.handle(advert("10.0.0.9", 50), t0 + 5s);
  EXPECT_TRUE(has<SendGarp>(out));
  out = r.handle(advert("10.0.0.9", 50), t0 + 5s + 100ms);
  EXPECT_FALSE(has<SendGarp>(out)) << "the same overlap: rate-limited";
  out = r.handle(advert("10.0.0.9", 50), t0 + 7s);  // quiet for 1.9 s > 0.36 s: a new one
  EXPECT_TRUE(has<SendGarp>(out));
}

// keepalived's second set after a lower-priority advert (vrrp.c, garp_lower_prio_delay): the
// lower-priority router may have sent its own GARPs just before ours, within the clients'
// ARP locktime, so the first burst can be ignored. The second comes even when the other
// router yields at once and no further lower-priority advert arrives; not after we yield.
TEST(FsmMaster, ALowerPriorityBurstIsFollowedByASecondOneDelayLater) {
  auto p = v3(100);
  p.garp_master_delay = 0s;  // only the lower-priority schedule is under test
  auto r = master(p);
  auto out = r.handle(advert("10.0.0.9", 50), t0 + 20s);
  EXPECT_TRUE(has<SendGarp>(out));
  out = r.handle(Tick{}, t0 + 24s);
  EXPECT_FALSE(has<SendGarp>(out));
  out = r.handle(Tick{}, t0 + 25s);
  ASSERT_TRUE(has<SendGarp>(out));
  EXPECT_EQ(all<SendGarp>(out).at(0).count, 5);
  out = r.handle(Tick{}, t0 + 31s);
  EXPECT_FALSE(has<SendGarp>(out)) << "one second set, not a refresh";

  auto q = master(p);
  q.handle(advert("10.0.0.9", 50), t0 + 20s);
  q.handle(advert("10.0.0.8", 200), t0 + 21s);
  ASSERT_EQ(q.state(), State::kBackup);
  q.handle(advert("10.0.0.8", 200), t0 + 24s);
  out = q.handle(Tick{}, t0 + 25s);
  ASSERT_EQ(q.state(), State::kBackup);
  EXPECT_FALSE(has<SendGarp>(out)) << "a backup sends no GARP";
}

TEST(FsmMaster, LowerPriorityIsAnsweredUnlessLowerPrioNoAdvert) {
  auto r = master(v3(100));
  auto out = r.handle(advert("10.0.0.9", 50), t0 + 5s);
  EXPECT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(all<SendGarp>(out).at(0).count, 5) << "keepalived garp_lower_prio_repeat";
  out = r.handle(advert("10.0.0.9", 50), t0 + 6s);
  EXPECT_FALSE(has<SendGarp>(out)) << "at most one burst per garp_lower_prio_delay";
  out = r.handle(advert("10.0.0.9", 50), t0 + 10s);
  EXPECT_TRUE(has<SendGarp>(out));

  auto p = v3(100);
  p.lower_prio_no_advert = true;  // RFC 3768 / 5798: silently discard
  p.garp_lower_prio_repeat = 0;
  auto q = master(p);
  out = q.handle(advert("10.0.0.9", 50), t0 + 5s);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(q.state(), State::kMaster);
}

TEST(FsmMaster, HigherPrioSendAdvertSendsOneBeforeYielding) {
  auto p = v3(100);
  p.higher_prio_send_advert = true;
  auto r = master(p);
  auto out = r.handle(advert("10.0.0.9", 200), t0 + 5s);
  ASSERT_EQ(all<SendAdvert>(out).size(), 1u);
  EXPECT_EQ(all<SendAdvert>(out)[0].priority, 100);
  EXPECT_LT(indexOf<SendAdvert>(out), indexOf<ReleaseAddresses>(out));
  EXPECT_EQ(r.state(), State::kBackup);
}

TEST(FsmMaster, OwnLoopedAdvertIsIgnored) {
  auto r = master(v3(100));
  auto out = r.handle(advert("10.0.0.1", 100), t0 + 5s);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(r.state(), State::kMaster);
}

// --- keepalived extensions -------------------------------------------------------------------

TEST(FsmKeepalived, PreemptDelayHoldsPreemptionThenFiresOnTime) {
  auto p = v3(200);
  p.preempt_delay = 10s;
  auto r = backup(p);  // preempt_at = t0 + 10 s (after startup)
  for (int i = 1; i <= 9; ++i) {
    r.handle(advert("10.0.0.9", 100), t0 + Micros(i * 1'000'000));
    EXPECT_EQ(r.state(), State::kBackup);
  }
  EXPECT_EQ(r.deadline(), t0 + 10s);
  auto out = r.handle(Tick{}, t0 + 10s);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kPreempt);
}

TEST(FsmKeepalived, PreemptDelayStillTakesOverFromADeadMaster) {
  auto p = v3(200);
  p.preempt_delay = 60s;
  auto r = backup(p);
  r.handle(advert("10.0.0.9", 100), t0 + 1s);
  // The lower master dies: we take over at Master_Down_Interval, not at the delay.
  r.handle(Tick{}, t0 + 1s + r.masterDownInterval());
  EXPECT_EQ(r.state(), State::kMaster);
}

TEST(FsmKeepalived, GarpScheduleBurstDelayedBurstAndRefresh) {
  auto p = v3(255);
  p.garp_master_repeat = 3;
  p.garp_master_delay = 5s;
  p.garp_master_refresh = 60s;
  p.garp_master_refresh_repeat = 2;
  VirtualRouter r(p);
  auto out = r.handle(Startup{}, t0);
  EXPECT_EQ(all<SendGarp>(out).at(0).count, 3);
  std::vector<std::pair<Time, int>> bursts;
  for (Time t = t0; t <= t0 + 130s; t += 100ms) {
    for (auto g : all<SendGarp>(r.handle(Tick{}, t)))
      bursts.push_back({t, g.count});
  }
  ASSERT_EQ(bursts.size(), 3u);
  EXPECT_EQ(bursts[0], std::make_pair(t0 + 5s, 3));
  EXPECT_EQ(bursts[1], std::make_pair(t0 + 65s, 2));
  EXPECT_EQ(bursts[2], std::make_pair(t0 + 125s, 2));
}

TEST(FsmKeepalived, FaultFromMasterReleasesWithPriorityZeroAndRecoversAsBackup) {
  auto r = master(v3(100));
  auto out = r.handle(FaultChanged{true, "interface eth0 down"}, t0 + 5s);
  EXPECT_EQ(r.state(), State::kFault);
  EXPECT_EQ(all<SendAdvert>(out).at(0).priority, 0);
  EXPECT_TRUE(has<ReleaseAddresses>(out));
  EXPECT_EQ(all<Transition>(out)[0].detail, "interface eth0 down");
  EXPECT_EQ(r.deadline(), std::nullopt);
  EXPECT_TRUE(r.handle(advert("10.0.0.9", 200), t0 + 6s).size() == 0) << "FAULT ignores adverts";
  out = r.handle(FaultChanged{false, "interface eth0 up"}, t0 + 7s);
  EXPECT_EQ(r.state(), State::kBackup);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kFaultCleared);
  EXPECT_EQ(r.deadline(), t0 + 7s + r.masterDownInterval());
}

TEST(FsmKeepalived, FaultBeforeStartupStartsInFault) {
  VirtualRouter r(v3(100));
  r.handle(FaultChanged{true, "script chk failed"}, t0);
  r.handle(Startup{}, t0);
  EXPECT_EQ(r.state(), State::kFault);
}

TEST(FsmKeepalived, EffectivePriorityIsAdvertisedAndDrivesSkew) {
  Time m;
  auto r = master(v3(100), &m);
  r.handle(PriorityChanged{80}, m + 100ms);
  auto out = r.handle(Tick{}, m + 1s);
  EXPECT_EQ(all<SendAdvert>(out).at(0).priority, 80);
  auto b = backup(v2(100));
  b.handle(PriorityChanged{300}, t0);
  EXPECT_EQ(b.priority(), 254) << "clamped to 1..254";
  b.handle(PriorityChanged{-5}, t0);
  EXPECT_EQ(b.priority(), 1);
  // keepalived: Skew_Time uses the effective priority. v2, priority 1: 255/256 s.
  EXPECT_EQ(b.masterDownInterval(), 3s + 996'093us);
  auto o = backup(v3(255));
  o.handle(PriorityChanged{10}, t0);
  EXPECT_EQ(o.priority(), 255) << "the owner's priority is immutable";
}

TEST(FsmKeepalived, SyncGroupOrdersMoveMembers) {
  auto b = backup(v3(100));
  auto out = b.handle(SyncTo{State::kMaster, "group"}, t0 + 1s);
  EXPECT_EQ(b.state(), State::kMaster);
  EXPECT_EQ(all<Transition>(out)[0].reason, Reason::kSyncGroup);
  out = b.handle(SyncTo{State::kBackup, "group"}, t0 + 2s);
  EXPECT_EQ(b.state(), State::kBackup);
  EXPECT_TRUE(has<ReleaseAddresses>(out));
}

TEST(FsmKeepalived, TransitionDetailsCarryTheNumbers) {
  Time m;
  auto r = master(v3(100), &m);
  auto out = r.handle(advert("10.0.0.9", 150), m + 1ms);
  EXPECT_EQ(all<Transition>(out)[0].detail, "advert from 10.0.0.9 priority 150 > 100");
  out = r.handle(Tick{}, *r.deadline());
  EXPECT_EQ(all<Transition>(out)[0].detail, "no advert for 3609.3 ms");
}

}  // namespace
}  // namespace vipd::vrrp
