// What an instance's configuration becomes for the engine: vipd's defaults where they differ
// from keepalived's (issue 17), and strict mode's overrides.
#include "core/instance_plan.h"

#include <gtest/gtest.h>

#include "conf/config.h"

namespace vipd::core {
namespace {

conf::Config load(const std::string& text) {
  conf::PreprocessOptions o;
  o.config_id = "t";
  o.read_file = [](const std::string&, std::string&) { return false; };
  o.glob = [](const std::string&) { return conf::IncludeMatch{}; };
  auto r = conf::loadText("/t.conf", text, o, false);
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.config;
}

InstancePlan plan(const std::string& globals, const std::string& body) {
  auto c = load(globals + "vrrp_instance V {\n interface eth0\n virtual_router_id 1\n" + body +
                " virtual_ipaddress { 10.0.0.1 }\n}\n");
  return planInstance(c.instances.at(0), c.global, *IpAddress::parse("10.0.0.2"));
}

// A master yielding to a higher priority advertises once more, so the rightful master
// hears of the overlap after a partition and refreshes its neighbours.
TEST(InstancePlan, YieldingMasterAdvertisesOnceByDefaultButNotInStrictMode) {
  EXPECT_TRUE(plan("", "").params.higher_prio_send_advert);
  EXPECT_FALSE(plan("", " higher_prio_send_advert false\n").params.higher_prio_send_advert);
  EXPECT_FALSE(plan("global_defs { vrrp_higher_prio_send_advert false }\n", "")
                   .params.higher_prio_send_advert);
  EXPECT_FALSE(plan("global_defs { vrrp_strict }\n", "").params.higher_prio_send_advert);
}

// Unicast adverts count only from configured peers unless accept_unicast_from_any; the check
// never applies to multicast instances (they have no peer list).
TEST(InstancePlan, UnicastSourcesAreCheckedByDefault) {
  const std::string peers = " unicast_peer { 10.0.0.3 }\n";
  EXPECT_TRUE(plan("", peers).rx.check_unicast_src);
  EXPECT_FALSE(plan("", peers + " accept_unicast_from_any\n").rx.check_unicast_src);
  EXPECT_FALSE(plan("global_defs { vrrp_accept_unicast_from_any }\n", peers).rx.check_unicast_src);
  EXPECT_TRUE(plan("global_defs { vrrp_accept_unicast_from_any }\n", peers + " check_unicast_src\n")
                  .rx.check_unicast_src);
  EXPECT_FALSE(plan("global_defs { vrrp_check_unicast_src }\n", "").rx.check_unicast_src);
}

TEST(InstancePlan, StrictModeSendsNoLowerPriorityGarps) {
  EXPECT_EQ(plan("", "").params.garp_lower_prio_repeat, 5);
  EXPECT_EQ(plan("global_defs { vrrp_strict }\n", "").params.garp_lower_prio_repeat, 0);
}

}  // namespace
}  // namespace vipd::core
