#include "proto/vrrp/checksum.h"

namespace vipd::vrrp {

void InternetChecksum::add(std::span<const uint8_t> bytes) {
  size_t i = 0;
  if (odd_ && !bytes.empty()) {
    sum_ += static_cast<uint16_t>((pending_ << 8) | bytes[0]);
    odd_ = false;
    i = 1;
  }
  for (; i + 1 < bytes.size(); i += 2)
    sum_ += static_cast<uint16_t>((bytes[i] << 8) | bytes[i + 1]);
  if (i < bytes.size()) {
    pending_ = bytes[i];
    odd_ = true;
  }
}

uint16_t InternetChecksum::fold() const {
  uint64_t s = sum_;
  if (odd_)
    s += static_cast<uint16_t>(pending_ << 8);  // pad with a zero byte
  while (s >> 16)
    s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s & 0xffff);
}

uint16_t vrrpChecksum(std::span<const uint8_t> message, PseudoHeader ph, const IpAddress& src,
                      const IpAddress& dst) {
  InternetChecksum c;
  if (ph == PseudoHeader::kIp) {
    size_t n = src.isV4() ? 4 : 16;
    c.add(std::span(src.bytes().data(), n));
    c.add(std::span(dst.bytes().data(), n));
    if (src.isV4()) {
      // IPv4: zero, protocol, 16-bit length (RFC 768 style).
      c.addWord(112);
      c.addWord(static_cast<uint16_t>(message.size()));
    } else {
      // IPv6: 32-bit upper-layer length, 24 zero bits, next header (RFC 8200 8.1).
      c.addWord(static_cast<uint16_t>(message.size() >> 16));
      c.addWord(static_cast<uint16_t>(message.size() & 0xffff));
      c.addWord(112);
    }
  }
  c.add(message);
  return c.fold();
}

}  // namespace vipd::vrrp
