// The kernel's cost of sending adverts, without any daemon: a loop that sends the same
// 40-byte VRRPv3 datagram (20-byte IPv4 header + 20-byte message, as one instance with one
// VIP) through a raw socket with sendmmsg, in batches of 64, and reports the CPU time per
// datagram (user + system, getrusage). What a daemon spends beyond this is its own work.
//   send_floor IFNAME [COUNT]
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

double cpuSeconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: send_floor IFNAME [COUNT]\n");
    return 2;
  }
  const char* ifname = argv[1];
  const long count = argc > 2 ? std::atol(argv[2]) : 200000;
  constexpr unsigned kBatch = 64;
  int fd = socket(AF_INET, SOCK_RAW, 112);
  int on = 1, off = 0;
  ip_mreqn mr{};
  mr.imr_ifindex = static_cast<int>(if_nametoindex(ifname));
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
                 static_cast<socklen_t>(std::strlen(ifname))) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) != 0) {
    std::perror("raw socket");
    return 1;
  }
  // 10.77.0.1 -> 224.0.0.18, TTL 255, protocol 112; the message's content does not matter
  // to the kernel (a VRID no one runs).
  std::array<uint8_t, 40> dg{};
  dg[0] = 0x45;
  dg[1] = 0xc0;
  dg[3] = static_cast<uint8_t>(dg.size());
  dg[8] = 255;
  dg[9] = 112;
  const uint8_t src[4] = {10, 77, 0, 1}, dst[4] = {224, 0, 0, 18};
  std::memcpy(&dg[12], src, 4);
  std::memcpy(&dg[16], dst, 4);
  dg[20] = 0x31;  // v3, advertisement
  dg[21] = 254;   // VRID
  dg[22] = 100;
  dg[23] = 1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr, dst, 4);
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> msgs{};
  for (unsigned i = 0; i < kBatch; ++i) {
    iov[i] = {dg.data(), dg.size()};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
  }
  const double t0 = cpuSeconds();
  long sent = 0;
  while (sent < count) {
    int n = sendmmsg(fd, msgs.data(), kBatch, 0);
    if (n > 0)
      sent += n;
    usleep(1000);  // bursts, as a daemon's timer sends them; the sleep costs no CPU
  }
  const double us = (cpuSeconds() - t0) * 1e6 / static_cast<double>(sent);
  std::printf("%.2f\n", us);
  return 0;
}
