#include "base/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vipd {

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.family_ = Family::kInet;
  a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::v6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = Family::kInet6;
  a.bytes_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN)
    return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) != 1)
      return std::nullopt;
    a.family_ = Family::kInet6;
    return a;
  }
  // inet_pton(AF_INET) accepts only the dotted-quad form, which is what keepalived requires.
  if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) != 1)
    return std::nullopt;
  a.family_ = Family::kInet;
  return a;
}

uint32_t IpAddress::v4HostOrder() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         uint32_t{bytes_[3]};
}

bool IpAddress::isMulticast() const {
  return isV4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(isV4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr)
    return std::nullopt;
  IpPrefix p{*addr, addr->maxPrefix()};
  if (slash != std::string_view::npos) {
    auto len_text = text.substr(slash + 1);
    int len = -1;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len < 0 ||
        len > addr->maxPrefix()) {
      return std::nullopt;
    }
    p.len = len;
  }
  return p;
}

std::string IpPrefix::str() const {
  return isHost() ? addr.str() : addr.str() + "/" + std::to_string(len);
}

}  // namespace vipd
