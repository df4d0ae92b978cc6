#pragma once
// `vipd` without -t/-d: load the config, become a daemon (unless -n), run the VRRP loop until
// SIGTERM/SIGINT, reload on SIGHUP, write keepalived's state files on SIGUSR1/SIGUSR2/
// SIGRTMIN+2, and leave nothing behind on exit.

#include "daemon/options.h"

namespace vipd::daemon {

int runDaemon(const Options& opts);

}  // namespace vipd::daemon
