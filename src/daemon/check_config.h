#pragma once
// `vipd -t` and `vipd --dump-conf`: load, report, and print back.

#include <iosfwd>

#include "daemon/options.h"

namespace vipd::daemon {

// keepalived's config-test exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitCannotRead = 4,
  kExitConfigErrors = 5,
  kExitScriptSecurity = 6
};

int runConfigCheck(const Options& opts, std::ostream& out, std::ostream& err);

}  // namespace vipd::daemon
