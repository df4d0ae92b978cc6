#include "proto/vrrp/announce.h"

#include "proto/vrrp/checksum.h"

namespace vipd::vrrp {
namespace {

void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void append(std::vector<uint8_t>& b, const uint8_t* p, size_t n) {
  b.insert(b.end(), p, p + n);
}

constexpr size_t kMinFrame = 60;  // Ethernet minimum without the FCS

}  // namespace

MacAddr virtualMac(Family f, uint8_t vrid) {
  return {0x00, 0x00, 0x5e, 0x00, static_cast<uint8_t>(f == Family::kInet ? 0x01 : 0x02), vrid};
}

std::vector<uint8_t> gratuitousArp(const MacAddr& mac, const IpAddress& vip) {
  std::vector<uint8_t> f;
  const MacAddr bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  append(f, bcast.data(), 6);
  append(f, mac.data(), 6);
  put16(f, 0x0806);  // ARP
  put16(f, 1);       // Ethernet
  put16(f, 0x0800);  // IPv4
  f.push_back(6);
  f.push_back(4);
  put16(f, 1);  // request
  append(f, mac.data(), 6);
  append(f, vip.bytes().data(), 4);
  append(f, bcast.data(), 6);
  append(f, vip.bytes().data(), 4);
  f.resize(std::max(f.size(), kMinFrame), 0);
  return f;
}

std::vector<uint8_t> unsolicitedNa(const MacAddr& mac, const IpAddress& src_ll,
                                   const IpAddress& vip, bool router) {
  const auto all_nodes = *IpAddress::parse("ff02::1");
  std::vector<uint8_t> icmp;
  icmp.push_back(136);  // Neighbor Advertisement
  icmp.push_back(0);
  put16(icmp, 0);                                                    // checksum, below
  icmp.push_back(static_cast<uint8_t>((router ? 0x80 : 0) | 0x20));  // R, S = 0, O = 1
  icmp.insert(icmp.end(), 3, 0);
  append(icmp, vip.bytes().data(), 16);
  icmp.push_back(2);  // target link-layer address option, 8 bytes
  icmp.push_back(1);
  append(icmp, mac.data(), 6);
  // RFC 4443 2.3: over the IPv6 pseudo-header (RFC 8200 8.1) and the message.
  InternetChecksum c;
  c.add(std::span(src_ll.bytes()));
  c.add(std::span(all_nodes.bytes()));
  c.addWord(0);
  c.addWord(static_cast<uint16_t>(icmp.size()));
  c.addWord(58);
  c.add(icmp);
  const uint16_t sum = c.fold();
  icmp[2] = static_cast<uint8_t>(sum >> 8);
  icmp[3] = static_cast<uint8_t>(sum);

  std::vector<uint8_t> f = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
  append(f, mac.data(), 6);
  put16(f, 0x86dd);
  f.insert(f.end(), {0x60, 0, 0, 0});
  put16(f, static_cast<uint16_t>(icmp.size()));
  f.push_back(58);   // ICMPv6
  f.push_back(255);  // RFC 4861 7.1: hop limit 255
  append(f, src_ll.bytes().data(), 16);
  append(f, all_nodes.bytes().data(), 16);
  f.insert(f.end(), icmp.begin(), icmp.end());
  return f;
}

}  // namespace vipd::vrrp
