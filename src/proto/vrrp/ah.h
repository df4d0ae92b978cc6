#pragma once
// keepalived's VRRPv2 "auth_type AH": an RFC 2402 Authentication Header between the IPv4
// header and the VRRP message, computed in user space. Its wire conventions (checked against
// packets captured from keepalived 2.2.7, see tests/unit/proto/ah_test.cc):
//   - IPv4 protocol 51; AH next header 112, payload length 4 (24-byte AH), reserved 0;
//   - SPI = the sender's IPv4 address; sequence number starts at 1 and increments per advert;
//   - ICV = HMAC-MD5 truncated to 96 bits (RFC 2403), key = the 8-byte auth_pass buffer, over
//     the IPv4 header with TOS, fragment offset and header checksum zeroed (RFC 2402 3.3.3.1.1.1
//     mutable fields; TTL is zeroed only for unicast, since multicast keeps it at 255), then the
//     AH with the ICV zeroed, then the VRRP message;
//   - the VRRP header still carries Auth Type 2 with zero Authentication Data.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/ip_address.h"
#include "proto/vrrp/ipv4.h"
#include "proto/vrrp/packet.h"

namespace vipd::vrrp {

constexpr size_t kAhLen = 24;
constexpr size_t kAhIcvLen = 12;
using AhKey = std::array<uint8_t, 8>;  // passwordBytes(auth_pass)

struct AhSendParams {
  IpAddress src, dst;
  // Never 0: with IP_HDRINCL the kernel replaces a zero id, which would void the ICV.
  // keepalived increments it per packet, like the sequence number.
  uint16_t ip_id = 1;
  uint32_t seq = 1;
  uint8_t ttl = 255;
  bool unicast = false;         // TTL is covered by the ICV only for multicast
  std::optional<uint32_t> spi;  // keepalived's convention when unset: the source address
};

// The whole IPv4 datagram, header included (send with IP_HDRINCL).
std::vector<uint8_t> encodeAhDatagram(std::span<const uint8_t> vrrp_message, const AhSendParams& p,
                                      const AhKey& key);

struct AhOpened {
  std::span<const uint8_t> vrrp;  // the VRRP message after the AH
  uint32_t spi = 0;
  uint32_t seq = 0;
};

// Checks the AH of a received datagram (`datagram` starts at the IPv4 header `h` describes):
// structure, ICV (constant-time compare) and SPI == source. Replay is AhReplayGuard's job.
std::variant<AhOpened, DropReason> openAhDatagram(std::span<const uint8_t> datagram,
                                                  const Ipv4Header& h, const AhKey& key,
                                                  bool unicast);

// Anti-replay (RFC 2402 3.4.3, simplified to keepalived's "strictly increasing" rule) per sender.
// A sender that has been silent for `forget_after` may restart from 1: without this, a peer
// whose daemon restarts would be locked out until its counter passed the old one.
class AhReplayGuard {
 public:
  using Clock = std::chrono::steady_clock;
  explicit AhReplayGuard(std::chrono::microseconds forget_after) : forget_after_(forget_after) {}
  bool accept(const IpAddress& src, uint32_t seq, Clock::time_point now);

 private:
  struct Seen {
    uint32_t seq;
    Clock::time_point at;
  };
  std::chrono::microseconds forget_after_;
  std::map<IpAddress, Seen> seen_;
};

}  // namespace vipd::vrrp
