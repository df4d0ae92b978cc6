#include "proto/vrrp/ipv4.h"

#include "proto/vrrp/checksum.h"

namespace vipd::vrrp {
namespace {

uint16_t get16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

void put16(std::span<uint8_t> b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

uint32_t load32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         b[at + 3];
}

}  // namespace

std::optional<Ipv4Header> parseIpv4(std::span<const uint8_t> p) {
  if (p.size() < kIpv4HeaderLen || (p[0] >> 4) != 4)
    return std::nullopt;
  Ipv4Header h;
  h.header_len = static_cast<size_t>(p[0] & 0x0f) * 4;
  h.total_len = get16(p, 2);
  if (h.header_len < kIpv4HeaderLen || h.header_len > p.size() || h.total_len < h.header_len ||
      h.total_len > p.size()) {
    return std::nullopt;
  }
  h.tos = p[1];
  h.id = get16(p, 4);
  h.frag_off = get16(p, 6);
  h.ttl = p[8];
  h.protocol = p[9];
  h.src = IpAddress::v4(load32(p, 12));
  h.dst = IpAddress::v4(load32(p, 16));
  return h;
}

void writeIpv4(const Ipv4Header& h, std::span<uint8_t, kIpv4HeaderLen> out) {
  out[0] = 0x45;
  out[1] = h.tos;
  put16(out, 2, h.total_len);
  put16(out, 4, h.id);
  put16(out, 6, h.frag_off);
  out[8] = h.ttl;
  out[9] = h.protocol;
  put16(out, 10, 0);
  auto s = h.src.bytes();
  auto d = h.dst.bytes();
  for (size_t i = 0; i < 4; ++i) {
    out[12 + i] = s[i];
    out[16 + i] = d[i];
  }
  InternetChecksum c;
  c.add(out);
  put16(out, 10, c.fold());
}

}  // namespace vipd::vrrp
