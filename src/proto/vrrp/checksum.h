#pragma once
// The Internet checksum (RFC 1071) and the VRRP pseudo-headers.
//
// VRRP checksums (reference: vrrp-protocol.md 1.5):
//   v2 / IPv4: over the VRRP message only (RFC 3768 5.3.8).
//   v3 / IPv6: message + IPv6 pseudo-header (RFC 5798 5.2.8, RFC 8200 8.1).
//   v3 / IPv4: message + IPv4 pseudo-header by default, what keepalived, FRR and Wireshark
//              do; message-only under `v3_checksum_as_v2`, as RFC 9568 5.2.8 clarifies.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/ip_address.h"

namespace vipd::vrrp {

// One's-complement sum accumulator; fold() gives the final 16-bit checksum.
class InternetChecksum {
 public:
  void add(std::span<const uint8_t> bytes);
  void addWord(uint16_t w) { sum_ += w; }
  uint16_t fold() const;  // host order: put it on the wire big-endian

 private:
  uint64_t sum_ = 0;
  bool odd_ = false;  // an odd byte is pending from the previous add()
  uint8_t pending_ = 0;
};

enum class PseudoHeader { kNone, kIp };

// The checksum of a VRRP message (with its checksum field already zero, or included: a
// message carrying a correct checksum sums to 0).
uint16_t vrrpChecksum(std::span<const uint8_t> message, PseudoHeader ph, const IpAddress& src,
                      const IpAddress& dst);

}  // namespace vipd::vrrp
