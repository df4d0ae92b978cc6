#pragma once
// keepalived's signal-triggered state files, which existing exporters and scripts read:
// SIGUSR1 -> keepalived.data, SIGUSR2 -> keepalived.stats, SIGRTMIN+2 -> keepalived.json,
// written to /tmp as keepalived does. Field names follow keepalived 2.2 so that parsers such
// as keepalived-exporter keep working.

#include <string>

#include "daemon/vrrp_runtime.h"

namespace vipd::daemon {

std::string formatData(const std::vector<VrrpRuntime::InstanceView>& v);
std::string formatStats(const std::vector<VrrpRuntime::InstanceView>& v);
std::string formatJson(const std::vector<VrrpRuntime::InstanceView>& v);

// Writes atomically (a temporary file renamed over the target); false on failure.
bool writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace vipd::daemon
