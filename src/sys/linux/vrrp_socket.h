#pragma once
// Raw sockets for VRRP (IP protocol 112, or 51 for keepalived's AH form) on one interface and
// one family, and a packet socket for gratuitous ARP / unsolicited NA.
//
// IPv4 is sent with IP_HDRINCL: the header carries TOS 0xc0 and TTL 255 (RFC 5798 5.1.1.3)
// and, for AH, is covered by the ICV. IPv6 sends the message; the kernel builds the header
// with hop limit 255 and the source given per packet. Receive returns what the checks need:
// the bytes, source, destination and TTL / hop limit (from the header, or ancillary data).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace vipd::sys {

struct VrrpSocketConfig {
  Family family = Family::kInet;
  int ifindex = 0;
  std::string ifname;
  IpAddress src;               // for the multicast membership and as the IPv6 source
  uint8_t protocol = 112;      // 112 VRRP, 51 AH
  bool join_multicast = true;  // false for unicast-only instances
  IpAddress group;             // 224.0.0.18 / ff02::12, or mcast_dst_ip
};

// A received datagram; `bytes` points into the socket's receive buffers and is valid until
// the next receiveMany().
struct Datagram {
  std::span<uint8_t> bytes;  // IPv4: from the IP header on; IPv6: the VRRP message
  IpAddress src, dst;
  int ttl = -1;  // IPv6: hop limit from IPV6_HOPLIMIT; IPv4: read from the header
};

struct SocketBuffers;  // the batches' storage, reused: no allocation per packet

class VrrpSocket {
 public:
  // Opens, configures and binds; on failure returns nullopt and sets `error`.
  static std::optional<VrrpSocket> open(const VrrpSocketConfig& c, std::string& error);
  VrrpSocket(VrrpSocket&& o) noexcept;
  VrrpSocket& operator=(VrrpSocket&& o) noexcept;
  VrrpSocket(const VrrpSocket&) = delete;
  ~VrrpSocket();

  int fd() const { return fd_; }
  const VrrpSocketConfig& config() const { return c_; }
  // IPv4: a whole datagram (header included). IPv6: the message, sent from `c.src`.
  // Returns 0 or errno.
  int send(std::span<const uint8_t> bytes, const IpAddress& dst);

  // Batched sending: queue() copies a datagram (as for send()) into the socket's batch, and
  // flush() hands the whole batch to the kernel with sendmmsg, so many adverts due together
  // cost one system call (and one return to user space) instead of one each. `tag` comes
  // back in flush()'s report with 0 or the errno of that datagram. queue() returns true when
  // the batch is full and must be flushed before the next queue().
  static constexpr size_t kBatch = 64;
  static constexpr size_t kRxBatch = 32;
  bool queue(std::span<const uint8_t> bytes, const IpAddress& dst, void* tag);
  size_t queued() const { return queued_; }
  void flush(const std::function<void(void* tag, int err)>& report);

  // Non-blocking: reads up to kRxBatch pending datagrams with one recvmmsg and returns how
  // many; received(i) is valid until the next call.
  size_t receiveMany();
  Datagram& received(size_t i);
  // Another multicast group on the same interface (an instance's mcast_dst_ip); joining a
  // group twice is not an error. Returns 0 or errno.
  int join(const IpAddress& group);

 private:
  VrrpSocket(int fd, VrrpSocketConfig c);
  int fd_ = -1;
  VrrpSocketConfig c_;
  std::unique_ptr<SocketBuffers> buf_;  // behind a pointer: moving keeps iovecs valid
  size_t queued_ = 0;
};

// Sends whole Ethernet frames on one interface (no receive).
class PacketSocket {
 public:
  static std::optional<PacketSocket> open(int ifindex, std::string& error);
  PacketSocket(PacketSocket&& o) noexcept : fd_(o.fd_), ifindex_(o.ifindex_) { o.fd_ = -1; }
  PacketSocket(const PacketSocket&) = delete;
  ~PacketSocket();
  int send(std::span<const uint8_t> frame);

 private:
  PacketSocket(int fd, int ifindex) : fd_(fd), ifindex_(ifindex) {}
  int fd_ = -1;
  int ifindex_ = 0;
};

}  // namespace vipd::sys
