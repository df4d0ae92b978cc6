#include "sys/linux/vrrp_socket.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipd::sys {
namespace {

template <class T>
bool setopt(int fd, int level, int name, const T& v) {
  return ::setsockopt(fd, level, name, &v, sizeof v) == 0;
}

in_addr in4(const IpAddress& a) {
  in_addr r;
  std::memcpy(&r, a.bytes().data(), 4);
  return r;
}

in6_addr in6(const IpAddress& a) {
  in6_addr r;
  std::memcpy(&r, a.bytes().data(), 16);
  return r;
}

std::string failed(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

std::optional<VrrpSocket> VrrpSocket::open(const VrrpSocketConfig& c, std::string& error) {
  const bool v4 = c.family == Family::kInet;
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, c.protocol);
  if (fd < 0) {
    error = failed("raw socket");
    return std::nullopt;
  }
  VrrpSocket s(fd, c);
  // Only this interface's packets, and ours leave through it.
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c.ifname.c_str(),
                   static_cast<socklen_t>(c.ifname.size())) != 0) {
    error = failed("SO_BINDTODEVICE");
    return std::nullopt;
  }
  int on = 1, off = 0, hops = 255;
  int rcvbuf = 1 << 20;
  setopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
  if (v4) {
    ip_mreqn mr{};
    mr.imr_address = in4(c.src);
    mr.imr_ifindex = c.ifindex;
    if (!setopt(fd, IPPROTO_IP, IP_HDRINCL, on) ||
        !setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, off) ||
        !setopt(fd, IPPROTO_IP, IP_MULTICAST_IF, mr)) {
      error = failed("IPv4 socket options");
      return std::nullopt;
    }
  } else if (!setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops) ||
             !setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops) ||
             !setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, off) ||
             !setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, c.ifindex) ||
             !setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on) ||
             !setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, on)) {
    error = failed("IPv6 socket options");
    return std::nullopt;
  }
  if (c.join_multicast) {
    if (int err = s.join(c.group); err != 0) {
      error = std::string("joining ") + c.group.str() + ": " + std::strerror(err);
      return std::nullopt;
    }
  }
  return s;
}

VrrpSocket& VrrpSocket::operator=(VrrpSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = o.fd_;
    c_ = std::move(o.c_);
    o.fd_ = -1;
  }
  return *this;
}

VrrpSocket::~VrrpSocket() {
  if (fd_ >= 0)
    ::close(fd_);
}

int VrrpSocket::send(std::span<const uint8_t> bytes, const IpAddress& dst) {
  msghdr msg{};
  iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  sockaddr_in sa4{};
  sockaddr_in6 sa6{};
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  if (c_.family == Family::kInet) {
    sa4.sin_family = AF_INET;
    sa4.sin_addr = in4(dst);
    msg.msg_name = &sa4;
    msg.msg_namelen = sizeof sa4;
  } else {
    sa6.sin6_family = AF_INET6;
    sa6.sin6_addr = in6(dst);
    sa6.sin6_scope_id = static_cast<uint32_t>(c_.ifindex);
    msg.msg_name = &sa6;
    msg.msg_namelen = sizeof sa6;
    // The source (our link-local address, RFC 5798 5.1.2.1) and interface, per packet.
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo pi{};
    pi.ipi6_addr = in6(c_.src);
    pi.ipi6_ifindex = static_cast<unsigned>(c_.ifindex);
    std::memcpy(CMSG_DATA(cm), &pi, sizeof pi);
  }
  return ::sendmsg(fd_, &msg, 0) < 0 ? errno : 0;
}

std::optional<Datagram> VrrpSocket::receive() {
  Datagram d;
  d.bytes.resize(2048);
  sockaddr_storage from{};
  alignas(cmsghdr) uint8_t control[256];
  iovec iov{d.bytes.data(), d.bytes.size()};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
  if (n < 0)
    return std::nullopt;
  d.bytes.resize(static_cast<size_t>(n));
  if (c_.family == Family::kInet) {
    // Source, destination and TTL come from the header the raw socket delivers.
    if (d.bytes.size() >= 20) {
      d.ttl = d.bytes[8];
      uint32_t s, t;
      std::memcpy(&s, &d.bytes[12], 4);
      std::memcpy(&t, &d.bytes[16], 4);
      d.src = IpAddress::v4(ntohl(s));
      d.dst = IpAddress::v4(ntohl(t));
    }
    return d;
  }
  const auto* sa6 = reinterpret_cast<const sockaddr_in6*>(&from);
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &sa6->sin6_addr, 16);
  d.src = IpAddress::v6(b);
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != IPPROTO_IPV6)
      continue;
    if (cm->cmsg_type == IPV6_HOPLIMIT) {
      int h;
      std::memcpy(&h, CMSG_DATA(cm), sizeof h);
      d.ttl = h;
    } else if (cm->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(cm), sizeof pi);
      std::memcpy(b.data(), &pi.ipi6_addr, 16);
      d.dst = IpAddress::v6(b);
    }
  }
  return d;
}

int VrrpSocket::join(const IpAddress& group) {
  int rc;
  if (c_.family == Family::kInet) {
    ip_mreqn mr{};
    mr.imr_multiaddr = in4(group);
    mr.imr_address = in4(c_.src);
    mr.imr_ifindex = c_.ifindex;
    rc = ::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr);
  } else {
    ipv6_mreq mr{};
    mr.ipv6mr_multiaddr = in6(group);
    mr.ipv6mr_interface = static_cast<unsigned>(c_.ifindex);
    rc = ::setsockopt(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr);
  }
  return rc == 0 || errno == EADDRINUSE ? 0 : errno;
}

std::optional<PacketSocket> PacketSocket::open(int ifindex, std::string& error) {
  // Protocol 0: this socket only sends, so the kernel queues nothing for it.
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = failed("packet socket");
    return std::nullopt;
  }
  return PacketSocket(fd, ifindex);
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0)
    ::close(fd_);
}

int PacketSocket::send(std::span<const uint8_t> frame) {
  if (frame.size() < 14)
    return EINVAL;
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex_;
  sll.sll_halen = 6;
  std::memcpy(sll.sll_addr, frame.data(), 6);
  std::memcpy(&sll.sll_protocol, frame.data() + 12, 2);
  return ::sendto(fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&sll),
                  sizeof sll) < 0
             ? errno
             : 0;
}

}  // namespace vipd::sys
