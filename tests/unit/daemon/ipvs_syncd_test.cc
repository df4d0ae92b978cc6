#include "daemon/ipvs_syncd.h"

#include <gtest/gtest.h>

namespace vipd::daemon {
namespace {

// keepalived: the syncid is the followed instance's VRID unless given; 0 without an
// instance; the kernel's defaults (0 here) unless maxlen, port, ttl are given.
TEST(IpvsSyncd, Request) {
  conf::LvsSyncDaemon c;
  c.ifname = "eth1";
  c.instance = "VI_1";
  auto d = syncDaemonRequest(c, 51, true);
  EXPECT_TRUE(d.master);
  EXPECT_EQ(d.ifname, "eth1");
  EXPECT_EQ(d.syncid, 51u);
  EXPECT_EQ(d.maxlen, 0);
  EXPECT_EQ(d.port, 0);
  EXPECT_EQ(d.ttl, 0);
  EXPECT_FALSE(d.group);
  c.syncid = 7;
  c.maxlen = 1400;
  c.port = 8849;
  c.ttl = 2;
  c.group = IpAddress::parse("ff02::1:2");
  d = syncDaemonRequest(c, 51, false);
  EXPECT_FALSE(d.master);
  EXPECT_EQ(d.syncid, 7u);
  EXPECT_EQ(d.maxlen, 1400);
  EXPECT_EQ(d.port, 8849);
  EXPECT_EQ(d.ttl, 2);
  EXPECT_EQ(d.group, IpAddress::parse("ff02::1:2"));
  conf::LvsSyncDaemon alone;
  alone.ifname = "eth1";
  EXPECT_EQ(syncDaemonRequest(alone, 51, true).syncid, 0u);
}

}  // namespace
}  // namespace vipd::daemon
