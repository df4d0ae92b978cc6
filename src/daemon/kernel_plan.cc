#include "daemon/kernel_plan.h"

#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "core/route_spec.h"

namespace vipd::daemon {
namespace {

// The broadcast address keepalived computes for "brd +".
IpAddress broadcastOf(const IpPrefix& p) {
  const uint32_t host = p.len >= 32 ? 0 : (0xffffffffu >> p.len);
  return IpAddress::v4(p.addr.v4HostOrder() | host);
}

std::string describe(const IpPrefix& p) {
  return p.addr.str() + "/" + std::to_string(p.len);
}

}  // namespace

sys::AddressRequest addressRequest(const conf::AddressEntry& e, int default_ifindex,
                                   sys::Netlink& nl) {
  sys::AddressRequest r;
  r.ifindex = default_ifindex;
  if (e.dev) {
    auto l = nl.link(*e.dev);
    r.ifindex = l ? l->index : 0;
  }
  r.prefix = e.prefix;
  if (e.broadcast && e.prefix.addr.isV4()) {
    if (*e.broadcast == "+") {
      r.broadcast = broadcastOf(e.prefix);
    } else if (*e.broadcast != "-") {
      r.broadcast = IpAddress::parse(*e.broadcast);
    }
  }
  r.label = e.label;
  if (e.scope)
    r.scope = core::parseScope(*e.scope);
  r.nodad = true;
  return r;
}

std::vector<sys::RouteRequest> routeRequests(const std::vector<conf::RouteEntry>& entries,
                                             sys::Netlink& nl, const std::string& who) {
  std::vector<sys::RouteRequest> out;
  for (const auto& e : entries) {
    std::string error;
    auto spec = core::parseRouteSpec(e.words, error);
    if (!spec) {
      log::warning("{} route skipped: {}", who, error);
      continue;
    }
    sys::RouteRequest r;
    r.type = spec->type == core::RouteType::kBlackhole     ? RTN_BLACKHOLE
             : spec->type == core::RouteType::kUnreachable ? RTN_UNREACHABLE
             : spec->type == core::RouteType::kProhibit    ? RTN_PROHIBIT
                                                           : RTN_UNICAST;
    r.dst = spec->dst;
    r.via = spec->via;
    r.src = spec->src;
    if (spec->dev) {
      auto l = nl.link(*spec->dev);
      if (!l) {
        log::warning("{} route to {}: no interface {}", who, describe(r.dst), *spec->dev);
        continue;
      }
      r.oif = l->index;
    }
    if (spec->table)
      r.table = *spec->table;
    r.metric = spec->metric;
    r.scope = spec->scope;
    if (spec->protocol)
      r.protocol = *spec->protocol;
    r.onlink = spec->onlink;
    out.push_back(r);
  }
  return out;
}

std::vector<sys::RuleRequest> ruleRequests(const std::vector<conf::RouteEntry>& entries,
                                           const std::string& who) {
  std::vector<sys::RuleRequest> out;
  for (const auto& e : entries) {
    std::string error;
    auto spec = core::parseRuleSpec(e.words, error);
    if (!spec) {
      log::warning("{} rule skipped: {}", who, error);
      continue;
    }
    sys::RuleRequest r;
    r.family = spec->family;
    r.from = spec->from;
    r.to = spec->to;
    r.iif = spec->iif;
    r.oif = spec->oif;
    if (spec->table)
      r.table = *spec->table;
    r.priority = spec->priority;
    r.fwmark = spec->fwmark;
    out.push_back(r);
  }
  return out;
}

int applyRoutes(sys::Netlink& nl, const KernelPlan& p, bool add, const std::string& who) {
  int failures = 0;
  if (add) {
    for (const auto& r : p.routes) {
      if (int err = nl.addRoute(r); err != 0 && err != EEXIST) {
        ++failures;
        log::error("{} cannot add route {}: {}", who, describe(r.dst), std::strerror(err));
      }
    }
    for (const auto& r : p.rules) {
      if (int err = nl.addRule(r); err != 0 && err != EEXIST) {
        ++failures;
        log::error("{} cannot add rule to table {}: {}", who, r.table, std::strerror(err));
      }
    }
    return failures;
  }
  for (const auto& r : p.rules)
    nl.deleteRule(r);
  for (const auto& r : p.routes)
    nl.deleteRoute(r);
  return 0;
}

int applyPlan(sys::Netlink& nl, const KernelPlan& p, bool add, const std::string& who) {
  int failures = 0;
  if (!add)
    failures += applyRoutes(nl, p, false, who);
  for (const auto& a : p.addresses) {
    if (a.ifindex == 0)
      continue;
    int err = add ? nl.addAddress(a) : nl.deleteAddress(a);
    if (err == 0 || (add && err == EEXIST) || (!add && err == EADDRNOTAVAIL))
      continue;
    ++failures;
    log::error("{} cannot {} {}: {}", who, add ? "add" : "remove", describe(a.prefix),
               std::strerror(err));
  }
  if (add)
    failures += applyRoutes(nl, p, true, who);
  return failures;
}

}  // namespace vipd::daemon
