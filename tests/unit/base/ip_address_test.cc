#include "base/ip_address.h"

#include <gtest/gtest.h>

namespace vipd {
namespace {

TEST(IpAddress, ParsesBothFamilies) {
  auto a = IpAddress::parse("192.0.2.10");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isV4());
  EXPECT_EQ(a->v4HostOrder(), 0xc000020au);
  EXPECT_EQ(a->str(), "192.0.2.10");
  auto b = IpAddress::parse("fe80::1");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->isV6());
  EXPECT_TRUE(b->isLinkLocalV6());
  EXPECT_EQ(b->str(), "fe80::1");
}

TEST(IpAddress, RejectsMalformed) {
  for (auto bad :
       {"", "192.168.100.", "192.168.100.", "1.2.3", "1.2.3.256", "::g", "10.0.0.1/24"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(IpAddress, Multicast) {
  EXPECT_TRUE(IpAddress::parse("224.0.0.18")->isMulticast());
  EXPECT_TRUE(IpAddress::parse("ff02::12")->isMulticast());
  EXPECT_FALSE(IpAddress::parse("10.0.0.1")->isMulticast());
}

TEST(IpPrefix, ParsesLengthAndHostDefault) {
  auto p = IpPrefix::parse("10.1.2.3/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->len, 24);
  EXPECT_EQ(p->str(), "10.1.2.3/24");
  auto h = IpPrefix::parse("2001:db8::1");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->len, 128);
  EXPECT_EQ(h->str(), "2001:db8::1");
  EXPECT_FALSE(IpPrefix::parse("10.0.0.1/33"));
  EXPECT_FALSE(IpPrefix::parse("192.168.100./24"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.1/"));
}

}  // namespace
}  // namespace vipd
