#pragma once
// The IPv4 header as VRRP uses it. IPv4 raw sockets deliver the header with the payload, and
// AH advertisements are sent with IP_HDRINCL because the ICV covers the header (RFC 2402 3.3.3).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/ip_address.h"

namespace vipd::vrrp {

constexpr size_t kIpv4HeaderLen = 20;
// RFC 3768 / 5798: IP precedence "internetwork control" (what keepalived and FRR send).
constexpr uint8_t kVrrpTos = 0xc0;

struct Ipv4Header {
  uint8_t tos = kVrrpTos;
  uint16_t total_len = 0;
  uint16_t id = 0;
  uint16_t frag_off = 0;  // flags + offset, host order
  uint8_t ttl = 255;
  uint8_t protocol = 0;
  IpAddress src, dst;
  size_t header_len = kIpv4HeaderLen;  // with options, on receive
};

// Parses the header of a received datagram; nullopt when it is not a complete IPv4 header or
// total_len exceeds the buffer. Options are skipped (header_len says where the payload starts).
std::optional<Ipv4Header> parseIpv4(std::span<const uint8_t> packet);

// A 20-byte header with the header checksum filled in.
void writeIpv4(const Ipv4Header& h, std::span<uint8_t, kIpv4HeaderLen> out);

}  // namespace vipd::vrrp
