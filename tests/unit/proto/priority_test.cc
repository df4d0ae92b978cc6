// Effective priority and sync groups: the inputs the trackers and groups give the FSM.
#include "proto/vrrp/priority.h"

#include <gtest/gtest.h>

#include "proto/vrrp/sync_group.h"

namespace vipd::vrrp {
namespace {

TrackerInput t(int weight, bool up, bool reverse = false) {
  return TrackerInput{"t", weight, reverse, up, std::nullopt};
}
TrackerInput file(int weight, int64_t value, bool reverse = false) {
  return TrackerInput{"f", weight, reverse, true, value};
}

TEST(EffectivePriority, PositiveWeightAddsWhileUpNegativeSubtractsWhileDown) {
  std::vector<TrackerInput> in = {t(10, true), t(20, false), t(-30, false), t(-40, true)};
  EXPECT_EQ(effectivePriority(100, in).priority, 100 + 10 - 30);
  EXPECT_FALSE(effectivePriority(100, in).fault);
}

TEST(EffectivePriority, ReverseFlipsTheSign) {
  std::vector<TrackerInput> in = {t(10, true, true), t(-30, false, true)};
  EXPECT_EQ(effectivePriority(100, in).priority, 100 - 10 + 30);
}

TEST(EffectivePriority, WeightZeroFailureIsAFault) {
  std::vector<TrackerInput> in = {t(0, true), TrackerInput{"script chk", 0, false, false, {}}};
  auto r = effectivePriority(100, in);
  EXPECT_TRUE(r.fault);
  EXPECT_EQ(r.faulting, std::vector<std::string>{"script chk"});
}

TEST(EffectivePriority, ClampedToOneAnd254AndOwnerImmutable) {
  std::vector<TrackerInput> up = {t(200, true)}, down = {t(-200, false)};
  EXPECT_EQ(effectivePriority(100, up).priority, 254);
  EXPECT_EQ(effectivePriority(100, down).priority, 1);
  EXPECT_EQ(effectivePriority(255, down).priority, 255);
  std::vector<TrackerInput> fault = {t(0, false)};
  EXPECT_TRUE(effectivePriority(255, fault).fault) << "an owner can still be in FAULT";
}

TEST(EffectivePriority, TrackFileMultipliesTheValue) {
  std::vector<TrackerInput> in = {file(2, 15)};
  EXPECT_EQ(effectivePriority(100, in).priority, 130);
  in = {file(2, 15, true)};
  EXPECT_EQ(effectivePriority(100, in).priority, 70);
  in = {file(0, 0)};
  EXPECT_FALSE(effectivePriority(100, in).fault);
  in = {file(0, 3)};
  EXPECT_TRUE(effectivePriority(100, in).fault) << "weight 0: a non-zero value is a fault";
  in = {file(-1, 254)};
  EXPECT_TRUE(effectivePriority(100, in).fault) << "below -253 is a fault";
}

TEST(SyncGroup, MasterAndBackupPropagateToTheOthers) {
  SyncGroup g("G", 3);
  std::vector<State> s = {State::kMaster, State::kBackup, State::kBackup};
  auto orders =
      g.onTransition(0, Transition{State::kBackup, State::kMaster, Reason::kMasterDown, ""}, s);
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].member, 1u);
  EXPECT_EQ(std::get<SyncTo>(orders[1].event).state, State::kMaster);
  s = {State::kMaster, State::kBackup, State::kMaster};
  orders =
      g.onTransition(1, Transition{State::kMaster, State::kBackup, Reason::kHigherPriority, ""}, s);
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(std::get<SyncTo>(orders[0].event).state, State::kBackup);
  orders = g.onTransition(1, Transition{State::kMaster, State::kBackup, Reason::kSyncGroup, ""}, s);
  EXPECT_TRUE(orders.empty()) << "group-caused transitions do not echo";
}

TEST(SyncGroup, AnyFaultHoldsEveryMemberInFault) {
  SyncGroup g("G", 2);
  auto o = g.onMemberFault(1, true, "script down");
  ASSERT_EQ(o.size(), 2u);
  EXPECT_TRUE(std::get<FaultChanged>(o[0].event).fault);
  EXPECT_TRUE(g.onMemberFault(0, true, "if down").empty()) << "already faulted";
  EXPECT_TRUE(g.onMemberFault(1, false, "").empty()) << "member 0 still faulted";
  o = g.onMemberFault(0, false, "");
  ASSERT_EQ(o.size(), 2u);
  EXPECT_FALSE(std::get<FaultChanged>(o[1].event).fault);
}

}  // namespace
}  // namespace vipd::vrrp
