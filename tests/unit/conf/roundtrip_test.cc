// --dump-conf prints keepalived syntax that parses back to an equal model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.h"

namespace vipd::conf {
namespace {

void expectRoundTrip(const std::string& text, const std::string& id = "node1") {
  testing::MemFs fs;
  fs.files["/a.conf"] = text;
  auto first = loadFile("/a.conf", fs.options(id), false);
  ASSERT_FALSE(first.diags.hasErrors()) << first.diags.str();
  std::string dumped = dumpConfig(first.config);
  fs.files["/b.conf"] = dumped;
  auto second = loadFile("/b.conf", fs.options(id), false);
  ASSERT_FALSE(second.diags.hasErrors()) << second.diags.str() << "\n" << dumped;
  EXPECT_TRUE(first.config == second.config) << dumped;
  EXPECT_EQ(dumpConfig(second.config), dumped);
}

TEST(RoundTrip, EveryKeywordFamily) {
  expectRoundTrip(R"(
global_defs { router_id r1
  notification_email { "Ops <ops@example.com>" }
  smtp_server 192.0.2.25 2525
  script_user nobody :nogroup
  vrrp_garp_master_delay 0.25
  nftables mytable
  vrrp_iptables IN OUT
  dynamic_interfaces allow_if_changes }
static_ipaddress { 192.0.2.1/24 dev eth0 }
static_routes { 10.2.0.0/16 via 10.0.0.1 mtu lock 1400 }
vrrp_script s { script "/bin/check 'a b'"
  user nobody
  interval 0.5
  weight -10 reverse
  rise 2
  fall 3
  init_fail }
vrrp_track_process p { process nginx }
track_file f { file /tmp/f
  weight -2 }
vrrp_instance A { state MASTER
  interface eth0
  virtual_router_id 9
  advert_int 0.01
  version 3
  unicast_src_ip 10.0.0.1
  unicast_peer { 10.0.0.2 min_ttl 254 }
  mcast_src_ip 10.0.0.1
  track_script { s weight 3 }
  track_process { p }
  track_file { f weight 1 reverse }
  track_interface { eth1 weight -5 }
  virtual_ipaddress { 10.0.0.9/24 dev eth0 label "eth0:vip" use_vmac }
  virtual_rules { from 10.0.0.0/8 table 5 }
  no_accept
  notify "/bin/n x" root root
  notify_deleted
  timer_expired_backup
  debug 2
}
vrrp_instance B { interface eth0
  virtual_router_id 10
  preempt
  authentication { auth_type PASS
    auth_pass "p w" }
  virtual_ipaddress { 10.0.0.10 } }
vrrp_sync_group G { group { A B }
  notify_stop "/bin/stop" }
bfd_instance b { neighbour_ip 10.0.0.2
  min_rx 12.5 }
virtual_server_group VG { 10.0.0.2-10 80 }
virtual_server group VG { protocol TCP
  lb_algo sh
  sh-fallback
  persistence_timeout 50
  real_server 10.0.1.1 80 { weight 3
    HTTP_GET { url { path /
      status_code 200 301-302 }
      url { path /x } }
    MISC_CHECK { misc_path "/bin/c 1" user nobody }
    SMTP_CHECK { host { connect_ip 10.0.1.1 } } } }
SSL { ca /ca.pem }
garp_group { garp_interval 0.01
  interfaces { eth0 eth1 } }
net_namespace blue
)");
}

TEST(RoundTrip, PreprocessedConfigPrintsExpanded) {
  expectRoundTrip("$N=5\n~SEQ(I,1,3) vrrp_instance V${I} { virtual_router_id ${I} }\n");
}

// Found by conf_fuzz: list entries that look like preprocessor directives when they begin
// a line (as --dump-conf prints each entry) must be quoted, or the dump reads differently.
TEST(RoundTrip, ListEntriesThatLookLikeDirectives) {
  expectRoundTrip(
      "global_defs {\n  notification_email {\n    a state ~SEQMASTER @x include\n  }\n}\n");
}

// Every sample that keepalived ships round-trips (skipped only when keepalived's docs are
// not installed: `scripts/setup-deps.sh` installs them, and the corpus test requires them).
TEST(RoundTrip, KeepalivedSamples) {
  const std::string dir = "/usr/share/doc/keepalived/samples";
  if (!std::filesystem::exists(dir))
    GTEST_SKIP() << "keepalived samples not installed";
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename();
    if (name.rfind("keepalived.conf.", 0) != 0)
      continue;
    if (name == "keepalived.conf.vrrp.lvs_syncd" || name == "keepalived.conf.vrrp.rules")
      continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    SCOPED_TRACE(name);
    expectRoundTrip(ss.str(), "high");
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace vipd::conf
