// The rtnetlink readers on real recorded traffic (tests/fuzz/corpus/netlink_fuzz, made by
// tests/fuzz/record_netlink.py) and on a message the kernel would never send.
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sys/linux/netlink.h"

namespace vipd::sys {
namespace {

std::vector<uint8_t> recorded(const char* name) {
  // ctest runs unit tests from the source tree.
  std::ifstream in(std::string("tests/fuzz/corpus/netlink_fuzz/") + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(NetlinkParse, RecordedDumpsAndEvents) {
  std::vector<std::string> links, addrs;
  auto on_link = [&](const LinkEvent& e) { links.push_back(e.link.name + "/" + e.link.kind); };
  auto on_addr = [&](const AddressEvent& e) {
    addrs.push_back((e.deleted ? "-" : "+") + e.address.prefix.str() +
                    (e.address.label.empty() ? "" : " " + e.address.label));
  };
  const auto link_dump = recorded("link_dump");
  ASSERT_FALSE(link_dump.empty());
  parseEvents(link_dump.data(), link_dump.size(), on_link, on_addr);
  EXPECT_EQ(links,
            (std::vector<std::string>{"lo/", "br0/bridge", "v1/veth", "v0/veth", "mv0/macvlan"}));
  const auto addr_dump = recorded("addr_dump");
  parseEvents(addr_dump.data(), addr_dump.size(), on_link, on_addr);
  auto has = [&](const std::string& a) {
    return std::find(addrs.begin(), addrs.end(), a) != addrs.end();
  };
  EXPECT_TRUE(has("+10.1.0.1/24 br0")) << ::testing::PrintToString(addrs);
  EXPECT_TRUE(has("+10.1.0.2/24 br0:vip"));
  EXPECT_TRUE(has("+192.168.7.7 mv0"));
  EXPECT_TRUE(has("+fd00::7"));
  addrs.clear();
  const auto events = recorded("events");
  parseEvents(events.data(), events.size(), on_link, on_addr);
  EXPECT_TRUE(has("+10.1.0.9/24 br0"));
  EXPECT_TRUE(has("-10.1.0.9/24 br0"));
}

TEST(NetlinkParse, APrefixLongerThanItsFamilyIsRefused) {
  struct {
    nlmsghdr h;
    ifaddrmsg ifa;
    rtattr rta;
    uint8_t addr[4];
  } m{};
  m.h.nlmsg_len = sizeof m;
  m.h.nlmsg_type = RTM_NEWADDR;
  m.ifa.ifa_family = AF_INET;
  m.ifa.ifa_index = 2;
  m.rta.rta_type = IFA_LOCAL;
  m.rta.rta_len = RTA_LENGTH(4);
  const uint8_t a[4] = {10, 0, 0, 1};
  std::memcpy(m.addr, a, 4);
  m.ifa.ifa_prefixlen = 24;
  EXPECT_TRUE(parseAddressMessage(reinterpret_cast<const uint8_t*>(&m), sizeof m));
  m.ifa.ifa_prefixlen = 33;
  EXPECT_FALSE(parseAddressMessage(reinterpret_cast<const uint8_t*>(&m), sizeof m));
}

}  // namespace
}  // namespace vipd::sys
