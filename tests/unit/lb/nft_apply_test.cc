// Every form of rule the load balancer writes, given to the real kernel: the whole matrix of
// schedulers x families x persistence x ports, created, updated through empty and back,
// and deleted, in a network namespace of its own (root, as the daemon). nft's parser and
// the kernel are the judges: a form they refuse (or one that trips libnftables) fails here,
// not in a running director.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include "lb/nft_rules.h"
#include "lb/slots.h"
#include "lb/traffic.h"
#include "sys/linux/nft.h"

namespace vipd::lb {
namespace {

IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

class NftApply : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::geteuid(), 0u) << "needs root (CAP_NET_ADMIN), as vipd does";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << "a network namespace of its own";
  }
};

TEST_F(NftApply, EveryFormTheWriterUses) {
  sys::Nft nft;
  ASSERT_EQ(nft.run(tableCommands() + trafficTableCommands()), "");
  uint32_t id = 1;
  int services = 0;
  for (auto fam : {Family::kInet, Family::kInet6}) {
    for (auto method : {Method::kNat, Method::kDr}) {
      const bool v4 = fam == Family::kInet;
      for (const char* algo : {"rr", "wrr", "sh", "dh", "mh", "fo", "wlc"}) {
        for (bool persistent : {false, true}) {
          for (int front_kind = 0; front_kind < 3; ++front_kind) {  // addr:port, addr:0, fwmark
            for (int rs_port : {8080, 0}) {
              if (front_kind != 2 && rs_port == 0 && front_kind == 0)
                continue;  // an address:port service always names its real servers' port
              ServiceSpec s;
              s.family = fam;
              s.method = method;
              s.protocol = front_kind == 1 ? conf::L4Protocol::kUdp : conf::L4Protocol::kTcp;
              s.sched = chooseScheduler(algo, {algo == std::string("mh") ? "mh-port" : ""});
              const IpAddress vip = v4 ? ip("10.0.0.1") : ip("fd00::1");
              if (front_kind == 2)
                s.fronts = {{std::nullopt, 0, id}};
              else
                s.fronts = {{vip, front_kind == 0 ? static_cast<int>(id) : 0, 0}};
              if (front_kind == 1)
                s.fronts[0].addr = v4 ? IpAddress::v4(0x0a000100u + id) : ip("fd00::2");
              if (front_kind == 1 && !v4)
                s.protocol = static_cast<conf::L4Protocol>(id % 3);
              if (persistent) {
                s.persistence_s = 60;
                s.persistence_prefix = v4 ? 24 : 64;
              }
              Pool three, one;
              for (int k = 1; k <= 3; ++k) {
                const IpAddress a = v4 ? IpAddress::v4(0x0a000a00u + static_cast<uint32_t>(k))
                                       : *IpAddress::parse("fd00:1::" + std::to_string(k));
                s.real_servers.push_back({a, rs_port, k});
                three.backends.push_back({a, rs_port, k});
              }
              one.backends = {three.backends[1]};
              Pool sorry;
              const IpAddress sorry_addr = v4 ? ip("10.0.9.9") : ip("fd00:9::9");
              s.sorry = RealServerSpec{sorry_addr, rs_port, 1};
              sorry.backends = {{sorry_addr, rs_port, 1}};
              sorry.sorry = true;
              const std::string what =
                  std::string(v4 ? "ipv4 " : "ipv6 ") + (method == Method::kDr ? "DR " : "NAT ") +
                  algo + (persistent ? " persistent" : "") + " front " +
                  std::to_string(front_kind) + " rs port " + std::to_string(rs_port);
              // Traffic counters: an element per (front end, server) in three sets.
              ASSERT_EQ(
                  nft.run(createService(id, s, three) + trafficElements("add", trafficPairs(s))),
                  "")
                  << what;
              // An operator's `nft list ruleset` must survive every map form (nft 1.0.6
              // crashes on some).
              ASSERT_EQ(nft.run("list ruleset"), "") << what;
              ASSERT_EQ(nft.run(updateService(id, s, three, one)), "") << what;
              ASSERT_EQ(nft.run(updateService(id, s, one, Pool{})), "") << what;
              ASSERT_EQ(nft.run(updateService(id, s, Pool{}, sorry)), "") << what;
              ASSERT_EQ(nft.run(updateService(id, s, sorry, three)), "") << what;
              std::vector<Persistent> ps;
              if (persistent)
                ps.push_back({id, &s});
              ASSERT_EQ(nft.run(persistCommands(ps)), "") << what;
              ASSERT_EQ(nft.run(persistCommands({}) + deleteService(id, s, three) +
                                trafficElements("delete", trafficPairs(s))),
                        "")
                  << what;
              ++id;
              ++services;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(services, 200);
  for (const auto& set : trafficSets()) {
    std::string listing;
    ASSERT_EQ(nft.listJson(std::string("list set inet ") + kTable + " " + set, listing), "");
    const auto left = readSetCounters(listing);
    ASSERT_TRUE(left) << listing;
    EXPECT_TRUE(left->empty()) << set << ": every pair's element went with its service";
  }
  EXPECT_EQ(nft.run(deleteTableCommand()), "");
}

}  // namespace
}  // namespace vipd::lb
