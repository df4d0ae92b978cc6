// vipd-sim's fault scripts.
#include "sim/scenario.h"

#include <gtest/gtest.h>

namespace vipd::sim {
namespace {

using namespace std::chrono_literals;

TEST(Scenario, ParsesStepsAndNamesBadLines) {
  std::vector<Step> steps;
  std::vector<std::string> errors;
  EXPECT_TRUE(
      parseScript("# comment\n5s kill r1\n\n1500ms partition r1 | r2,r3  # two\n", steps, errors));
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].at, 5s);
  EXPECT_EQ(steps[0].action, "kill");
  EXPECT_EQ(steps[1].at, 1500ms);
  EXPECT_EQ(steps[1].args, (std::vector<std::string>{"r1", "|", "r2,r3"}));
  EXPECT_EQ(steps[1].line, 4);
  steps.clear();
  EXPECT_FALSE(parseScript("soon kill r1\n3s\n", steps, errors));
  EXPECT_EQ(errors, (std::vector<std::string>{"line 1: 'soon' is not a time",
                                              "line 2: no action after the time"}));
}

TEST(Scenario, Durations) {
  Micros d{0};
  EXPECT_TRUE(parseDuration("1.5", d));
  EXPECT_EQ(d, 1500ms);
  EXPECT_TRUE(parseDuration("200us", d));
  EXPECT_EQ(d, 200us);
  EXPECT_FALSE(parseDuration("-1s", d));
  EXPECT_FALSE(parseDuration("ms", d));
}

TEST(Scenario, StepsDriveTheLan) {
  Lan lan;
  RouterSpec a;
  a.name = "r1/VI_1";
  a.params.priority = 200;
  a.rx.vrid = a.params.vrid;
  a.params.primary = *IpAddress::parse("10.0.0.1");
  a.rx.addrs = {*IpAddress::parse("10.0.0.100")};
  RouterSpec b = a;
  b.name = "r2/VI_1";
  b.params.priority = 100;
  b.params.primary = *IpAddress::parse("10.0.0.2");
  lan.add(a);
  lan.add(b);
  lan.start(0);
  lan.start(1);
  lan.runFor(5s);
  EXPECT_EQ(lan.masters(1), std::vector<size_t>{0});
  EXPECT_EQ(applyStep(lan, Step{5s, "kill", {"r1"}, 1}), "");
  lan.runFor(5s);
  EXPECT_EQ(lan.masters(1), std::vector<size_t>{1});
  EXPECT_EQ(applyStep(lan, Step{10s, "kill", {"r9"}, 2}), "no router 'r9'");
  EXPECT_EQ(applyStep(lan, Step{10s, "explode", {"r1"}, 3}), "unknown action 'explode'");
}

}  // namespace
}  // namespace vipd::sim
