// virtual_routes / virtual_rules words -> typed requests.
#include "core/route_spec.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

namespace vipd::core {
namespace {

TEST(RouteSpec, GatewayDevTableMetric) {
  std::string err;
  auto r = parseRouteSpec({"192.0.2.0/24", "via", "10.0.0.1", "dev", "eth0", "table", "100",
                           "metric", "5", "src", "10.0.0.9"},
                          err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->dst, *IpPrefix::parse("192.0.2.0/24"));
  EXPECT_EQ(r->via, IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(r->dev, std::optional<std::string>("eth0"));
  EXPECT_EQ(r->table, 100u);
  EXPECT_EQ(r->metric, 5u);
  EXPECT_EQ(r->src, IpAddress::parse("10.0.0.9"));
}

TEST(RouteSpec, TypesDefaultsAndFamilies) {
  std::string err;
  auto b = parseRouteSpec({"blackhole", "198.51.100.0/24"}, err);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, RouteType::kBlackhole);
  auto d6 = parseRouteSpec({"default", "via", "fe80::1", "dev", "eth0"}, err);
  ASSERT_TRUE(d6);
  EXPECT_TRUE(d6->dst.addr.isV6());
  EXPECT_EQ(d6->dst.len, 0);
  auto s = parseRouteSpec({"10.1.0.0/16", "dev", "eth0", "scope", "link", "table", "main"}, err);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->scope, uint8_t{RT_SCOPE_LINK});
  EXPECT_EQ(s->table, uint32_t{RT_TABLE_MAIN});
}

TEST(RouteSpec, RefusesWhatItCannotProgram) {
  std::string err;
  EXPECT_FALSE(parseRouteSpec({"10.0.0.0/8", "nexthop", "via", "10.0.0.1"}, err));
  EXPECT_EQ(err, "'nexthop' is not supported in virtual_routes yet");
  EXPECT_FALSE(parseRouteSpec({"10.0.0.0/8", "via", "nonsense"}, err));
  EXPECT_EQ(err, "'nonsense' is not a valid via");
  EXPECT_FALSE(parseRouteSpec({"10.0.0.0/8", "metric"}, err));
  EXPECT_EQ(err, "'metric' needs a value");
}

TEST(RuleSpec, FromToTablePriority) {
  std::string err;
  auto r = parseRuleSpec({"from", "10.0.0.0/24", "to", "192.0.2.1", "table", "100", "priority",
                          "10", "iif", "eth0", "fwmark", "0x10"},
                         err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->family, Family::kInet);
  EXPECT_EQ(r->from, IpPrefix::parse("10.0.0.0/24"));
  EXPECT_EQ(r->to, IpPrefix::parse("192.0.2.1"));
  EXPECT_EQ(r->table, 100u);
  EXPECT_EQ(r->priority, 10u);
  EXPECT_EQ(r->iif, std::optional<std::string>("eth0"));
  EXPECT_EQ(r->fwmark, 16u);
  auto v6 = parseRuleSpec({"from", "2001:db8::/64", "lookup", "7"}, err);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, Family::kInet6);
  EXPECT_FALSE(parseRuleSpec({"from", "10.0.0.1", "goto", "5"}, err));
}

}  // namespace
}  // namespace vipd::core
