#pragma once
// VrrpRuntime's per-instance and per-sync-group state, shared by the files that implement
// it: vrrp_runtime.cc (lifecycle, events, transitions, sync groups),
// vrrp_runtime_tracking.cc (trackers and faults), vrrp_runtime_wire.cc (adverts out and
// in), vrrp_runtime_addresses.cc (VIPs, routes, GARPs, interfaces, connection sync).
// Private to them: nothing else includes it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/vrrp_runtime.h"

namespace vipd::daemon {

struct VrrpRuntime::Instance {
  conf::VrrpInstance conf;
  core::InstancePlan plan;
  std::unique_ptr<vrrp::VirtualRouter> vr;
  Family family = Family::kInet;
  std::string ifname;
  int ifindex = 0;
  sys::Mac mac{};
  bool link_up = false;
  std::optional<IpAddress> primary;  // our source address
  // use_vmac: the macvlan with the virtual router MAC that carries the VIPs and sends the
  // adverts and GARPs (unless vmac_xmit_base).
  std::string vmac_name;
  int vmac_ifindex = 0;
  bool unicast = false;
  IpAddress group;
  bool ah = false;
  vrrp::AhKey ah_key{};
  uint32_t ah_seq = 0;
  uint16_t ip_id = 0;
  std::unique_ptr<vrrp::AhReplayGuard> replay;
  std::vector<sys::AddressRequest> addresses;  // virtual_ipaddress + _excluded, resolved
  bool no_accept = false;  // Accept_Mode False and not the owner: VIP traffic is dropped
  std::vector<sys::RouteRequest> routes;  // virtual_routes, resolved
  std::vector<sys::RuleRequest> rules;    // virtual_rules
  bool holding = false;
  // conntrack_sync: master, the VIPs waiting for the commit; the GARPs asked for meanwhile.
  bool awaiting_commit = false;
  int deferred_garps = 0;
  bool fault = false;  // what the engine was last told
  std::string fault_why;
  bool iface_fault = false, track_fault = false, socket_fault = false;
  std::string iface_why, track_why, socket_why;
  std::vector<Tracked> tracked;
  bool started = false;  // Startup is held until every fault-only tracker has a result
  std::vector<TransitionRecord> history;  // last 16; grows only when transitions happen
  Group* sync = nullptr;                  // the vrrp_sync_group this instance belongs to
  size_t sync_index = 0;
  std::optional<vrrp::Time> deadline;
  InstanceCounters counters;
  struct EncodedAdvert {
    std::vector<uint8_t> bytes;  // IPv4: header room + message; IPv6: the message
    int priority = -1;           // -1: nothing reusable
    IpAddress src, dst;
  } advert;
};

struct VrrpRuntime::Group {
  conf::SyncGroup conf;
  std::vector<Instance*> members;
  std::unique_ptr<vrrp::SyncGroup> engine;
  std::string state;  // last state notified: MASTER, BACKUP, FAULT
};

// "192.0.2.1/24", for the log.
inline std::string describe(const sys::AddressRequest& r) {
  return r.prefix.addr.str() + "/" + std::to_string(r.prefix.len);
}

}  // namespace vipd::daemon
