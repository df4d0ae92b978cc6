#pragma once
// What the daemon asks the kernel for, built from config entries: addresses, routes and
// rules as rtnetlink requests (interface names resolved), and applying a set of them in a
// safe order. Used for each instance's virtual_* and for the global static_*.

#include <string>
#include <vector>

#include "conf/model.h"
#include "sys/linux/netlink.h"

namespace vipd::daemon {

struct KernelPlan {
  std::vector<sys::AddressRequest> addresses;
  std::vector<sys::RouteRequest> routes;
  std::vector<sys::RuleRequest> rules;
  bool operator==(const KernelPlan&) const = default;
};

// `who` prefixes log lines ("(VI_1)", "static").
sys::AddressRequest addressRequest(const conf::AddressEntry& e, int default_ifindex,
                                   sys::Netlink& nl);
std::vector<sys::RouteRequest> routeRequests(const std::vector<conf::RouteEntry>& entries,
                                             sys::Netlink& nl, const std::string& who);
std::vector<sys::RuleRequest> ruleRequests(const std::vector<conf::RouteEntry>& entries,
                                           const std::string& who);

// Adding: addresses, then routes (which may use them), then rules; removing: the reverse.
// EEXIST on add and "not there" on removal are not errors. Returns the number of failures.
int applyRoutes(sys::Netlink& nl, const KernelPlan& p, bool add, const std::string& who);
int applyPlan(sys::Netlink& nl, const KernelPlan& p, bool add, const std::string& who);

}  // namespace vipd::daemon
