// What vipd would tell IPVS, against what keepalived 2.2.7 told it for the same configs in a
// VM with an IPVS kernel (tests/vm/record.sh wrote tests/vm/expected): the same services,
// schedulers, flags, persistence, forwarding, weights and thresholds, line for line.
#include "lb/ipvs_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "conf/config.h"

namespace vipd::lb {
namespace {

// The VM's listeners (tests/vm/keepalived_reference.sh): a checked real server on one of
// these ports is up, any other checked one down; one without a checker is up.
bool listening(int port) {
  // tests/vm/listings.sh's listeners; 80: the real server namespaces of traffic.sh.
  static const std::set<int> ports{80, 8081, 8082, 8083, 8084, 8089};
  return ports.count(port) != 0;
}

std::vector<std::string> expected(const std::string& name) {
  std::ifstream in("tests/vm/expected/" + name + ".txt");  // ctest runs from the source tree
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  return lines;
}

std::vector<std::string> ours(const std::string& name) {
  auto r =
      conf::loadFile("tests/vm/configs/" + name + ".conf", conf::defaultPreprocessOptions(), false);
  EXPECT_TRUE(r.ok()) << r.diags.str();
  Diagnostics d;  // what the nftables data plane cannot do is no concern of IPVS
  const auto specs = makeServices(r.config, d);
  std::vector<ServiceHealth> health;
  for (const auto& v : r.config.virtual_servers) {
    ServiceHealth h;
    int64_t live = 0;
    for (const auto& rs : v.real_servers) {
      const bool up = rs.checkers.empty() || listening(rs.port.value_or(v.port.value_or(0)));
      h.real_servers.push_back({up, rs.weight});
      live += up ? rs.weight : 0;
    }
    h.quorum_up = live >= v.quorum;  // keepalived's rule with hysteresis 0
    health.push_back(h);
  }
  const auto rules = ipvsRules(r.config, specs, health);
  auto lines = ipvsadmSave(rules);
  // The thresholds, which `ipvsadm -S` leaves out, as the VM script lists them.
  for (const auto& iv : rules) {
    const auto& s = iv.service;
    const std::string proto = s.front.fwmark != 0                     ? "FWM"
                              : s.protocol == conf::L4Protocol::kUdp  ? "UDP"
                              : s.protocol == conf::L4Protocol::kSctp ? "SCTP"
                                                                      : "TCP";
    const auto at = [](const IpAddress& a, int port) {
      return a.isV4() ? a.str() + ":" + std::to_string(port)
                      : "[" + a.str() + "]:" + std::to_string(port);
    };
    const std::string svc =
        s.front.fwmark != 0 ? std::to_string(s.front.fwmark) : at(*s.front.addr, s.front.port);
    for (const auto& dst : iv.dests) {
      if (dst.uthreshold != 0 || dst.lthreshold != 0)
        lines.push_back("thresholds " + proto + " " + svc + " " + at(dst.addr, dst.port) + " " +
                        std::to_string(dst.uthreshold) + " " + std::to_string(dst.lthreshold));
    }
  }
  return lines;
}

class AsKeepalived : public ::testing::TestWithParam<const char*> {};

TEST_P(AsKeepalived, SameRules) {
  auto want = expected(GetParam());
  ASSERT_FALSE(want.empty()) << "no recorded rules for " << GetParam();
  auto got = ours(GetParam());
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(Configs, AsKeepalived,
                         ::testing::Values("nat_wrr_persistence", "sched_flags",
                                           "group_inhibit_sorry", "ipv6", "flush", "traffic"));

}  // namespace
}  // namespace vipd::lb
