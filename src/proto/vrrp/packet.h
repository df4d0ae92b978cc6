#pragma once
// VRRP advertisements on the wire: VRRPv2 (RFC 3768 5) and VRRPv3 (RFC 5798 / RFC 9568 5),
// IPv4 and IPv6. Pure: bytes in, values out. The IP header is the data plane's business;
// what the checks need from it (source, destination, TTL / hop limit) comes in as RxMeta.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip_address.h"

namespace vipd::vrrp {

constexpr uint8_t kIpProtoVrrp = 112;
constexpr uint8_t kIpProtoAh = 51;
constexpr uint8_t kTypeAdvertisement = 1;
constexpr size_t kHeaderLen = 8;
constexpr size_t kV2AuthLen = 8;

// VRRPv2 Auth Type (RFC 2338 5.3.6; reserved in RFC 3768).
enum class AuthType : uint8_t { kNone = 0, kPass = 1, kAh = 2 };

struct Advert {
  uint8_t version = 3;  // 2 or 3
  uint8_t vrid = 0;
  uint8_t priority = 0;
  // v2: Adver Int in seconds. v3: Max Adver Int in centiseconds (12 bits).
  uint16_t interval = 0;
  AuthType auth_type = AuthType::kNone;  // v2 only
  std::array<uint8_t, 8> auth_data{};    // v2 only: the PASS password, zero padded
  std::vector<IpAddress> addrs;          // one family, that of the IP header
  friend bool operator==(const Advert&, const Advert&) = default;
};

struct EncodeOptions {
  IpAddress src, dst;              // for the pseudo-header
  bool v3_checksum_as_v2 = false;  // RFC 9568: v3/IPv4 message-only checksum
};

// The VRRP message (no IP header), with its checksum filled in.
std::vector<uint8_t> encode(const Advert& a, const EncodeOptions& o);

// Why a received packet was dropped. Each has a counter (vrrp_adverts_dropped_total{reason}).
// Listed in the order of the receive checks (RFC 3768 7.1, RFC 5798/9568 7.1).
enum class DropReason : uint8_t {
  kTtl,            // TTL / hop limit != 255 (RFC 5798 7.1 item 1)
  kVersion,        // not 2 or 3, or not the instance's version
  kType,           // not ADVERTISEMENT
  kTooShort,       // shorter than the header + addresses (+ auth for v2)
  kChecksum,       // neither checksum form matches
  kNoAddresses,    // v3 count 0 (RFC 9568 erratum 8299)
  kZeroInterval,   // v3 Max Adver Int 0 (RFC 9568 erratum 8301)
  kFamily,         // address family differs from the IP header's
  kUnknownVrid,    // no instance for this VRID on the interface
  kAuthType,       // v2 auth type differs from the configured one
  kAuthFailed,     // v2 password mismatch
  kInterval,       // v2 interval differs from the configured one (RFC 3768 7.1: MUST drop)
  kAddressList,    // v2 address list differs and sender is not the owner (RFC 3768 7.1)
  kUnicastSource,  // check_unicast_src: sender is not a configured peer
  kIpHeader,       // the IPv4 header is truncated or its lengths are inconsistent
  kAhMismatch,     // AH present but auth_type is not AH, or the reverse (keepalived drops both)
  kAhMalformed,    // AH header truncated, wrong length or next header not VRRP
  kAhIcv,          // HMAC-MD5-96 integrity check value does not match
  kAhSpi,          // SPI differs from the IP source address (keepalived's SPI convention)
  kAhReplay,       // sequence number not above the last one seen from this sender
  kCount,          // number of reasons (not a reason)
};

std::string_view toString(DropReason r);

struct RxMeta {
  IpAddress src, dst;
  int ttl = 255;          // IPv4 TTL or IPv6 hop limit, from the header or ancillary data
  bool check_ttl = true;  // keepalived skips the TTL check for unicast without min/max_ttl
};

// Which checksum form a v3/IPv4 packet carried; reported so interop problems are visible.
enum class ChecksumForm : uint8_t { kPseudoHeader, kMessageOnly };

struct Decoded {
  Advert advert;
  ChecksumForm checksum_form = ChecksumForm::kPseudoHeader;
  size_t trailing = 0;  // bytes after the advert (Ethernet padding), tolerated like keepalived
};

using DecodeResult = std::variant<Decoded, DropReason>;

// Structural checks that need no instance: TTL, version, type, length, checksum (either v3/
// IPv4 form is accepted), v3 count and interval, address family.
DecodeResult decode(std::span<const uint8_t> bytes, const RxMeta& meta);

}  // namespace vipd::vrrp
