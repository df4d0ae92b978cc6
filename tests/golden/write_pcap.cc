// Writes vipd's adverts, wrapped in Ethernet and IP headers as the data plane will send them,
// to pcap files, so tshark and scapy can judge them (tests/golden/check_pcap.sh).
//   write_pcap DIR   ->  DIR/adverts.pcap (default checksum forms)
//                        DIR/v3_message_only.pcap (RFC 9568 v3/IPv4 form)
#include <cstdio>
#include <string>
#include <vector>

#include "proto/vrrp/ah.h"
#include "proto/vrrp/checksum.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/receive.h"

using namespace vipd;
using namespace vipd::vrrp;

namespace {

IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v & 0xff));
}

// Ethernet from the virtual router MAC (RFC 5798 7.3) to the group's multicast MAC.
std::vector<uint8_t> frame(const IpAddress& src, const IpAddress& dst, uint8_t vrid,
                           const std::vector<uint8_t>& vrrp) {
  std::vector<uint8_t> f;
  if (src.isV4()) {
    f.insert(f.end(), {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12});
    f.insert(f.end(), {0x00, 0x00, 0x5e, 0x00, 0x01, vrid});
    put16(f, 0x0800);
    std::vector<uint8_t> h = {0x45, 0};
    put16(h, static_cast<uint16_t>(20 + vrrp.size()));
    h.insert(h.end(), {0, 0, 0, 0, 255, kIpProtoVrrp, 0, 0});
    h.insert(h.end(), src.bytes().begin(), src.bytes().begin() + 4);
    h.insert(h.end(), dst.bytes().begin(), dst.bytes().begin() + 4);
    InternetChecksum c;
    c.add(h);
    uint16_t sum = c.fold();
    h[10] = static_cast<uint8_t>(sum >> 8);
    h[11] = static_cast<uint8_t>(sum & 0xff);
    f.insert(f.end(), h.begin(), h.end());
  } else {
    f.insert(f.end(), {0x33, 0x33, 0x00, 0x00, 0x00, 0x12});
    f.insert(f.end(), {0x00, 0x00, 0x5e, 0x00, 0x02, vrid});
    put16(f, 0x86dd);
    f.insert(f.end(), {0x60, 0, 0, 0});
    put16(f, static_cast<uint16_t>(vrrp.size()));
    f.insert(f.end(), {kIpProtoVrrp, 255});
    f.insert(f.end(), src.bytes().begin(), src.bytes().end());
    f.insert(f.end(), dst.bytes().begin(), dst.bytes().end());
  }
  f.insert(f.end(), vrrp.begin(), vrrp.end());
  return f;
}

bool writePcap(const std::string& path, const std::vector<std::vector<uint8_t>>& frames) {
  FILE* out = std::fopen(path.c_str(), "wb");
  if (!out)
    return false;
  const uint32_t global[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};  // LINKTYPE_ETHERNET
  std::fwrite(global, 4, 2, out);                                      // magic + version (2.4)
  std::fwrite(&global[2], 4, 4, out);
  uint32_t ts = 1;
  for (const auto& f : frames) {
    const uint32_t rec[] = {ts++, 0, static_cast<uint32_t>(f.size()),
                            static_cast<uint32_t>(f.size())};
    std::fwrite(rec, 4, 4, out);
    std::fwrite(f.data(), 1, f.size(), out);
  }
  return std::fclose(out) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_pcap DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  const IpAddress s4 = ip("192.168.1.10"), g4 = ip("224.0.0.18");
  const IpAddress s6 = ip("fe80::1"), g6 = ip("ff02::12");
  std::vector<std::vector<uint8_t>> frames;
  // v2 without auth, v2 PASS, v2 priority 0 (shutdown), v2 owner with 3 VIPs.
  Advert a2{2, 51, 100, 1, AuthType::kNone, {}, {ip("192.168.1.100")}};
  frames.push_back(frame(s4, g4, 51, encode(a2, {s4, g4, false})));
  Advert p2 = a2;
  p2.auth_type = AuthType::kPass;
  p2.auth_data = passwordBytes("secret");
  frames.push_back(frame(s4, g4, 51, encode(p2, {s4, g4, false})));
  Advert z2 = a2;
  z2.priority = 0;
  frames.push_back(frame(s4, g4, 51, encode(z2, {s4, g4, false})));
  Advert o2{2, 7, 255, 3, AuthType::kNone, {}, {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")}};
  frames.push_back(frame(s4, g4, 7, encode(o2, {s4, g4, false})));
  // v3/IPv4 at 1 s and 10 ms; v3/IPv6 with a link-local first address.
  Advert a3{3, 52, 150, 100, AuthType::kNone, {}, {ip("192.168.1.101")}};
  frames.push_back(frame(s4, g4, 52, encode(a3, {s4, g4, false})));
  Advert f3 = a3;
  f3.interval = 1;
  frames.push_back(frame(s4, g4, 52, encode(f3, {s4, g4, false})));
  Advert a6{3, 53, 200, 100, AuthType::kNone, {}, {ip("fe80::53"), ip("2001:db8::53")}};
  frames.push_back(frame(s6, g6, 53, encode(a6, {s6, g6, false})));
  if (!writePcap(dir + "/adverts.pcap", frames))
    return 1;
  std::vector<std::vector<uint8_t>> mo = {frame(s4, g4, 52, encode(a3, {s4, g4, true}))};
  if (!writePcap(dir + "/v3_message_only.pcap", mo))
    return 1;
  // keepalived's AH form: the whole datagram comes from encodeAhDatagram.
  Advert h2 = a2;
  h2.auth_type = AuthType::kAh;
  auto dgram = encodeAhDatagram(encode(h2, {s4, g4, false}), {s4, g4, 9, 9, 255, false, {}},
                                passwordBytes("secret"));
  std::vector<uint8_t> f = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, 0x00, 0x00, 0x5e, 0x00, 0x01, 51};
  put16(f, 0x0800);
  f.insert(f.end(), dgram.begin(), dgram.end());
  return writePcap(dir + "/ah.pcap", {f}) ? 0 : 1;
}
