#include "probe/socket_addr.h"

#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace vipd::probe {

socklen_t toSockaddr(const IpAddress& addr, int port, const std::string& dev,
                     sockaddr_storage& out) {
  out = {};
  if (addr.isV4()) {
    auto* s = reinterpret_cast<sockaddr_in*>(&out);
    s->sin_family = AF_INET;
    s->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&s->sin_addr, addr.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&out);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(static_cast<uint16_t>(port));
  std::memcpy(&s->sin6_addr, addr.bytes().data(), 16);
  if (addr.isLinkLocalV6() && !dev.empty())
    s->sin6_scope_id = ::if_nametoindex(dev.c_str());
  return sizeof(sockaddr_in6);
}

std::string describeErrno(int err) {
  switch (err) {
    case ECONNREFUSED:
      return "connection refused";
    case ECONNRESET:
      return "connection reset";
    case EHOSTUNREACH:
      return "host unreachable";
    case ENETUNREACH:
      return "network unreachable";
    case ETIMEDOUT:
      return "connection timed out";
    case EPIPE:
      return "connection closed while sending";
    default:
      return std::strerror(err);
  }
}

}  // namespace vipd::probe
