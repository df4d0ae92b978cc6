#pragma once
// The daemon's state as the control protocol's JSON (docs/design/control-protocol.md) and
// as Prometheus metrics. Pure functions of a snapshot taken on the VRRP loop, so the
// services thread can render them without touching live state.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/notifier.h"
#include "daemon/vrrp_runtime.h"

namespace vipd::daemon {

struct DaemonInfo {
  int pid = 0;
  std::string version, config_file;
  int64_t started_wall_ms = 0;
  NotifyCounters notify;
  std::optional<ConntrackCounters> conntrack;  // with conntrack_sync
};

using Views = std::vector<VrrpRuntime::InstanceView>;

nlohmann::json statusJson(const Views& v, const DaemonInfo& d);
nlohmann::json showJson(const VrrpRuntime::InstanceView& v);
// Why the instance is in its state, from the same snapshot: the priorities compared, the
// tie-break, preemption, the running timer, faults.
nlohmann::json explainJson(const VrrpRuntime::InstanceView& v);
std::string metricsText(const Views& v, const DaemonInfo& d);

}  // namespace vipd::daemon
