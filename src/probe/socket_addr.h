#pragma once
// Socket addresses and errno wording shared by the probes.

#include <sys/socket.h>

#include <string>

#include "base/ip_address.h"

namespace vipd::probe {

// Fills `out` for addr:port; an IPv6 link-local address takes its scope from `dev`.
socklen_t toSockaddr(const IpAddress& addr, int port, const std::string& dev,
                     sockaddr_storage& out);

// "connection refused", "host unreachable", ... (what a log line should say).
std::string describeErrno(int err);

}  // namespace vipd::probe
