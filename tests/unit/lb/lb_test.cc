// The load balancer's pure room: scheduler mapping, slot tables, desired pools and the nft
// text they become.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "conf/config.h"
#include "lb/nft_rules.h"
#include "lb/pool.h"
#include "lb/service.h"
#include "lb/slots.h"
#include "lb/traffic.h"

namespace vipd::lb {
namespace {

std::vector<ServiceSpec> servicesOf(const std::string& text, Diagnostics& d) {
  auto r = conf::loadText("t.conf", text, conf::defaultPreprocessOptions(), false);
  EXPECT_TRUE(r.ok()) << r.diags.str();
  return makeServices(r.config, d);
}

IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

std::vector<Backend> backends(std::vector<int64_t> weights) {
  std::vector<Backend> b;
  for (size_t i = 0; i < weights.size(); ++i)
    b.push_back({IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i)), 80, weights[i]});
  return b;
}

std::map<uint32_t, size_t> shares(const std::vector<uint32_t>& slots) {
  std::map<uint32_t, size_t> m;
  for (auto s : slots)
    ++m[s];
  return m;
}

TEST(Scheduler, ExactOnesAndTheClosestForTheRest) {
  EXPECT_EQ(chooseScheduler("rr", {}).sched, Sched::kRr);
  EXPECT_TRUE(chooseScheduler("rr", {}).inexact.empty());
  EXPECT_EQ(chooseScheduler("fo", {}).sched, Sched::kFo);
  EXPECT_TRUE(chooseScheduler("fo", {}).inexact.empty());
  auto mh = chooseScheduler("mh", {"mh-port"});
  EXPECT_EQ(mh.sched, Sched::kMh);
  EXPECT_TRUE(mh.hash_port);
  EXPECT_TRUE(chooseScheduler("sh", {"sh-port"}).hash_port);
  // keepalived's default: wlc, which counts connections; nftables cannot, so wrr and a
  // reason (never a silent change).
  auto def = chooseScheduler(std::nullopt, {});
  EXPECT_EQ(def.asked, "wlc");
  EXPECT_EQ(def.sched, Sched::kWrr);
  EXPECT_NE(def.inexact.find("connection count"), std::string::npos);
  EXPECT_EQ(chooseScheduler("lc", {}).sched, Sched::kRr);
  EXPECT_EQ(chooseScheduler("lblc", {}).sched, Sched::kDh);
  EXPECT_EQ(chooseScheduler("ovf", {}).sched, Sched::kFo);
  EXPECT_FALSE(chooseScheduler("ovf", {}).inexact.empty());
}

TEST(Slots, WrrIsIpvsInterleavedOrder) {
  // ip_vs_wrr.c: passes from the highest weight down.
  EXPECT_EQ(wrrSequence(backends({1, 2, 3})), (std::vector<uint32_t>{2, 1, 2, 0, 1, 2}));
  // Weights are reduced by their gcd: 100/200 is 1/2.
  EXPECT_EQ(wrrSequence(backends({100, 200})), (std::vector<uint32_t>{1, 0, 1}));
  // Heavy weight sets are scaled to the cap, each keeping a slot.
  auto big = wrrSequence(backends({1, 9999, 7919}));
  EXPECT_LE(big.size(), kMaxWrrSlots);
  EXPECT_GE(shares(big)[0], 1u);
}

TEST(Slots, HashBucketsFollowWeights) {
  auto t = hashBuckets(backends({1, 3}));
  ASSERT_EQ(t.size(), kHashTableSize);
  auto m = shares(t);
  EXPECT_EQ(m[0], 64u);
  EXPECT_EQ(m[1], 192u);
}

TEST(Slots, MaglevIsBalancedAndMovesFewFlows) {
  auto ten = backends({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  auto t10 = maglevTable(ten);
  ASSERT_EQ(t10.size(), kMaglevSize);
  for (auto [b, n] : shares(t10)) {
    EXPECT_GE(n, kMaglevSize / 10 - 2) << b;
    EXPECT_LE(n, kMaglevSize / 10 + 2) << b;
  }
  // Backend 3 goes away: its slots must move; of the others' slots, few may.
  auto nine = ten;
  nine.erase(nine.begin() + 3);
  auto t9 = maglevTable(nine);
  size_t others = 0, moved = 0;
  for (size_t i = 0; i < t10.size(); ++i) {
    if (t10[i] == 3)
      continue;
    ++others;
    const uint32_t before = t10[i] > 3 ? t10[i] - 1 : t10[i];  // index in `nine`
    moved += t9[i] != before;
  }
  const double pct = 100.0 * static_cast<double>(moved) / static_cast<double>(others);
  std::printf(
      "maglev %zu slots, 1 of 10 backends removed: %.2f%% of the other backends' "
      "flows move (%zu of %zu slots)\n",
      kMaglevSize, pct, moved, others);
  EXPECT_LT(pct, 5.0);
  // Two directors build the same table.
  EXPECT_EQ(maglevTable(ten), t10);
}

TEST(Pool, KeepalivedRules) {
  ServiceSpec s;
  s.real_servers = {{ip("10.0.0.11"), 80, 1}, {ip("10.0.0.12"), 80, 2}, {ip("10.0.0.13"), 80, 3}};
  ServiceHealth h{true, {{true, 1}, {false, 2}, {true, 0}}};
  auto p = desiredPool(s, h);
  // The dead one and the one at weight 0 take no new connection.
  ASSERT_EQ(p.backends.size(), 1u);
  EXPECT_EQ(p.backends[0].addr, ip("10.0.0.11"));
  EXPECT_FALSE(p.sorry);
  // Quorum lost without a sorry server: the live ones stay.
  h.quorum_up = false;
  EXPECT_EQ(desiredPool(s, h).backends.size(), 1u);
  // With one: the sorry server alone.
  s.sorry = RealServerSpec{ip("10.0.0.99"), 8080, 1};
  p = desiredPool(s, h);
  ASSERT_EQ(p.backends.size(), 1u);
  EXPECT_TRUE(p.sorry);
  EXPECT_EQ(p.backends[0].port, 8080);
  // misc_dynamic / FILE_CHECK weights are the pool's.
  h = {true, {{true, 5}, {true, 2}, {true, 3}}};
  EXPECT_EQ(desiredPool(s, h).backends[0].weight, 5);
}

TEST(Services, FrontsFamiliesAndWhatTheKernelCannotDo) {
  Diagnostics d;
  auto v = servicesOf(R"(
virtual_server_group WEB {
  10.0.0.1-3 80
  fwmark 7
}
virtual_server group WEB {
  protocol TCP
  real_server 10.0.1.1 80 {
  }
}
virtual_server 10.0.0.9 80 {
  protocol TCP
  lb_algo rr
  lb_kind TUN
  real_server 10.0.1.1 80 {
  }
}
virtual_server 10.0.0.9 81 {
  protocol TCP
  lb_algo sh
  persistence_timeout 30
  persistence_granularity 255.255.255.0
  real_server 10.0.1.1 80 {
  }
}
)",
                      d);
  ASSERT_EQ(v.size(), 3u);
  ASSERT_EQ(v[0].fronts.size(), 4u);
  EXPECT_EQ(v[0].fronts[2].addr, ip("10.0.0.3"));
  EXPECT_EQ(v[0].fronts[3].fwmark, 7u);
  EXPECT_FALSE(v[1].programmed);  // TUN
  EXPECT_EQ(v[2].persistence_s, 30u);
  EXPECT_EQ(v[2].persistence_prefix, 24);
  const auto text = d.str();
  EXPECT_NE(text.find("t.conf:6:1: warning: lb_algo wlc (keepalived's default)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("t.conf:11:1: error: lb_kind TUN"), std::string::npos) << text;
  EXPECT_EQ(granularityPrefix("255.255.0.0", Family::kInet), 16);
  EXPECT_FALSE(granularityPrefix("255.0.255.0", Family::kInet));
  EXPECT_EQ(granularityPrefix("64", Family::kInet6), 64);
}

TEST(NftRules, WhatTheKernelIsTold) {
  ServiceSpec s;
  s.key = "[10.0.0.1]:tcp:80";
  s.fronts = {{ip("10.0.0.1"), 80, 0}};
  s.sched = chooseScheduler("wrr", {});
  Pool p{{{ip("10.0.1.1"), 8080, 1}, {ip("10.0.1.2"), 8080, 2}}, false};
  EXPECT_EQ(schedulerRule(s, p),
            "meta l4proto tcp dnat ip to numgen inc mod 3 map { 0 : 10.0.1.2 . 8080, "
            "1 : 10.0.1.1 . 8080, 2 : 10.0.1.2 . 8080 }");
  Pool one{{{ip("10.0.1.1"), 8080, 1}}, false};
  EXPECT_EQ(schedulerRule(s, one), "meta l4proto tcp dnat ip to 10.0.1.1:8080");
  // An fwmark service keeping the client's port: no protocol narrowing.
  ServiceSpec f = s;
  f.fronts = {{std::nullopt, 0, 7}};
  f.sched = chooseScheduler("rr", {});
  Pool portless{{{ip("10.0.1.1"), 0, 1}, {ip("10.0.1.2"), 0, 1}}, false};
  EXPECT_EQ(schedulerRule(f, portless),
            "dnat ip to numgen inc mod 2 map { 0 : 10.0.1.1, 1 : 10.0.1.2 }");
  ServiceSpec v6 = s;
  v6.family = Family::kInet6;
  Pool one6{{{ip("fd00::1"), 80, 1}}, false};
  EXPECT_EQ(schedulerRule(v6, one6), "meta l4proto tcp dnat ip6 to [fd00::1]:80");
  // Only the service's own chain (and, when it empties, its gate element) changes.
  auto up = updateService(4, s, p, one);
  EXPECT_EQ(up,
            "flush chain inet vipd_lb vs_4\n"
            "add rule inet vipd_lb vs_4 meta l4proto tcp dnat ip to 10.0.1.1:8080\n");
  auto down = updateService(4, s, one, Pool{});
  EXPECT_NE(down.find("add element inet vipd_lb gate_4 { 10.0.0.1 . tcp . 80 : jump reject_new }"),
            std::string::npos)
      << down;
}

TEST(NftRules, DirectRoutingRecordsEachFlowAndKeepsIt) {
  ServiceSpec s;
  s.key = "[10.0.0.1]:tcp:80";
  s.method = Method::kDr;
  s.fronts = {{ip("10.0.0.1"), 80, 0}};
  s.sched = chooseScheduler("rr", {});
  s.real_servers = {{ip("10.0.1.1"), 80, 1}, {ip("10.0.1.2"), 80, 1}};
  s.sorry = RealServerSpec{ip("10.0.1.9"), 80, 1};
  Pool both{{{ip("10.0.1.1"), 80, 1}, {ip("10.0.1.2"), 80, 1}}, false};
  const auto c = createService(3, s, both);
  // Every configured server has its index for good (the sorry server last)...
  EXPECT_NE(c.find("add map ip vipd_dr be_3 { type mark : ipv4_addr; elements = { 1 : 10.0.1.1, "
                   "2 : 10.0.1.2, 3 : 10.0.1.9 }; }"),
            std::string::npos)
      << c;
  // ...a known flow goes where it went, a new one is scheduled and recorded.
  EXPECT_NE(c.find("add rule ip vipd_dr vs_3 meta mark set ip saddr . th sport map @f_3 dup to "
                   "meta mark map @be_3 update @f_3 { ip saddr . th sport : meta mark } drop"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("meta mark set numgen inc mod 2 map { 0 : 1, 1 : 2 } update @f_3"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("add element ip vipd_dr svc_4 { 10.0.0.1 . tcp . 80 : jump vs_3 }"),
            std::string::npos)
      << c;
  // A server leaving changes the chain only; recorded flows (to it too) stay, as NAT's
  // conntrack entries do.
  Pool one{{{ip("10.0.1.2"), 80, 1}}, false};
  const auto u = updateService(3, s, both, one);
  EXPECT_EQ(u.find("f_3\n"), std::string::npos) << u;
  EXPECT_NE(u.find("meta mark set 2 update @f_3"), std::string::npos) << u;
  Pool sorry{{{ip("10.0.1.9"), 80, 1}}, true};
  EXPECT_NE(updateService(3, s, one, sorry).find("meta mark set 3 update"), std::string::npos);
  EXPECT_NE(updateService(3, s, one, Pool{}).find("add rule ip vipd_dr vs_3 reject"),
            std::string::npos);
  // With persistence the client's address is the key, and a server leaving frees its
  // clients.
  s.persistence_s = 60;
  EXPECT_NE(updateService(3, s, both, one).find("flush map ip vipd_dr f_3"), std::string::npos);
}

TEST(Traffic, PairsAreKeyedByFrontEndAndRealServer) {
  ServiceSpec s;
  s.fronts = {{ip("10.0.0.1"), 80, 0}, {ip("10.0.0.2"), 0, 0}, {std::nullopt, 0, 7}};
  s.real_servers = {{ip("10.1.0.1"), 8080, 1}, {ip("10.1.0.2"), 0, 1}};
  s.sorry = RealServerSpec{ip("10.9.0.9"), 80, 1};
  ASSERT_TRUE(counted(s));
  const auto pairs = trafficPairs(s);
  // 2 address front ends x 3 servers; the fwmark front end is not counted.
  ASSERT_EQ(pairs.size(), 6u);
  EXPECT_EQ(pairs[0], (TrafficPair{"4p", "10.0.0.1 . tcp . 80 . 10.1.0.1 . 8080", 0}));
  // A real server without a port gets the front end's.
  EXPECT_EQ(pairs[1], (TrafficPair{"4p", "10.0.0.1 . tcp . 80 . 10.1.0.2 . 80", 1}));
  EXPECT_EQ(pairs[5], (TrafficPair{"4a", "10.0.0.2 . tcp . 10.9.0.9", 2})) << "the sorry server";
  const std::string add = trafficElements("add", pairs);
  EXPECT_NE(add.find("add element inet vipd_lb t4p_i { 10.0.0.1 . tcp . 80 . 10.1.0.1 . 8080, "
                     "10.0.0.1 . tcp . 80 . 10.1.0.2 . 80, 10.0.0.1 . tcp . 80 . 10.9.0.9 . 80 }"),
            std::string::npos)
      << add;
  EXPECT_EQ(std::count(add.begin(), add.end(), '\n'), 6) << "one command per set";
  EXPECT_EQ(trafficElements("delete", {}), "");
  s.method = Method::kDr;
  EXPECT_FALSE(counted(s));
  EXPECT_TRUE(trafficPairs(s).empty());
  s.method = Method::kNat;
  s.fronts = {{std::nullopt, 0, 7}};
  EXPECT_FALSE(counted(s));
}

TEST(Traffic, ReadsNftJson) {
  const auto t = readSetCounters(R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
    {"set": {"family": "inet", "name": "t4p_i", "table": "vipd_lb", "handle": 2,
     "elem": [
      {"elem": {"val": {"concat": ["10.0.0.1", "tcp", 80, "10.1.0.1", 8080]},
                "counter": {"packets": 10, "bytes": 600}}},
      {"elem": {"val": {"concat": ["fd00::1", "udp", "fd00::2"]},
                "counter": {"packets": 3, "bytes": 300}}},
      {"elem": {"val": {"concat": ["10.0.0.1", "tcp", 80, "10.1.0.2", 8080]},
                "counter": {"packets": -1, "bytes": 1}}},
      {"elem": {"val": {"concat": ["10.0.0.1", {"x": 1}]},
                "counter": {"packets": 1, "bytes": 1}}},
      "10.0.0.9"]}}]})");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 2u) << "a negative count, an unknown key form or no counter: skipped";
  EXPECT_EQ(t->at("10.0.0.1 . tcp . 80 . 10.1.0.1 . 8080").packets, 10u);
  EXPECT_EQ(t->at("10.0.0.1 . tcp . 80 . 10.1.0.1 . 8080").bytes, 600u);
  EXPECT_EQ(t->at("fd00::1 . udp . fd00::2").bytes, 300u);
  EXPECT_FALSE(readSetCounters("not json"));
  EXPECT_FALSE(readSetCounters("[1, 2]"));
  EXPECT_FALSE(readSetCounters(R"({"nftables": []})")) << "no set listed";
  const auto empty = readSetCounters(R"({"nftables": [{"set": {"name": "t4p_i"}}]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace vipd::lb
