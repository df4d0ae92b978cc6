#pragma once
// IPv4/IPv6 addresses and prefixes as plain values (no sockets, no OS calls).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vipd {

enum class Family : uint8_t { kInet, kInet6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(uint32_t host_order);
  static IpAddress v6(const std::array<uint8_t, 16>& bytes);
  static std::optional<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  bool isV4() const { return family_ == Family::kInet; }
  bool isV6() const { return family_ == Family::kInet6; }
  // Network byte order; 4 bytes used for IPv4.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  uint32_t v4HostOrder() const;
  bool isLinkLocalV6() const { return isV6() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80; }
  bool isMulticast() const;
  int maxPrefix() const { return isV4() ? 32 : 128; }
  std::string str() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kInet;
  std::array<uint8_t, 16> bytes_{};
};

struct IpPrefix {
  IpAddress addr;
  int len = 32;

  // "A.B.C.D", "A.B.C.D/N", "X::Y/N"; no mask means a host prefix.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool isHost() const { return len == addr.maxPrefix(); }
  std::string str() const;  // host prefixes print without "/N"
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace vipd
