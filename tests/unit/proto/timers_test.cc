// Timer formulas against the worked numbers in reference/vrrp-protocol.md 2.1 and the
// keepalived failover bound measured in reference/peers.md.
#include "proto/vrrp/timers.h"

#include <gtest/gtest.h>

namespace vipd::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Timers, V2SkewAndDownInterval) {  // RFC 3768 6.1
  EXPECT_EQ(skewTime(2, 100, seconds(1)), Micros(609'375));
  EXPECT_EQ(masterDownInterval(2, 100, seconds(1)), Micros(3'609'375));  // keepalived: 3.609 s
  // v2 skew does not scale with the interval.
  EXPECT_EQ(skewTime(2, 100, seconds(5)), Micros(609'375));
  EXPECT_EQ(skewTime(2, 255, seconds(1)), Micros(3'906));  // 1/256 s
}

TEST(Timers, V3SkewScalesWithTheMasterInterval) {  // RFC 5798 6.1
  EXPECT_EQ(skewTime(3, 100, seconds(1)), Micros(609'375));
  EXPECT_EQ(masterDownInterval(3, 100, milliseconds(100)), Micros(360'937));  // 0.361 s bound
  EXPECT_EQ(skewTime(3, 254, milliseconds(10)), Micros(78));                  // 78.125 us
  EXPECT_EQ(masterDownInterval(3, 254, milliseconds(10)), Micros(30'078));
  EXPECT_EQ(skewTime(3, 200, seconds(1)), Micros(218'750));  // FRR truncates this to 210 ms
}

TEST(Timers, DownTimerAdvertsReplacesTheFactorThree) {
  EXPECT_EQ(masterDownInterval(2, 100, seconds(1), 5), Micros(5'609'375));
}

TEST(Timers, WireIntervalRoundsAndClamps) {
  EXPECT_EQ(wireInterval(2, seconds(1)), 1);
  EXPECT_EQ(wireInterval(2, milliseconds(400)), 1);  // never 0
  EXPECT_EQ(wireInterval(2, milliseconds(1600)), 2);
  EXPECT_EQ(wireInterval(2, seconds(300)), 255);
  EXPECT_EQ(wireInterval(3, seconds(1)), 100);
  EXPECT_EQ(wireInterval(3, milliseconds(10)), 1);
  EXPECT_EQ(wireInterval(3, Micros(1)), 1);              // 0 would be dropped (erratum 8301)
  EXPECT_EQ(wireInterval(3, Micros(40'958'000)), 4095);  // keepalived 2.3.2's rounding bug
  EXPECT_EQ(fromWireInterval(3, 100), seconds(1));
  EXPECT_EQ(fromWireInterval(2, 3), seconds(3));
}

}  // namespace
}  // namespace vipd::vrrp
