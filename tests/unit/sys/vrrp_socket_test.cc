// Batched send (sendmmsg) and receive (recvmmsg) of VRRP raw sockets on the real kernel, in
// a network namespace of the test's own (only its loopback), so nothing leaves the test.
#include "sys/linux/vrrp_socket.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace vipd::sys {
namespace {

// A network namespace belongs to a thread once it unshares, so the test body runs in one.
template <class F>
void inOwnNetns(F body) {
  std::string failure;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      failure = std::string("unshare: ") + std::strerror(errno);
      return;
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    ifr.ifr_flags = IFF_UP;
    if (fd < 0 || ::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
      failure = std::string("lo up: ") + std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    if (failure.empty())
      failure = body();
  });
  t.join();
  EXPECT_EQ(failure, "");
}

// Raw sockets on the namespace's loopback, unicast to 127.0.0.1.
VrrpSocketConfig loopback() {
  VrrpSocketConfig c;
  c.ifindex = static_cast<int>(if_nametoindex("lo"));
  c.ifname = "lo";
  c.src = IpAddress::v4(0x7f000001);
  c.join_multicast = false;
  return c;
}

// An IPv4 datagram for IP_HDRINCL: 20-byte header (the kernel fills the checksum) and a
// payload whose first byte tells the datagrams apart.
std::vector<uint8_t> datagram(uint8_t mark) {
  std::vector<uint8_t> d(28, 0);
  d[0] = 0x45;
  d[3] = 28;
  d[8] = 255;  // TTL
  d[9] = 112;  // VRRP
  d[12] = d[16] = 127;
  d[15] = d[19] = 1;
  d[20] = mark;
  return d;
}

TEST(VrrpSocket, BatchOfDatagramsLeavesInOneFlushAndArrivesInOrder) {
  inOwnNetns([]() -> std::string {
    const VrrpSocketConfig c = loopback();
    std::string error;
    auto tx = VrrpSocket::open(c, error);
    auto rx = VrrpSocket::open(c, error);
    if (!tx || !rx)
      return error;
    const IpAddress dst = IpAddress::v4(0x7f000001);
    // More than one batch: the full batch is flushed when queue() says so.
    constexpr size_t kCount = 100;
    std::vector<int> tags(kCount);
    std::vector<std::pair<void*, int>> reports;
    auto report = [&](void* tag, int err) { reports.emplace_back(tag, err); };
    for (size_t i = 0; i < kCount; ++i) {
      if (tx->queue(datagram(static_cast<uint8_t>(i)), dst, &tags[i]))
        tx->flush(report);
    }
    EXPECT_EQ(tx->queued(), kCount % VrrpSocket::kBatch);
    tx->flush(report);
    EXPECT_EQ(tx->queued(), 0u);
    EXPECT_EQ(reports.size(), kCount);
    for (size_t i = 0; i < kCount && i < reports.size(); ++i) {
      EXPECT_EQ(reports[i].first, &tags[i]);
      EXPECT_EQ(reports[i].second, 0);
    }
    // The receiver gets all of them, in order, at most kRxBatch per call.
    std::vector<uint8_t> marks;
    for (int spins = 0; marks.size() < kCount && spins < 100; ++spins) {
      pollfd p{rx->fd(), POLLIN, 0};
      ::poll(&p, 1, 50);
      const size_t n = rx->receiveMany();
      EXPECT_LE(n, VrrpSocket::kRxBatch);
      for (size_t i = 0; i < n; ++i) {
        const Datagram& d = rx->received(i);
        EXPECT_EQ(d.bytes.size(), 28u);
        EXPECT_EQ(d.ttl, 255);
        EXPECT_EQ(d.src, IpAddress::v4(0x7f000001));
        if (d.bytes.size() > 20)
          marks.push_back(d.bytes[20]);
      }
    }
    EXPECT_EQ(marks.size(), kCount);
    for (size_t i = 0; i < marks.size(); ++i)
      EXPECT_EQ(marks[i], i);
    return "";
  });
}

TEST(VrrpSocket, AFailedDatagramIsReportedAndTheRestStillLeave) {
  inOwnNetns([]() -> std::string {
    const VrrpSocketConfig c = loopback();
    std::string error;
    auto tx = VrrpSocket::open(c, error);
    if (!tx)
      return error;
    int a = 0, b = 0, z = 0;
    std::vector<std::pair<void*, int>> reports;
    tx->queue(datagram(1), IpAddress::v4(0x7f000001), &a);
    // A header shorter than IPv4's minimum: the kernel refuses this one alone.
    std::vector<uint8_t> bad{0x45, 0, 0};
    tx->queue(bad, IpAddress::v4(0x7f000001), &z);
    tx->queue(datagram(2), IpAddress::v4(0x7f000001), &b);
    tx->flush([&](void* tag, int err) { reports.emplace_back(tag, err); });
    EXPECT_EQ(reports.size(), 3u);
    if (reports.size() == 3) {
      EXPECT_EQ(reports[0], (std::pair<void*, int>{&a, 0}));
      EXPECT_EQ(reports[1].first, &z);
      EXPECT_NE(reports[1].second, 0);
      EXPECT_EQ(reports[2], (std::pair<void*, int>{&b, 0}));
    }
    return "";
  });
}

}  // namespace
}  // namespace vipd::sys
