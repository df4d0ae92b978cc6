#include "core/route_spec.h"

#include <linux/rtnetlink.h>

#include "base/text.h"

namespace vipd::core {
namespace {

std::optional<uint32_t> number(const std::string& w) {
  auto v = parseInt(w, true);
  if (!v || *v < 0 || *v > 0xffffffffLL)
    return std::nullopt;
  return static_cast<uint32_t>(*v);
}

}  // namespace

std::optional<uint8_t> parseScope(const std::string& w) {
  if (w == "host")
    return RT_SCOPE_HOST;
  if (w == "link")
    return RT_SCOPE_LINK;
  if (w == "global" || w == "universe")
    return RT_SCOPE_UNIVERSE;
  if (w == "site")
    return RT_SCOPE_SITE;
  if (w == "nowhere")
    return RT_SCOPE_NOWHERE;
  auto n = number(w);
  return n && *n < 256 ? std::optional<uint8_t>(static_cast<uint8_t>(*n)) : std::nullopt;
}

namespace {

std::optional<uint32_t> tableOf(const std::string& w) {
  if (w == "main")
    return RT_TABLE_MAIN;
  if (w == "local")
    return RT_TABLE_LOCAL;
  if (w == "default")
    return RT_TABLE_DEFAULT;
  return number(w);
}

std::optional<IpPrefix> prefixOf(const std::string& w, Family hint) {
  if (w == "default" || w == "all") {
    return IpPrefix{*IpAddress::parse(hint == Family::kInet ? "0.0.0.0" : "::"), 0};
  }
  return IpPrefix::parse(w);
}

}  // namespace

std::optional<RouteSpec> parseRouteSpec(const std::vector<std::string>& words, std::string& error) {
  RouteSpec r;
  size_t i = 0;
  if (i < words.size()) {
    if (words[i] == "blackhole")
      r.type = RouteType::kBlackhole, ++i;
    else if (words[i] == "unreachable")
      r.type = RouteType::kUnreachable, ++i;
    else if (words[i] == "prohibit")
      r.type = RouteType::kProhibit, ++i;
  }
  if (i >= words.size()) {
    error = "no destination";
    return std::nullopt;
  }
  // The family of "default" comes from a gateway or source further on, if any.
  Family fam = Family::kInet;
  for (const auto& w : words) {
    if (auto a = IpAddress::parse(w); a && a->isV6())
      fam = Family::kInet6;
  }
  auto dst = prefixOf(words[i++], fam);
  if (!dst) {
    error = "'" + words[i - 1] + "' is not a destination";
    return std::nullopt;
  }
  r.dst = *dst;
  while (i < words.size()) {
    const std::string& k = words[i++];
    if (k == "onlink") {
      r.onlink = true;
      continue;
    }
    if (i >= words.size()) {
      error = "'" + k + "' needs a value";
      return std::nullopt;
    }
    const std::string& v = words[i++];
    bool ok = true;
    if (k == "via" || k == "gw") {
      r.via = IpAddress::parse(v);
      ok = r.via.has_value();
    } else if (k == "src") {
      r.src = IpAddress::parse(v);
      ok = r.src.has_value();
    } else if (k == "dev" || k == "oif") {
      r.dev = v;
    } else if (k == "table") {
      r.table = tableOf(v);
      ok = r.table.has_value();
    } else if (k == "metric" || k == "preference" || k == "priority") {
      r.metric = number(v);
      ok = r.metric.has_value();
    } else if (k == "scope") {
      r.scope = parseScope(v);
      ok = r.scope.has_value();
    } else if (k == "proto" || k == "protocol") {
      auto n = number(v);
      if (v == "kernel")
        n = RTPROT_KERNEL;
      if (v == "boot")
        n = RTPROT_BOOT;
      if (v == "static")
        n = RTPROT_STATIC;
      ok = n && *n < 256;
      if (ok)
        r.protocol = static_cast<uint8_t>(*n);
    } else {
      error = "'" + k + "' is not supported in virtual_routes yet";
      return std::nullopt;
    }
    if (!ok) {
      error = "'" + v + "' is not a valid " + k;
      return std::nullopt;
    }
  }
  return r;
}

std::optional<RuleSpec> parseRuleSpec(const std::vector<std::string>& words, std::string& error) {
  RuleSpec r;
  for (const auto& w : words) {
    if (auto a = IpPrefix::parse(w); a && a->addr.isV6())
      r.family = Family::kInet6;
  }
  for (size_t i = 0; i < words.size();) {
    const std::string& k = words[i++];
    if (i >= words.size()) {
      error = "'" + k + "' needs a value";
      return std::nullopt;
    }
    const std::string& v = words[i++];
    bool ok = true;
    if (k == "from") {
      r.from = prefixOf(v, r.family);
      ok = r.from.has_value();
    } else if (k == "to") {
      r.to = prefixOf(v, r.family);
      ok = r.to.has_value();
    } else if (k == "iif" || k == "dev") {
      r.iif = v;
    } else if (k == "oif") {
      r.oif = v;
    } else if (k == "table" || k == "lookup") {
      r.table = tableOf(v);
      ok = r.table.has_value();
    } else if (k == "priority" || k == "preference" || k == "pref") {
      r.priority = number(v);
      ok = r.priority.has_value();
    } else if (k == "fwmark") {
      r.fwmark = number(v);
      ok = r.fwmark.has_value();
    } else {
      error = "'" + k + "' is not supported in virtual_rules yet";
      return std::nullopt;
    }
    if (!ok) {
      error = "'" + v + "' is not a valid " + k;
      return std::nullopt;
    }
  }
  return r;
}

}  // namespace vipd::core
