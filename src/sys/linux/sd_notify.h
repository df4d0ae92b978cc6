#pragma once
// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram to
// $NOTIFY_SOCKET. A no-op when not started by systemd.
#include <string>

namespace vipd::sys {
void sdNotify(const std::string& state);  // "READY=1", "RELOADING=1", "STOPPING=1", ...
}
