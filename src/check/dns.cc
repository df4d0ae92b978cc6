#include "check/dns.h"

#include <fmt/format.h>

namespace vipd::check {

namespace {

std::optional<uint16_t> typeCode(std::string_view t) {
  struct T {
    std::string_view name;
    uint16_t code;
  };
  static constexpr T kTypes[] = {{"A", 1},   {"NS", 2},   {"CNAME", 5}, {"SOA", 6},
                                 {"MX", 15}, {"TXT", 16}, {"AAAA", 28}};
  for (const auto& x : kTypes) {
    if (x.name == t)
      return x.code;
  }
  return std::nullopt;
}

void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v & 0xff));
}

const char* rcodeName(int rc) {
  switch (rc) {
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 3:
      return "NXDOMAIN";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
    default:
      return "error";
  }
}

}  // namespace

std::optional<std::vector<uint8_t>> dnsQuery(uint16_t id, std::string_view name,
                                             std::string_view type) {
  auto code = typeCode(type.empty() ? "SOA" : type);
  if (!code || name.size() > 253)
    return std::nullopt;
  std::vector<uint8_t> b;
  put16(b, id);
  put16(b, 0x0100);  // RD (RFC 1035 4.1.1)
  put16(b, 1);       // QDCOUNT
  put16(b, 0);
  put16(b, 0);
  put16(b, 0);
  // QNAME: labels; "" and "." are the root.
  size_t pos = 0;
  while (pos < name.size()) {
    auto dot = name.find('.', pos);
    if (dot == std::string_view::npos)
      dot = name.size();
    const size_t len = dot - pos;
    if (len == 0 || len > 63)
      return std::nullopt;
    b.push_back(static_cast<uint8_t>(len));
    b.insert(b.end(), name.begin() + static_cast<ptrdiff_t>(pos),
             name.begin() + static_cast<ptrdiff_t>(dot));
    pos = dot + 1;
  }
  b.push_back(0);
  put16(b, *code);
  put16(b, 1);  // QCLASS IN
  return b;
}

DnsReply judgeDnsReply(std::span<const uint8_t> r, uint16_t id, std::string& reason) {
  if (r.size() < 12)
    return DnsReply::kNotOurs;
  const uint16_t rid = static_cast<uint16_t>(r[0] << 8 | r[1]);
  const uint16_t flags = static_cast<uint16_t>(r[2] << 8 | r[3]);
  if (rid != id || !(flags & 0x8000))
    return DnsReply::kNotOurs;
  const int rcode = flags & 0x0f;
  if (rcode != 0) {
    reason = fmt::format("DNS reply rcode {} ({})", rcode, rcodeName(rcode));
    return DnsReply::kFailed;
  }
  return DnsReply::kOk;
}

}  // namespace vipd::check
