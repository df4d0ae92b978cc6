#include "sys/linux/vrrp_socket.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
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

union SockAddr {
  sockaddr_in v4;
  sockaddr_in6 v6;
};

socklen_t toSockAddr(const VrrpSocketConfig& c, const IpAddress& dst, SockAddr& sa) {
  sa = {};
  if (c.family == Family::kInet) {
    sa.v4.sin_family = AF_INET;
    sa.v4.sin_addr = in4(dst);
    return sizeof sa.v4;
  }
  sa.v6.sin6_family = AF_INET6;
  sa.v6.sin6_addr = in6(dst);
  sa.v6.sin6_scope_id = static_cast<uint32_t>(c.ifindex);
  return sizeof sa.v6;
}

constexpr size_t kPktInfoSpace = CMSG_SPACE(sizeof(in6_pktinfo));

// IPv6: the source (our link-local address, RFC 5798 5.1.2.1) and interface, per packet.
void writePktInfo(const VrrpSocketConfig& c, uint8_t* control, msghdr& msg) {
  msg.msg_control = control;
  msg.msg_controllen = kPktInfoSpace;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = IPPROTO_IPV6;
  cm->cmsg_type = IPV6_PKTINFO;
  cm->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo pi{};
  pi.ipi6_addr = in6(c.src);
  pi.ipi6_ifindex = static_cast<unsigned>(c.ifindex);
  std::memcpy(CMSG_DATA(cm), &pi, sizeof pi);
}

constexpr size_t kRxSlot = 2048;  // far above any advert that fits an Ethernet MTU

}  // namespace

// Allocated once per socket with `new` (default-initialised): the receive slots are only
// touched as far as datagrams fill them.
struct SocketBuffers {
  // Sending: slot i holds a copy of the i-th queued datagram; its capacity is kept.
  std::array<std::vector<uint8_t>, VrrpSocket::kBatch> out;
  std::array<void*, VrrpSocket::kBatch> tags;
  std::array<SockAddr, VrrpSocket::kBatch> to;
  std::array<iovec, VrrpSocket::kBatch> out_iov;
  std::array<mmsghdr, VrrpSocket::kBatch> out_hdr;
  alignas(cmsghdr) uint8_t pktinfo[kPktInfoSpace];  // the same for every IPv6 datagram
  // Receiving.
  std::array<std::array<uint8_t, kRxSlot>, VrrpSocket::kRxBatch> in;
  std::array<sockaddr_in6, VrrpSocket::kRxBatch> from;
  struct alignas(cmsghdr) Control {
    uint8_t bytes[128];
  };
  std::array<Control, VrrpSocket::kRxBatch> control;
  std::array<iovec, VrrpSocket::kRxBatch> in_iov;
  std::array<mmsghdr, VrrpSocket::kRxBatch> in_hdr;
  std::array<Datagram, VrrpSocket::kRxBatch> got;
};

VrrpSocket::VrrpSocket(int fd, VrrpSocketConfig c)
    : fd_(fd), c_(std::move(c)), buf_(new SocketBuffers) {}

VrrpSocket::VrrpSocket(VrrpSocket&& o) noexcept
    : fd_(o.fd_), c_(std::move(o.c_)), buf_(std::move(o.buf_)), queued_(o.queued_) {
  o.fd_ = -1;
  o.queued_ = 0;
}

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
    buf_ = std::move(o.buf_);
    queued_ = o.queued_;
    o.fd_ = -1;
    o.queued_ = 0;
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
  SockAddr sa;
  msg.msg_name = &sa;
  msg.msg_namelen = toSockAddr(c_, dst, sa);
  alignas(cmsghdr) uint8_t control[kPktInfoSpace] = {};
  if (c_.family == Family::kInet6)
    writePktInfo(c_, control, msg);
  return ::sendmsg(fd_, &msg, 0) < 0 ? errno : 0;
}

bool VrrpSocket::queue(std::span<const uint8_t> bytes, const IpAddress& dst, void* tag) {
  auto& b = *buf_;
  const size_t i = queued_++;
  b.out[i].assign(bytes.begin(), bytes.end());
  b.tags[i] = tag;
  b.out_iov[i] = {b.out[i].data(), b.out[i].size()};
  msghdr& msg = b.out_hdr[i].msg_hdr;
  msg = {};
  msg.msg_iov = &b.out_iov[i];
  msg.msg_iovlen = 1;
  msg.msg_name = &b.to[i];
  msg.msg_namelen = toSockAddr(c_, dst, b.to[i]);
  if (c_.family == Family::kInet6)
    writePktInfo(c_, b.pktinfo, msg);
  return queued_ == kBatch;
}

void VrrpSocket::flush(const std::function<void(void* tag, int err)>& report) {
  auto& b = *buf_;
  size_t done = 0;
  while (done < queued_) {
    int n = ::sendmmsg(fd_, &b.out_hdr[done], static_cast<unsigned>(queued_ - done), 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      // The datagram at `done` failed (sendmmsg reports an error only for the first one it
      // could not send): report it and go on with the rest.
      report(b.tags[done], errno);
      ++done;
      continue;
    }
    for (int k = 0; k < n; ++k)
      report(b.tags[done + static_cast<size_t>(k)], 0);
    done += static_cast<size_t>(n);
  }
  queued_ = 0;
}

size_t VrrpSocket::receiveMany() {
  auto& b = *buf_;
  for (size_t i = 0; i < VrrpSocket::kRxBatch; ++i) {
    b.in_iov[i] = {b.in[i].data(), kRxSlot};
    msghdr& msg = b.in_hdr[i].msg_hdr;
    msg = {};
    msg.msg_name = &b.from[i];
    msg.msg_namelen = sizeof b.from[i];
    msg.msg_iov = &b.in_iov[i];
    msg.msg_iovlen = 1;
    if (c_.family == Family::kInet6) {
      msg.msg_control = b.control[i].bytes;
      msg.msg_controllen = sizeof b.control[i].bytes;
    }
  }
  int n = ::recvmmsg(fd_, b.in_hdr.data(), VrrpSocket::kRxBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0)
    return 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    Datagram& d = b.got[i];
    d = {};
    d.bytes = std::span(b.in[i].data(), b.in_hdr[i].msg_len);
    if (c_.family == Family::kInet) {
      // Source, destination and TTL come from the header the raw socket delivers.
      if (d.bytes.size() >= 20) {
        d.ttl = d.bytes[8];
        uint32_t src, dst;
        std::memcpy(&src, &d.bytes[12], 4);
        std::memcpy(&dst, &d.bytes[16], 4);
        d.src = IpAddress::v4(ntohl(src));
        d.dst = IpAddress::v4(ntohl(dst));
      }
      continue;
    }
    std::array<uint8_t, 16> a;
    std::memcpy(a.data(), &b.from[i].sin6_addr, 16);
    d.src = IpAddress::v6(a);
    msghdr& msg = b.in_hdr[i].msg_hdr;
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
        std::memcpy(a.data(), &pi.ipi6_addr, 16);
        d.dst = IpAddress::v6(a);
      }
    }
  }
  return static_cast<size_t>(n);
}

Datagram& VrrpSocket::received(size_t i) {
  return buf_->got[i];
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
