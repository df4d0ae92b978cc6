// keepalived's semantic rules, one test per rule, each checking the message and its line.
#include <gtest/gtest.h>

#include "helpers.h"

namespace vipd::conf {
namespace {

// Expects exactly one error, containing `needle`, reported on `line`.
void expectError(const std::string& text, const std::string& needle, int line) {
  auto r = testing::load(text);
  ASSERT_EQ(r.diags.errorCount(), 1) << r.diags.str();
  for (const auto& d : r.diags.all()) {
    if (d.severity != Severity::kError)
      continue;
    EXPECT_NE(d.message.find(needle), std::string::npos) << d.str();
    EXPECT_EQ(d.loc.line, line) << d.str();
  }
}

void expectWarning(const std::string& text, const std::string& needle) {
  auto r = testing::load(text);
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  bool found = false;
  for (const auto& d : r.diags.all())
    found = found || d.message.find(needle) != std::string::npos;
  EXPECT_TRUE(found) << "no warning '" << needle << "' in:\n" << r.diags.str();
}

// Expects no error and a warning containing `needle` on `line`.
void expectWarningAt(const std::string& text, const std::string& needle, int line) {
  auto r = testing::load(text);
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  bool found = false;
  for (const auto& d : r.diags.all()) {
    if (d.message.find(needle) != std::string::npos) {
      found = true;
      EXPECT_EQ(d.loc.line, line) << d.str();
    }
  }
  EXPECT_TRUE(found) << "no warning '" << needle << "' in:\n" << r.diags.str();
}

std::string instance(const std::string& body, const std::string& name = "V") {
  return "vrrp_instance " + name + " {\n interface eth0\n" + body + "}\n";
}

// vipd's conntrack_sync: options by name, the instance must exist.
TEST(Validate, ConntrackSync) {
  const std::string vi = instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n");
  auto r = testing::load("global_defs {\n conntrack_sync V config /x.conf timeout 0.5\n}\n" + vi);
  ASSERT_FALSE(r.diags.hasErrors()) << r.diags.str();
  ASSERT_TRUE(r.config.global.conntrack_sync);
  EXPECT_EQ(r.config.global.conntrack_sync->instance, "V");
  EXPECT_EQ(r.config.global.conntrack_sync->config, "/x.conf");
  EXPECT_EQ(r.config.global.conntrack_sync->program, "conntrackd");
  EXPECT_EQ(r.config.global.conntrack_sync->timeout, std::chrono::milliseconds(500));
  expectError("global_defs {\n conntrack_sync W\n}\n" + vi, "vrrp_instance 'W' is not defined", 2);
  expectError("global_defs {\n conntrack_sync V timeout 0\n}\n" + vi, "expected seconds", 2);
  expectError("global_defs {\n conntrack_sync V confg /x\n}\n" + vi,
              "expected config, timeout or program", 2);
  expectError("global_defs {\n conntrack_sync V config\n}\n" + vi, "expected a value", 2);
}

// lvs_sync_daemon as keepalived 2.2.7 reads it, both forms; values checked at their column.
TEST(Validate, LvsSyncDaemon) {
  const std::string vi = instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n");
  auto r = testing::load(
      "global_defs {\n lvs_sync_daemon eth1 inst V id 7 maxlen 1400 port 8849 ttl 2 group "
      "224.0.0.90\n}\n" +
      vi);
  ASSERT_FALSE(r.diags.hasErrors()) << r.diags.str();
  ASSERT_TRUE(r.config.global.lvs_sync_daemon);
  const auto& l = *r.config.global.lvs_sync_daemon;
  EXPECT_EQ(l.ifname, "eth1");
  EXPECT_EQ(l.instance, "V");
  EXPECT_EQ(l.syncid, 7);
  EXPECT_EQ(l.maxlen, 1400);
  EXPECT_EQ(l.port, 8849);
  EXPECT_EQ(l.ttl, 2);
  EXPECT_EQ(l.group, IpAddress::parse("224.0.0.90"));
  auto old = testing::load("global_defs {\n lvs_sync_daemon eth1 V 5\n}\n" + vi);
  ASSERT_FALSE(old.diags.hasErrors()) << old.diags.str();
  EXPECT_EQ(old.config.global.lvs_sync_daemon->instance, "V");
  EXPECT_EQ(old.config.global.lvs_sync_daemon->syncid, 5);
  expectWarning("global_defs {\n lvs_sync_daemon eth1 V 5\n}\n" + vi, "write 'id 5'");
  expectError("global_defs {\n lvs_sync_daemon eth1 W\n}\n" + vi,
              "vrrp_instance 'W' is not defined", 2);
  expectError("global_defs {\n lvs_sync_daemon eth1 V id 256\n}\n" + vi, "0..255", 2);
  expectError("global_defs {\n lvs_sync_daemon eth1 V group 10.0.0.9\n}\n" + vi,
              "expected a multicast address", 2);
  expectError("global_defs {\n lvs_sync_daemon eth1 V 5 bogus\n}\n" + vi,
              "expected inst, id, maxlen, port, ttl or group", 2);
  expectError("global_defs {\n lvs_sync_daemon a_very_long_name0\n}\n" + vi, "too long", 2);
}

TEST(Validate, VridRequired) {
  expectError(instance(" virtual_ipaddress { 10.0.0.1 }\n"), "no virtual_router_id", 1);
}

TEST(Validate, OneAddressFamilyPerInstance) {
  expectError(instance(" virtual_router_id 1\n virtual_ipaddress {\n 10.0.0.1\n 2001:db8::1\n }\n"),
              "mixes IPv4 and IPv6", 6);
}

TEST(Validate, NoVersion2WithIpv6) {
  expectError(instance(" virtual_router_id 1\n version 2\n virtual_ipaddress { 2001:db8::1 }\n"),
              "VRRPv2 does not support IPv6", 4);
}

// keepalived ignores authentication with VRRPv3 and logs it: so does vipd, at the keyword.
TEST(Validate, AuthOnlyWithVersion2) {
  const std::string text = instance(
      " virtual_router_id 1\n version 3\n authentication { auth_pass x }\n"
      " virtual_ipaddress { 10.0.0.1 }\n");
  expectWarningAt(text, "VRRPv3 has no authentication", 5);
  EXPECT_FALSE(testing::load(text).config.instances[0].authentication);
}

TEST(Validate, AuthPasswordTruncationWarns) {
  expectWarning(instance(" virtual_router_id 1\n authentication { auth_pass 123456789 }\n"
                         " virtual_ipaddress { 10.0.0.1 }\n"),
                "only the first 8");
}

TEST(Validate, Version3IntervalLimit) {
  expectError(instance(" virtual_router_id 1\n version 3\n advert_int 41\n"
                       " virtual_ipaddress { 10.0.0.1 }\n"),
              "40.95", 5);
}

TEST(Validate, Version2SubSecondIntervalWarns) {
  expectWarning(
      instance(" virtual_router_id 1\n advert_int 0.5\n virtual_ipaddress { 10.0.0.1 }\n"),
      "whole number of seconds");
}

TEST(Validate, UnknownTrackScript) {
  expectError(instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n"
                       " track_script {\n  chk_missing\n }\n"),
              "vrrp_script 'chk_missing' is not defined", 6);
}

TEST(Validate, UnknownSyncGroupMember) {
  expectError(instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n") +
                  "vrrp_sync_group G {\n group { V W }\n}\n",
              "vrrp_instance 'W' is not defined", 7);
}

TEST(Validate, InstanceInTwoSyncGroups) {
  expectError(instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n") +
                  instance(" virtual_router_id 2\n virtual_ipaddress { 10.0.0.2 }\n", "W") +
                  "vrrp_sync_group G { group { V W } }\nvrrp_sync_group H { group { V } }\n",
              "is in two sync groups", 12);
}

TEST(Validate, DuplicateVridOnInterface) {
  expectError(instance(" virtual_router_id 7\n virtual_ipaddress { 10.0.0.1 }\n") +
                  instance(" virtual_router_id 7\n virtual_ipaddress { 10.0.0.2 }\n", "W"),
              "virtual_router_id 7 is already used on interface eth0", 8);
}

TEST(Validate, SameVridAllowedForOtherFamilyOrDisjointUnicast) {
  auto r = testing::load(
      instance(" virtual_router_id 7\n virtual_ipaddress { 10.0.0.1 }\n") +
      instance(" virtual_router_id 7\n virtual_ipaddress { 2001:db8::1 }\n", "W") +
      instance(
          " virtual_router_id 8\n unicast_peer { 10.0.0.8 }\n virtual_ipaddress { 10.0.0.3 }\n",
          "X") +
      instance(
          " virtual_router_id 8\n unicast_peer { 10.0.0.9 }\n virtual_ipaddress { 10.0.0.4 }\n",
          "Y"));
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
}

TEST(Validate, DuplicateInstanceName) {
  expectError(instance(" virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n") +
                  instance(" virtual_router_id 2\n virtual_ipaddress { 10.0.0.2 }\n"),
              "defined twice", 6);
}

TEST(Validate, StrictModeRules) {
  const std::string strict = "global_defs { vrrp_strict }\n";
  expectError(strict + instance(" virtual_router_id 1\n unicast_peer { 10.0.0.2 }\n"
                                " virtual_ipaddress { 10.0.0.1 }\n"),
              "unicast peers are not allowed in strict mode", 5);
  expectError(strict + instance(" virtual_router_id 1\n"), "at least one virtual_ipaddress", 2);
}

// keepalived's default keepalived.conf (vrrp_strict with an authentication block) starts in
// keepalived with the authentication ignored and logged; vipd does the same.
TEST(Validate, StrictModeCorrectionsAreWarnedAtTheKeyword) {
  const std::string strict = "global_defs { vrrp_strict }\n";
  auto text = strict + instance(
                           " state MASTER\n virtual_router_id 1\n priority 100\n"
                           " authentication {\n  auth_type PASS\n  auth_pass 1111\n }\n"
                           " preempt_delay 5\n down_timer_adverts 5\n"
                           " garp_lower_prio_repeat 2\n accept\n"
                           " virtual_ipaddress { 10.0.0.1 }\n");
  expectWarningAt(text, "strict mode does not allow authentication", 7);
  expectWarningAt(text, "state MASTER must match being the address owner", 4);
  expectWarningAt(text, "strict mode does not allow preempt_delay", 11);
  expectWarningAt(text, "down_timer_adverts is reset", 12);
  expectWarningAt(text, "garp_lower_prio_repeat is reset", 13);
  expectWarningAt(text, "accept mode is not part of VRRPv2", 14);
  auto r = testing::load(text);
  const auto& i = r.config.instances[0];
  EXPECT_FALSE(i.authentication);
  EXPECT_EQ(i.state, InitialState::kBackup);
  EXPECT_EQ(i.preempt_delay.count(), 0);
  EXPECT_FALSE(i.down_timer_adverts);
  EXPECT_EQ(i.garp_lower_prio_repeat, 0);
  EXPECT_EQ(i.accept, false);
}

TEST(Validate, ConflictsKeepalivedResetsAreWarned) {
  expectWarningAt(instance(" virtual_router_id 1\n nopreempt\n preempt_delay 3\n"
                           " virtual_ipaddress { 10.0.0.1 }\n"),
                  "preempt_delay has no effect with nopreempt", 5);
  expectWarningAt(instance(" virtual_router_id 1\n priority 255\n nopreempt\n"
                           " virtual_ipaddress { 10.0.0.1 }\n"),
                  "nopreempt has no meaning for the address owner", 5);
  expectWarningAt(instance(" virtual_router_id 1\n authentication {\n auth_type PASS\n }\n"
                           " virtual_ipaddress { 10.0.0.1 }\n"),
                  "authentication has no auth_pass", 4);
}

TEST(Validate, UnicastPeerChecks) {
  expectError(instance(" virtual_router_id 1\n unicast_peer {\n 224.0.0.5\n }\n"
                       " virtual_ipaddress { 10.0.0.1 }\n"),
              "must not be a multicast", 5);
}

TEST(Validate, LoopbackRejected) {
  expectError(
      "vrrp_instance V {\n interface lo\n virtual_router_id 1\n"
      " virtual_ipaddress { 10.0.0.1 }\n}\n",
      "loopback", 2);
}

TEST(Validate, UsabilityWarnings) {
  expectWarning(instance(" virtual_router_id 1\n state MASTER\n priority 100\n nopreempt\n"
                         " virtual_ipaddress { 10.0.0.1 }\n"),
                "nopreempt only has an effect with state BACKUP");
  expectWarning(instance(" virtual_router_id 1\n"), "has no virtual_ipaddress");
  expectWarning("virtual_server 10.0.0.1 80 {\n}\n", "defaulting to UDP");
  expectWarning("virtual_server 10.0.0.1 80 {\n protocol TCP\n}\n", "defaulting to wlc");
}

TEST(Validate, ScriptWithoutCommand) {
  expectError("vrrp_script s {\n interval 1\n}\n", "has no script", 1);
}

TEST(Validate, VirtualServerChecks) {
  expectError("virtual_server group nope {\n protocol TCP\n lb_algo rr\n}\n",
              "virtual_server_group 'nope' is not defined", 1);
  expectError(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n"
      " real_server 10.0.0.2 80 {\n  HTTP_GET {\n  }\n }\n}\n",
      "has no url", 5);
  expectError(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n"
      " sorry_server 2001:db8::1 80\n}\n",
      "sorry_server", 4);
}

}  // namespace
}  // namespace vipd::conf
