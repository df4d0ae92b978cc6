#pragma once
// virtual_routes / virtual_rules entries, typed from the `ip route` / `ip rule` words the
// config keeps (conf::RouteEntry). Pure; the runtime resolves interface names and programs
// them through rtnetlink when the instance becomes master, and removes them otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace vipd::core {

enum class RouteType : uint8_t { kUnicast, kBlackhole, kUnreachable, kProhibit };

struct RouteSpec {
  RouteType type = RouteType::kUnicast;
  IpPrefix dst;
  std::optional<IpAddress> via, src;
  std::optional<std::string> dev;
  std::optional<uint32_t> table, metric;
  std::optional<uint8_t> scope, protocol;
  bool onlink = false;
  bool operator==(const RouteSpec&) const = default;
};

struct RuleSpec {
  Family family = Family::kInet;
  std::optional<IpPrefix> from, to;
  std::optional<std::string> iif, oif;
  std::optional<uint32_t> table, priority, fwmark;
  bool operator==(const RuleSpec&) const = default;
};

// An `ip` scope: host, link, site, global/universe, nowhere, or a number 0..255.
std::optional<uint8_t> parseScope(const std::string& word);

// nullopt and `error` set when the words use something vipd does not program yet.
std::optional<RouteSpec> parseRouteSpec(const std::vector<std::string>& words, std::string& error);
std::optional<RuleSpec> parseRuleSpec(const std::vector<std::string>& words, std::string& error);

}  // namespace vipd::core
