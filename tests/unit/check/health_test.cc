// The retry machine and the health of real and virtual servers, with injected time.
#include "check/health.h"

#include <gtest/gtest.h>

namespace vipd::check {
namespace {

using std::chrono::microseconds;
constexpr microseconds s(double x) {
  return microseconds(static_cast<int64_t>(x * 1e6));
}

Timing timing(int retry, bool alpha = false) {
  Timing t;
  t.delay_loop = s(10);
  t.delay_before_retry = s(2);
  t.warmup = s(10);
  t.retry = retry;
  t.alpha = alpha;
  return t;
}

TEST(CheckerState, OneFailureIsEnoughAtStart) {
  CheckerState c(timing(3));
  EXPECT_TRUE(c.up());
  auto st = c.record(false, s(1));
  EXPECT_TRUE(st.changed);
  EXPECT_FALSE(st.up);
  EXPECT_EQ(st.allowed, 1);
  EXPECT_EQ(st.next, s(11));  // a DOWN checker is retried every delay_loop
}

TEST(CheckerState, LaterRetryPlusOneFailuresSpacedByDelayBeforeRetry) {
  CheckerState c(timing(2));
  ASSERT_FALSE(c.record(true, s(0)).changed);  // up from the start: no transition
  auto a = c.record(false, s(10));
  EXPECT_FALSE(a.changed);
  EXPECT_EQ(a.next, s(12));
  EXPECT_EQ(a.failures, 1);
  EXPECT_EQ(a.allowed, 3);
  auto b = c.record(false, s(12));
  EXPECT_FALSE(b.changed);
  auto d = c.record(false, s(14));
  EXPECT_TRUE(d.changed);
  EXPECT_FALSE(d.up);
  EXPECT_EQ(d.failures, 3);
  EXPECT_EQ(d.next, s(24));
  // One success brings it back.
  auto e = c.record(true, s(24));
  EXPECT_TRUE(e.changed);
  EXPECT_TRUE(e.up);
}

TEST(CheckerState, ASuccessResetsTheRetries) {
  CheckerState c(timing(1));
  c.record(true, s(0));
  c.record(false, s(10));
  c.record(true, s(12));
  auto st = c.record(false, s(22));
  EXPECT_FALSE(st.changed);  // the count started over
  EXPECT_TRUE(st.up);
}

TEST(CheckerState, AlphaStartsDownAndAFirstFailureIsKnown) {
  CheckerState c(timing(1, true));
  EXPECT_FALSE(c.up());
  auto st = c.record(false, s(1));
  EXPECT_TRUE(st.changed);  // keepalived runs notify_down here
  EXPECT_FALSE(st.up);
  EXPECT_FALSE(c.record(false, s(11)).changed);
  EXPECT_TRUE(c.record(true, s(21)).changed);
}

TEST(CheckerState, RiseNeedsConsecutiveSuccessesAndAFailureStartsOver) {
  Timing t = timing(0);
  t.rise = 3;
  CheckerState c(t);
  ASSERT_TRUE(c.record(false, s(1)).changed);  // down at its first check
  auto a = c.record(true, s(11));
  EXPECT_FALSE(a.changed);
  EXPECT_FALSE(a.up);
  EXPECT_EQ(a.successes, 1);
  EXPECT_EQ(a.next, s(21));  // successes are a delay_loop apart
  EXPECT_FALSE(c.record(true, s(21)).changed);
  EXPECT_FALSE(c.record(false, s(31)).changed);  // a failure: the count starts over
  EXPECT_EQ(c.record(true, s(41)).successes, 1);
  EXPECT_FALSE(c.record(true, s(51)).changed);
  auto up = c.record(true, s(61));
  EXPECT_TRUE(up.changed);
  EXPECT_TRUE(up.up);
  // UP again: rise does not delay anything else (one failure with retry 0 is DOWN).
  EXPECT_TRUE(c.record(false, s(71)).changed);
}

TEST(CheckerState, FirstAttemptAfterBootstrapAndWarmup) {
  CheckerState c(timing(1));
  EXPECT_EQ(c.firstAttempt(s(100), 0.0), s(101));
  EXPECT_EQ(c.firstAttempt(s(100), 0.5), s(106));
  EXPECT_EQ(c.firstAttempt(s(100), 0.5, true), s(100));
}

Plan plan(int quorum, int hysteresis, std::vector<int> weights, int checks_per_rs = 1) {
  Plan p;
  VirtualServerSpec v;
  v.key = "vs";
  v.quorum = quorum;
  v.hysteresis = hysteresis;
  for (int w : weights) {
    RealServerSpec r;
    r.weight = w;
    for (int i = 0; i < checks_per_rs; ++i) {
      CheckSpec c;
      c.timing = timing(0);
      r.checks.push_back(c);
    }
    v.real_servers.push_back(r);
  }
  p.virtual_servers.push_back(v);
  return p;
}

std::vector<Change::Kind> kinds(const std::vector<Change>& ch) {
  std::vector<Change::Kind> k;
  for (const auto& c : ch)
    k.push_back(c.kind);
  return k;
}

TEST(Health, AliveOnlyWhileEveryCheckerIsUp) {
  Health h(plan(1, 0, {1}, 2));
  std::vector<Change> ch;
  h.record({0, 0, 0}, {false, "x", {}}, s(1), ch);
  EXPECT_FALSE(h.alive(0, 0));
  EXPECT_EQ(kinds(ch), (std::vector{Change::Kind::kChecker, Change::Kind::kRealServer,
                                    Change::Kind::kQuorum}));
  ch.clear();
  h.record({0, 0, 1}, {false, "y", {}}, s(1), ch);
  EXPECT_EQ(kinds(ch), (std::vector{Change::Kind::kChecker}));  // already down
  ch.clear();
  h.record({0, 0, 0}, {true, "", {}}, s(2), ch);
  EXPECT_FALSE(h.alive(0, 0));  // the second checker still fails
  h.record({0, 0, 1}, {true, "", {}}, s(2), ch);
  EXPECT_TRUE(h.alive(0, 0));
  EXPECT_TRUE(h.quorumUp(0));
}

TEST(Health, QuorumWithHysteresis) {
  // quorum 3, hysteresis 1: lost below 2, regained at 4.
  Health h(plan(3, 1, {1, 1, 1, 1}));
  EXPECT_TRUE(h.quorumUp(0));  // 4 >= 3 + 1 at start
  std::vector<Change> ch;
  h.record({0, 0, 0}, {false, "", {}}, s(1), ch);  // 3 left
  h.record({0, 1, 0}, {false, "", {}}, s(1), ch);  // 2 left: not below 3 - 1
  EXPECT_TRUE(h.quorumUp(0));
  ch.clear();
  h.record({0, 2, 0}, {false, "", {}}, s(1), ch);  // 1 left: lost
  ASSERT_FALSE(h.quorumUp(0));
  EXPECT_EQ(ch.back().kind, Change::Kind::kQuorum);
  EXPECT_EQ(ch.back().threshold, 2);
  EXPECT_EQ(ch.back().weight, 1);
  h.record({0, 0, 0}, {true, "", {}}, s(2), ch);  // 2
  h.record({0, 1, 0}, {true, "", {}}, s(2), ch);  // 3: not yet 3 + 1
  EXPECT_FALSE(h.quorumUp(0));
  h.record({0, 2, 0}, {true, "", {}}, s(2), ch);  // 4
  EXPECT_TRUE(h.quorumUp(0));
}

TEST(Health, DynamicWeightsMoveTheQuorum) {
  Health h(plan(5, 0, {3, 3}));
  std::vector<Change> ch;
  h.record({0, 0, 0}, {true, "", 1}, s(1), ch);  // misc_dynamic exit 3 -> weight 1
  EXPECT_EQ(h.weight(0, 0), 1);
  EXPECT_EQ(h.liveWeight(0), 4);
  EXPECT_FALSE(h.quorumUp(0));
  EXPECT_EQ(kinds(ch), (std::vector{Change::Kind::kWeight, Change::Kind::kQuorum}));
  ch.clear();
  h.record({0, 0, 0}, {false, "", 9}, s(2), ch);  // a failure says nothing of the weight
  EXPECT_EQ(h.weight(0, 0), 1);
}

TEST(Health, RestoreKeepsVerdictsAndWeightsWithoutReporting) {
  Health before(plan(2, 0, {1, 1}));
  std::vector<Change> ch;
  before.record({0, 0, 0}, {false, "", {}}, s(1), ch);
  before.record({0, 1, 0}, {true, "", 5}, s(1), ch);
  Health after(plan(2, 0, {3, 3}));  // the reload changed the configured weights
  after.restore({0, 0, 0}, before.checker({0, 0, 0}), before.dynamic({0, 0, 0}));
  after.restore({0, 1, 0}, before.checker({0, 1, 0}), before.dynamic({0, 1, 0}));
  after.restoreQuorum(0, before.quorumUp(0));
  EXPECT_FALSE(after.alive(0, 0));   // still down: not re-added by the reload
  EXPECT_EQ(after.weight(0, 0), 3);  // the new configured weight
  EXPECT_EQ(after.weight(0, 1), 5);  // the dynamic weight it had asked for
  EXPECT_EQ(after.quorumUp(0), before.quorumUp(0));
  ch.clear();
  after.record({0, 0, 0}, {false, "", {}}, s(20), ch);
  EXPECT_TRUE(ch.empty());  // a failure of a checker known down changes nothing
}

}  // namespace
}  // namespace vipd::check
