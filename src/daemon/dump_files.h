#pragma once
// keepalived's signal-triggered state files, which existing exporters and scripts read:
// SIGUSR1 -> keepalived.data, SIGUSR2 -> keepalived.stats, SIGRTMIN+2 -> keepalived.json,
// written to /tmp as keepalived does. Field names follow keepalived 2.2 so that parsers such
// as keepalived-exporter keep working.

#include <nlohmann/json.hpp>
#include <string>

#include "daemon/vrrp_runtime.h"

namespace vipd::daemon {

std::string formatData(const std::vector<VrrpRuntime::InstanceView>& v);
std::string formatStats(const std::vector<VrrpRuntime::InstanceView>& v);
std::string formatJson(const std::vector<VrrpRuntime::InstanceView>& v);
// The checkers' half, from the `vipctl vs` view (CheckRuntime): SIGUSR1 also writes
// keepalived_check.data (keepalived's checker process names it so, check_print.c) with
// keepalived's "VS VIP = ..." / "RIP = ..." lines; the JSON dump adds keepalived_check.json
// (keepalived has no checker JSON; its #2673 asks for one).
std::string formatCheckData(const nlohmann::json& vs_view);

// Writes atomically (a temporary file renamed over the target); false on failure.
bool writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace vipd::daemon
