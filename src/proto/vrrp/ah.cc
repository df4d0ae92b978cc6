#include "proto/vrrp/ah.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

namespace vipd::vrrp {
namespace {

constexpr uint8_t kAhPayloadLen = 4;  // (24 bytes / 4) - 2, RFC 2402 2.2

void put32(std::span<uint8_t> b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i)
    b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

uint32_t get32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         b[at + 3];
}

// HMAC-MD5-96 over `buf`, whose mutable IP fields and ICV the caller has zeroed.
std::array<uint8_t, kAhIcvLen> icv(std::span<const uint8_t> buf, const AhKey& key) {
  std::array<uint8_t, 16> mac{};
  size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "MD5", nullptr, key.data(), key.size(), buf.data(),
            buf.size(), mac.data(), mac.size(), &len);
  std::array<uint8_t, kAhIcvLen> out{};
  std::copy_n(mac.begin(), kAhIcvLen, out.begin());
  return out;
}

// Zeroes what RFC 2402 3.3.3.1.1.1 calls mutable, as keepalived does.
void zeroMutable(std::span<uint8_t> ip, bool unicast) {
  ip[1] = 0;            // TOS
  ip[6] = ip[7] = 0;    // flags + fragment offset
  ip[10] = ip[11] = 0;  // header checksum
  if (unicast)
    ip[8] = 0;  // TTL
}

}  // namespace

std::vector<uint8_t> encodeAhDatagram(std::span<const uint8_t> vrrp_message, const AhSendParams& p,
                                      const AhKey& key) {
  std::vector<uint8_t> out(kIpv4HeaderLen + kAhLen + vrrp_message.size());
  std::span<uint8_t> s(out);
  Ipv4Header h;
  h.total_len = static_cast<uint16_t>(out.size());
  h.id = p.ip_id;
  h.ttl = p.ttl;
  h.protocol = kIpProtoAh;
  h.src = p.src;
  h.dst = p.dst;
  auto ah = s.subspan(kIpv4HeaderLen, kAhLen);
  ah[0] = kIpProtoVrrp;
  ah[1] = kAhPayloadLen;
  put32(ah, 4, p.spi.value_or(p.src.v4HostOrder()));
  put32(ah, 8, p.seq);
  std::copy(vrrp_message.begin(), vrrp_message.end(), out.begin() + kIpv4HeaderLen + kAhLen);

  writeIpv4(h, s.first<kIpv4HeaderLen>());
  std::vector<uint8_t> covered(out);
  zeroMutable(std::span(covered).first(kIpv4HeaderLen), p.unicast);
  auto mac = icv(covered, key);
  std::copy(mac.begin(), mac.end(), ah.begin() + 12);
  return out;
}

std::variant<AhOpened, DropReason> openAhDatagram(std::span<const uint8_t> datagram,
                                                  const Ipv4Header& h, const AhKey& key,
                                                  bool unicast) {
  if (h.protocol != kIpProtoAh)
    return DropReason::kAhMismatch;
  auto packet = datagram.first(h.total_len);
  if (packet.size() < h.header_len + kAhLen)
    return DropReason::kAhMalformed;
  auto ah = packet.subspan(h.header_len, kAhLen);
  if (ah[0] != kIpProtoVrrp || ah[1] != kAhPayloadLen)
    return DropReason::kAhMalformed;

  std::vector<uint8_t> covered(packet.begin(), packet.end());
  zeroMutable(std::span(covered).first(kIpv4HeaderLen), unicast);
  std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(h.header_len) + 12, kAhIcvLen, 0);
  auto mac = icv(covered, key);
  if (CRYPTO_memcmp(mac.data(), ah.data() + 12, kAhIcvLen) != 0)
    return DropReason::kAhIcv;

  AhOpened o{packet.subspan(h.header_len + kAhLen), get32(ah, 4), get32(ah, 8)};
  if (o.spi != h.src.v4HostOrder())
    return DropReason::kAhSpi;
  return o;
}

bool AhReplayGuard::accept(const IpAddress& src, uint32_t seq, Clock::time_point now) {
  auto [it, fresh] = seen_.try_emplace(src, Seen{seq, now});
  if (fresh)
    return true;
  Seen& s = it->second;
  if (seq > s.seq || now - s.at > forget_after_) {
    s = Seen{seq, now};
    return true;
  }
  return false;
}

}  // namespace vipd::vrrp
