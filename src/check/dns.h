#pragma once
// DNS_CHECK, the pure parts (keepalived's check_dns.c): one query with Recursion Desired for
// `name` (default the root) and `type` (default SOA), and the reply's verdict: it passes when
// a response with the query's id has RCODE 0 (NOERROR), whatever its answers.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::check {

// The query's wire bytes; nullopt when `name` is not a valid domain name (labels of 1-63
// bytes, 255 in all) or `type` unknown.
std::optional<std::vector<uint8_t>> dnsQuery(uint16_t id, std::string_view name,
                                             std::string_view type);

enum class DnsReply { kNotOurs, kOk, kFailed };
// kNotOurs: too short, another id, or not a response (keepalived keeps waiting for the
// right one). kFailed: `reason` says which RCODE.
DnsReply judgeDnsReply(std::span<const uint8_t> reply, uint16_t id, std::string& reason);

}  // namespace vipd::check
