// Every keyword family of keepalived.conf lands in the typed model with keepalived's meaning.
#include <gtest/gtest.h>

#include "conf/resolve.h"
#include "helpers.h"

namespace vipd::conf {
namespace {

Config ok(const std::string& text) {
  auto r = testing::load(text);
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.config;
}

const VrrpInstance& inst(const Config& c, size_t i = 0) {
  return c.instances.at(i);
}

TEST(Keywords, GlobalDefs) {
  auto c = ok(R"(
global_defs {
  router_id LVS_DEVEL
  notification_email { a@example.com
     b@example.com }
  notification_email_from ka@example.com
  smtp_server 192.0.2.25 2525
  smtp_connect_timeout 30
  smtp_alert
  script_user nobody :nogroup
  enable_script_security
  vrrp_version 3
  vrrp_mcast_group4 224.0.0.19
  vrrp_strict
  vrrp_skip_check_adv_addr on
  vrrp_garp_master_delay 1.5
  vrrp_garp_master_repeat 2
  vrrp_garp_interval 0.001
  vrrp_down_timer_adverts 4
  vrrp_higher_prio_send_advert
  max_auto_priority 50
  nftables
  dynamic_interfaces allow_if_changes
  vrrp_netlink_cmd_rcv_bufs 1048576
  enable_snmp_keepalived
  metrics_listen 127.0.0.1:9650
}
)");
  const auto& g = c.global;
  EXPECT_EQ(g.router_id, "LVS_DEVEL");
  EXPECT_EQ(g.notification_email, (std::vector<std::string>{"a@example.com", "b@example.com"}));
  ASSERT_TRUE(g.smtp_server);
  EXPECT_EQ(g.smtp_server->port, 2525);
  EXPECT_EQ(g.smtp_alert, true);
  ASSERT_TRUE(g.script_user);
  EXPECT_EQ(g.script_user->command, "nobody");
  EXPECT_EQ(g.script_user->group, "nogroup");
  EXPECT_TRUE(g.script_user->supplementary_groups);
  EXPECT_TRUE(g.enable_script_security);
  EXPECT_EQ(g.vrrp_version, 3);
  EXPECT_EQ(g.vrrp_mcast_group4.str(), "224.0.0.19");
  EXPECT_TRUE(g.vrrp_strict);
  EXPECT_TRUE(g.vrrp_skip_check_adv_addr);
  EXPECT_EQ(g.vrrp_garp_master_delay, Micros(1'500'000));
  EXPECT_EQ(g.vrrp_garp_master_repeat, 2);
  EXPECT_EQ(g.vrrp_garp_interval, Micros(1000));
  EXPECT_EQ(g.vrrp_down_timer_adverts, 4);
  EXPECT_EQ(g.vrrp_higher_prio_send_advert, true);
  EXPECT_EQ(g.nftables, "");
  EXPECT_TRUE(g.dynamic_interfaces);
  EXPECT_EQ(g.extra.at("vrrp_netlink_cmd_rcv_bufs")[0][0], "1048576");
  EXPECT_TRUE(g.extra.count("enable_snmp_keepalived"));
  EXPECT_EQ(g.metrics_listen, "127.0.0.1:9650");
}

TEST(Keywords, GlobalDefaultsAreKeepalivedsDefaults) {
  auto c = ok("global_defs {\n}\n");
  EXPECT_EQ(c.global.vrrp_version, 2);
  EXPECT_EQ(c.global.vrrp_mcast_group4.str(), "224.0.0.18");
  EXPECT_EQ(c.global.vrrp_mcast_group6.str(), "ff02::12");
  EXPECT_EQ(c.global.vrrp_garp_master_delay, seconds(5));
  EXPECT_EQ(c.global.vrrp_garp_master_repeat, 5);
  EXPECT_EQ(c.global.vrrp_down_timer_adverts, 3);
  EXPECT_EQ(c.global.smtp_connect_timeout, seconds(30));
  EXPECT_EQ(c.global.default_interface, "eth0");
}

TEST(Keywords, VrrpInstanceCore) {
  auto c = ok(R"(
vrrp_script chk { script "killall -0 nginx"
  interval 2
  weight -20 }
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 0.5
  version 3
  nopreempt
  preempt_delay 10
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.0.0.2 min_ttl 250 max_ttl 255
    10.0.0.3
  }
  unicast_ttl 10
  check_unicast_src
  track_interface { eth1 weight -30 reverse
    eth2 }
  track_script { chk weight 5 }
  virtual_ipaddress {
    10.0.0.100/24 dev eth0 label eth0:1 brd + scope global
    10.0.0.101
  }
  virtual_ipaddress_excluded { 2001:db8::1/64 -nodad }
  virtual_routes { 192.0.2.0/24 via 10.0.0.254 dev eth0 table 100 }
  virtual_rules { from 10.0.0.0/24 table 100 priority 100 }
  accept
  garp_master_delay 1
  garp_master_refresh 60
  notify_master "/usr/bin/notify.sh master 'a b'" root
  notify "/usr/bin/notify.sh"
  smtp_alert
  use_vmac vrrp.51
  vmac_xmit_base
}
)");
  const auto& i = inst(c);
  EXPECT_EQ(i.state, InitialState::kBackup);
  EXPECT_EQ(i.interface, "eth0");
  EXPECT_EQ(i.virtual_router_id, 51);
  EXPECT_EQ(effectivePriority(i), 150);
  EXPECT_EQ(i.advert_int, Micros(500'000));
  EXPECT_EQ(effectiveVersion(i, c.global), 3);
  EXPECT_TRUE(i.nopreempt);
  // keepalived resets preempt_delay under nopreempt (logged); vipd warns and does the same.
  EXPECT_EQ(i.preempt_delay, seconds(0));
  EXPECT_TRUE(i.unicast_configured);
  ASSERT_EQ(i.unicast_peer.size(), 2u);
  EXPECT_EQ(i.unicast_peer[0].min_ttl, 250);
  EXPECT_EQ(i.unicast_peer[0].max_ttl, 255);
  EXPECT_EQ(i.unicast_ttl, 10);
  ASSERT_EQ(i.track_interface.size(), 2u);
  EXPECT_EQ(i.track_interface[0].weight, (Weight{-30, true}));
  EXPECT_FALSE(i.track_interface[1].weight);
  EXPECT_EQ(i.track_script[0].weight, (Weight{5, false}));
  ASSERT_EQ(i.virtual_ipaddress.size(), 2u);
  const auto& v = i.virtual_ipaddress[0];
  EXPECT_EQ(v.prefix.str(), "10.0.0.100/24");
  EXPECT_EQ(v.dev, "eth0");
  EXPECT_EQ(v.label, "eth0:1");
  EXPECT_EQ(v.broadcast, "+");
  EXPECT_EQ(v.scope, "global");
  EXPECT_EQ(i.virtual_ipaddress[1].prefix.len, 32);
  EXPECT_TRUE(i.virtual_ipaddress_excluded[0].nodad);
  EXPECT_EQ(i.virtual_routes[0].words.size(), 7u);
  EXPECT_EQ(i.virtual_rules[0].words[0], "from");
  EXPECT_EQ(i.accept, true);
  EXPECT_EQ(i.garp_master_delay, seconds(1));
  ASSERT_TRUE(i.notify_master);
  EXPECT_EQ(i.notify_master->user, "root");
  EXPECT_EQ(splitCommand(i.notify_master->command),
            (std::vector<std::string>{"/usr/bin/notify.sh", "master", "a b"}));
  EXPECT_EQ(i.smtp_alert, true);
  ASSERT_TRUE(i.use_vmac);
  EXPECT_EQ(i.use_vmac->ifname, "vrrp.51");
  EXPECT_TRUE(i.vmac_xmit_base);
  const auto& s = c.vrrp_scripts.at(0);
  EXPECT_EQ(s.script.command, "killall -0 nginx");
  EXPECT_EQ(s.interval, seconds(2));
  EXPECT_EQ(s.weight, (Weight{-20, false}));
  EXPECT_EQ(s.rise, 1);
  EXPECT_EQ(s.fall, 1);
}

TEST(Keywords, StateMasterWithoutPriorityIs255) {
  auto c =
      ok("vrrp_instance A { state MASTER\n interface eth0\n virtual_router_id 1\n"
         " virtual_ipaddress { 10.0.0.1 } }\n"
         "vrrp_instance B { state BACKUP\n interface eth0\n virtual_router_id 2\n"
         " virtual_ipaddress { 10.0.0.2 } }\n");
  EXPECT_EQ(effectivePriority(inst(c, 0)), 255);
  EXPECT_EQ(effectivePriority(inst(c, 1)), 100);
  EXPECT_EQ(effectiveAdvertInt(inst(c, 0)), seconds(1));
  EXPECT_EQ(effectiveVersion(inst(c, 0), c.global), 2);
}

TEST(Keywords, IPv6InstanceIsVersion3) {
  auto c =
      ok("vrrp_instance A { interface eth0\n virtual_router_id 1\n"
         " virtual_ipaddress { fe80::1/64\n 2001:db8::10/64 } }\n");
  EXPECT_EQ(instanceFamily(inst(c)), Family::kInet6);
  EXPECT_EQ(effectiveVersion(inst(c), c.global), 3);
}

TEST(Keywords, AuthenticationAndStrictDefaults) {
  auto c =
      ok("vrrp_instance A { interface eth0\n virtual_router_id 1\n"
         " authentication {\n auth_type AH\n auth_pass secret\n }\n"
         " virtual_ipaddress { 10.0.0.1 } }\n");
  ASSERT_TRUE(inst(c).authentication);
  EXPECT_EQ(inst(c).authentication->type, AuthType::kAh);
  EXPECT_EQ(inst(c).authentication->pass, "secret");
  EXPECT_TRUE(acceptMode(inst(c), c.global));
  auto strict =
      ok("global_defs { vrrp_strict }\nvrrp_instance A { interface eth0\n"
         " virtual_router_id 1\n priority 200\n virtual_ipaddress { 10.0.0.1 } }\n");
  EXPECT_FALSE(acceptMode(inst(strict), strict.global));
  // The address owner accepts packets for its own addresses, strict or not (keepalived).
  auto owner =
      ok("global_defs { vrrp_strict }\nvrrp_instance A { interface eth0\n"
         " virtual_router_id 1\n priority 255\n virtual_ipaddress { 10.0.0.1 } }\n");
  EXPECT_TRUE(acceptMode(inst(owner), owner.global));
}

TEST(Keywords, TrackersAndSyncGroups) {
  auto c = ok(R"(
vrrp_track_process haproxy {
  process haproxy -f /etc/haproxy.cfg
  param_match initial
  weight 10 reverse
  quorum 2
  quorum_max 4
  fork_delay 1
  terminate_delay 2
  full_command
}
track_file maint {
  file "/run/maint"
  weight -10
  init_file 0 overwrite
}
vrrp_track_file legacy { file /run/legacy }
vrrp_instance A { interface eth0
  virtual_router_id 1
  virtual_ipaddress { 10.0.0.1 }
  track_process { haproxy weight 20 }
  track_file { maint }
}
vrrp_instance B { interface eth0
  virtual_router_id 2
  virtual_ipaddress { 10.0.0.2 }
}
vrrp_sync_group G {
  group { A
  B }
  track_file { maint weight 0 }
  notify_master "/bin/m"
  notify "/bin/n"
  smtp_alert
  global_tracking
}
)");
  const auto& p = c.track_processes.at(0);
  EXPECT_EQ(p.process, (std::vector<std::string>{"haproxy", "-f", "/etc/haproxy.cfg"}));
  EXPECT_EQ(p.param_match, "initial");
  EXPECT_EQ(p.weight, (Weight{10, true}));
  EXPECT_EQ(p.quorum, 2);
  EXPECT_EQ(p.quorum_max, 4);
  EXPECT_TRUE(p.full_command);
  ASSERT_EQ(c.track_files.size(), 2u);
  EXPECT_EQ(c.track_files[0].weight.value, -10);
  EXPECT_EQ(c.track_files[0].init_file, (std::vector<std::string>{"0", "overwrite"}));
  EXPECT_EQ(c.track_files[1].weight.value, 1);  // keepalived's default for track_file
  const auto& g = c.sync_groups.at(0);
  EXPECT_EQ(g.group, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(g.track_file[0].weight, (Weight{0, false}));
  EXPECT_TRUE(g.sync_group_tracking_weight);  // via the deprecated synonym
  EXPECT_TRUE(g.notify_master && g.notify);
}

TEST(Keywords, StaticAddressesRoutesRulesAndSmallBlocks) {
  auto c = ok(R"(
static_ipaddress { 192.0.2.1/24 dev eth0 scope link }
static_routes {
  src 192.168.100.1 192.168.209.0/24 via 192.168.200.254 dev eth0
  blackhole 10.1.0.0/16
  10.2.0.0/16 via 10.0.0.1 mtu lock 1400 metric 5
  default nexthop via 10.0.0.1 weight 1 nexthop via 10.0.0.2 weight 2
}
static_rules { from 10.0.0.0/8 lookup 5 preference 100 not }
linkbeat_interfaces { eth0 MII }
interface_up_down_delays { eth0 2 1 }
track_group TG { group { A } }
garp_group { garp_interval 0.01
  interfaces { eth0 } }
net_namespace blue
use_pid_dir
)");
  EXPECT_EQ(c.static_ipaddress.at(0).scope, "link");
  ASSERT_EQ(c.static_routes.size(), 4u);
  EXPECT_EQ(c.static_routes[1].words[0], "blackhole");
  EXPECT_EQ(c.static_rules.at(0).words.back(), "not");
  EXPECT_EQ(c.linkbeat_interfaces.at(0).lines.at(0), (std::vector<std::string>{"eth0", "MII"}));
  EXPECT_EQ(c.track_groups.at(0).name, "TG");
  EXPECT_EQ(c.extra.at("net_namespace")[0][0], "blue");
  EXPECT_TRUE(c.extra.count("use_pid_dir"));
}

TEST(Keywords, VirtualServersWithKeepalivedDefaults) {
  auto c = ok(R"(
virtual_server 10.0.0.1 80 {
  real_server 10.0.1.1 80 { TCP_CHECK { connect_timeout 3 } }
}
virtual_server fwmark 7 {
  lb_algo rr
  real_server 10.0.1.1 { weight 0 }
}
virtual_server_group G { 10.0.0.2-10 80
  10.0.0.0/29 443
  fwmark 9 inet }
virtual_server group G {
  lvs_sched wrr
  lvs_method TUN type gue port 6080 nocsum
  protocol TCP
  persistence_timeout
  sorry_server 10.0.9.9 8080
  quorum 3
  hysteresis 1
  quorum_up "/bin/up"
  alpha
  omega
  inhibit_on_failure
  hashed
  sh-port
  real_server 10.0.1.2 443 {
    weight 2
    lb_kind DR
    notify_up "/bin/rs up"
    inhibit_on_failure false
  }
}
)");
  ASSERT_EQ(c.virtual_servers.size(), 3u);
  const auto& v0 = c.virtual_servers[0];
  EXPECT_FALSE(v0.lb_algo);   // wlc, with a warning
  EXPECT_FALSE(v0.protocol);  // UDP, keepalived's surprising default
  EXPECT_EQ(v0.delay_loop, seconds(60));
  EXPECT_EQ(v0.real_servers.at(0).weight, 1);
  EXPECT_EQ(v0.real_servers[0].checkers.at(0).kind, CheckerKind::kTcp);
  EXPECT_EQ(v0.real_servers[0].checkers[0].connect_timeout, seconds(3));
  EXPECT_EQ(c.virtual_servers[1].fwmark, 7u);
  EXPECT_EQ(c.virtual_servers[1].real_servers[0].weight, 0);
  EXPECT_FALSE(c.virtual_servers[1].real_servers[0].port);
  const auto& g = c.virtual_server_groups.at(0);
  EXPECT_EQ(g.entries.size(), 3u);
  const auto& v2 = c.virtual_servers[2];
  EXPECT_EQ(v2.group, "G");
  EXPECT_EQ(v2.lb_algo, "wrr");
  EXPECT_EQ(v2.lvs_method.method, "TUN");
  EXPECT_EQ(v2.lvs_method.options,
            (std::vector<std::string>{"type", "gue", "port", "6080", "nocsum"}));
  EXPECT_EQ(v2.protocol, L4Protocol::kTcp);
  EXPECT_EQ(v2.persistence_timeout, seconds(360));
  EXPECT_EQ(v2.sorry_server->port, 8080);
  EXPECT_EQ(v2.quorum, 3);
  EXPECT_TRUE(v2.alpha && v2.omega && v2.inhibit_on_failure);
  EXPECT_EQ(v2.sched_flags, (std::vector<std::string>{"flag-1", "sh-port"}));
  const auto& rs = v2.real_servers.at(0);
  EXPECT_EQ(rs.weight, 2);
  EXPECT_EQ(rs.lvs_method->method, "DR");
  EXPECT_EQ(rs.inhibit_on_failure, false);
}

TEST(Keywords, EveryChecker) {
  auto c = ok(R"(
track_file f { file /tmp/f }
bfd_instance b { neighbor_ip 10.0.0.2
  min_rx 50
  min_tx 50.5
  multiplier 3
  weight -10 }
virtual_server 10.0.0.1 443 {
  protocol TCP
  lb_algo rr
  real_server 10.0.1.1 443 {
    SSL_GET {
      url { path /health
        digest 9b3a0c85a887a256d6939da88aabd8cd
        status_code 200-299 503 }
      url { path /other
        regex "ok.*"
        regex_no_match }
      http_protocol 1.1
      virtualhost www.example.com
      enable_sni
      connect_port 8443
      bindto 10.0.0.5
      nb_get_retry 3
      delay_before_retry 2
    }
    HTTP_GET { url { path / } fast_recovery }
    MISC_CHECK { misc_path "/bin/check.sh 1 2"
      misc_timeout 5
      misc_dynamic
      user nobody }
    SMTP_CHECK { helo_name mx
      host { connect_ip 10.0.1.1
        connect_port 25
        bindto 10.0.0.5 } }
    DNS_CHECK { type AAAA
      name example.com }
    UDP_CHECK { payload 0a0b
      require_reply 0aXX
      min_reply_length 2
      max_reply_length 16 }
    PING_CHECK { retry 4 }
    FILE_CHECK { track_file f
      dynamic
      weight -5 reverse }
    BFD_CHECK { name b }
    TCP_CHECK { fwmark 0x10
      warmup 5 }
  }
}
SSL { password pw
  ca /etc/ca.pem
  certificate /etc/c.pem
  key /etc/k.pem }
)");
  const auto& ch = c.virtual_servers.at(0).real_servers.at(0).checkers;
  ASSERT_EQ(ch.size(), 10u);
  EXPECT_EQ(ch[0].kind, CheckerKind::kSslGet);
  ASSERT_EQ(ch[0].urls.size(), 2u);
  EXPECT_EQ(ch[0].urls[0].digest, "9b3a0c85a887a256d6939da88aabd8cd");
  EXPECT_EQ(ch[0].urls[0].status_code, (std::vector<std::pair<int, int>>{{200, 299}, {503, 503}}));
  EXPECT_EQ(ch[0].urls[1].regex, "ok.*");
  EXPECT_TRUE(ch[0].urls[1].regex_no_match);
  EXPECT_EQ(ch[0].http_protocol, "1.1");
  EXPECT_EQ(ch[0].connect_port, 8443);
  EXPECT_EQ(ch[0].retry, 3);  // nb_get_retry is the deprecated retry
  EXPECT_EQ(ch[1].kind, CheckerKind::kHttpGet);
  EXPECT_EQ(ch[1].fast_recovery, true);
  EXPECT_EQ(ch[2].misc_path->command, "/bin/check.sh 1 2");
  EXPECT_TRUE(ch[2].misc_dynamic);
  EXPECT_EQ(ch[3].hosts.at(0).connect_port, 25);
  EXPECT_EQ(ch[4].dns_type, "AAAA");
  EXPECT_EQ(ch[5].require_reply, "0aXX");
  EXPECT_EQ(ch[6].retry, 4);
  EXPECT_EQ(ch[7].weight, (Weight{-5, true}));
  EXPECT_EQ(ch[8].bfd_name, "b");
  EXPECT_EQ(ch[9].fwmark, 16u);
  EXPECT_EQ(c.bfd_instances.at(0).min_tx, Micros(50'500));
  EXPECT_EQ(c.ssl->key, "/etc/k.pem");
}

TEST(Keywords, BadValuesAreErrorsAtTheValue) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (auto [text, where] : std::initializer_list<Case>{
           {"vrrp_instance A {\n virtual_router_id 256\n}\n", ":2:20"},
           {"vrrp_instance A {\n advert_int 0.001\n}\n", ":2:13"},
           {"vrrp_instance A {\n state PRIMARY\n}\n", ":2:8"},
           {"vrrp_instance A {\n virtual_ipaddress {\n  10.0.0.300/24\n }\n}\n", ":3:3"},
           {"vrrp_instance A {\n virtual_ipaddress {\n  10.0.0.3 dve eth0\n }\n}\n", ":3:12"},
           {"vrrp_instance A {\n unicast_peer {\n  10.0.0.3 max_ttl 300\n }\n}\n", ":3:20"},
           {"global_defs {\n smtp_alert maybe\n}\n", ":2:13"},
           {"virtual_server 10.0.0.1 80 {\n lb_algo fastest\n}\n", ":2:10"},
           {"virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
            "  HTTP_GET { url { digest xyz } }\n }\n}\n",
            ":3:27"},
       }) {
    auto r = testing::load(text);
    ASSERT_TRUE(r.diags.hasErrors()) << text;
    EXPECT_EQ(r.diags.all()[0].loc.str(), std::string("/etc/vipd/vipd.conf") + where)
        << r.diags.str();
  }
}

TEST(Keywords, WrongArityAndMisplacedBlocks) {
  auto r = testing::load(
      "vrrp_instance A {\n priority\n interface eth0 eth1\n"
      " virtual_ipaddress 10.0.0.1\n}\n");
  ASSERT_EQ(r.diags.errorCount(), 3 + 1) << r.diags.str();  // + missing VRID
  EXPECT_NE(r.diags.all()[0].message.find("takes 1 argument(s), got 0"), std::string::npos);
  EXPECT_NE(r.diags.all()[2].message.find("needs a block"), std::string::npos);
}

}  // namespace
}  // namespace vipd::conf
