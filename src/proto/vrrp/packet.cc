#include "proto/vrrp/packet.h"

#include "proto/vrrp/checksum.h"

namespace vipd::vrrp {
namespace {

size_t addrLen(const IpAddress& a) {
  return a.isV4() ? 4 : 16;
}

}  // namespace

std::string_view toString(DropReason r) {
  switch (r) {
    case DropReason::kTtl:
      return "ttl";
    case DropReason::kVersion:
      return "version";
    case DropReason::kType:
      return "type";
    case DropReason::kTooShort:
      return "too_short";
    case DropReason::kChecksum:
      return "checksum";
    case DropReason::kNoAddresses:
      return "no_addresses";
    case DropReason::kZeroInterval:
      return "zero_interval";
    case DropReason::kFamily:
      return "family";
    case DropReason::kUnknownVrid:
      return "unknown_vrid";
    case DropReason::kAuthType:
      return "auth_type";
    case DropReason::kAuthFailed:
      return "auth_failed";
    case DropReason::kInterval:
      return "interval";
    case DropReason::kAddressList:
      return "address_list";
    case DropReason::kUnicastSource:
      return "unicast_source";
    case DropReason::kIpHeader:
      return "ip_header";
    case DropReason::kAhMismatch:
      return "ah_mismatch";
    case DropReason::kAhMalformed:
      return "ah_malformed";
    case DropReason::kAhIcv:
      return "ah_icv";
    case DropReason::kAhSpi:
      return "ah_spi";
    case DropReason::kAhReplay:
      return "ah_replay";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

std::vector<uint8_t> encode(const Advert& a, const EncodeOptions& o) {
  std::vector<uint8_t> m;
  m.reserve(kHeaderLen + a.addrs.size() * 16 + kV2AuthLen);
  m.push_back(static_cast<uint8_t>((a.version << 4) | kTypeAdvertisement));
  m.push_back(a.vrid);
  m.push_back(a.priority);
  m.push_back(static_cast<uint8_t>(a.addrs.size()));
  if (a.version == 2) {
    m.push_back(static_cast<uint8_t>(a.auth_type));
    m.push_back(static_cast<uint8_t>(a.interval));
  } else {
    // 4 reserved bits (zero) and the 12-bit Max Adver Int in centiseconds.
    m.push_back(static_cast<uint8_t>((a.interval >> 8) & 0x0f));
    m.push_back(static_cast<uint8_t>(a.interval & 0xff));
  }
  m.push_back(0);
  m.push_back(0);
  for (const auto& addr : a.addrs) {
    m.insert(m.end(), addr.bytes().begin(),
             addr.bytes().begin() + static_cast<long>(addrLen(addr)));
  }
  if (a.version == 2)
    m.insert(m.end(), a.auth_data.begin(), a.auth_data.end());
  // v2 never has a pseudo-header; v3/IPv6 always; v3/IPv4 unless v3_checksum_as_v2.
  bool ph = a.version == 3 && (o.src.isV6() || !o.v3_checksum_as_v2);
  uint16_t sum = vrrpChecksum(m, ph ? PseudoHeader::kIp : PseudoHeader::kNone, o.src, o.dst);
  m[6] = static_cast<uint8_t>(sum >> 8);
  m[7] = static_cast<uint8_t>(sum & 0xff);
  return m;
}

DecodeResult decode(std::span<const uint8_t> b, const RxMeta& meta) {
  // RFC 5798 7.1 (1): a router forwards nothing with TTL 255, so 255 proves the sender is
  // on the link.
  if (meta.check_ttl && meta.ttl != 255)
    return DropReason::kTtl;
  if (b.size() < kHeaderLen)
    return DropReason::kTooShort;
  uint8_t version = b[0] >> 4;
  if (version != 2 && version != 3)
    return DropReason::kVersion;
  if ((b[0] & 0x0f) != kTypeAdvertisement)
    return DropReason::kType;
  bool v6 = meta.src.isV6();
  if (version == 2 && v6)
    return DropReason::kVersion;  // VRRPv2 is IPv4 only (RFC 3768)
  size_t alen = v6 ? 16 : 4;
  size_t count = b[3];
  size_t need = kHeaderLen + count * alen + (version == 2 ? kV2AuthLen : 0);
  if (b.size() < need)
    return DropReason::kTooShort;
  auto msg = b.first(need);

  Decoded d;
  if (version == 2) {
    if (vrrpChecksum(msg, PseudoHeader::kNone, meta.src, meta.dst) != 0) {
      return DropReason::kChecksum;
    }
  } else if (vrrpChecksum(msg, PseudoHeader::kIp, meta.src, meta.dst) == 0) {
    d.checksum_form = ChecksumForm::kPseudoHeader;
  } else if (!v6 && vrrpChecksum(msg, PseudoHeader::kNone, meta.src, meta.dst) == 0) {
    // RFC 9568 form (Cisco, Juniper, keepalived with v3_checksum_as_v2): accepted too.
    d.checksum_form = ChecksumForm::kMessageOnly;
  } else {
    return DropReason::kChecksum;
  }

  Advert& a = d.advert;
  a.version = version;
  a.vrid = b[1];
  a.priority = b[2];
  if (version == 2) {
    a.auth_type = static_cast<AuthType>(b[4]);
    a.interval = b[5];
  } else {
    a.interval = static_cast<uint16_t>(((b[4] & 0x0f) << 8) | b[5]);  // reserved bits ignored
    if (count == 0)
      return DropReason::kNoAddresses;
    if (a.interval == 0)
      return DropReason::kZeroInterval;
  }
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = b.data() + kHeaderLen + i * alen;
    if (v6) {
      std::array<uint8_t, 16> raw{};
      std::copy(p, p + 16, raw.begin());
      a.addrs.push_back(IpAddress::v6(raw));
    } else {
      a.addrs.push_back(IpAddress::v4((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                      (uint32_t{p[2]} << 8) | p[3]));
    }
  }
  if (version == 2) {
    const uint8_t* auth = b.data() + kHeaderLen + count * alen;
    std::copy(auth, auth + kV2AuthLen, a.auth_data.begin());
  }
  d.trailing = b.size() - need;
  return d;
}

}  // namespace vipd::vrrp
