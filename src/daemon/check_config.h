#pragma once
// `vipd -t` and `vipd --dump-conf`: load, report, and print back.

#include <iosfwd>
#include <string>

#include "base/diag.h"
#include "conf/preprocess.h"
#include "daemon/options.h"

namespace vipd::daemon {

// keepalived's config-test exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitCannotRead = 4,
  kExitConfigErrors = 5,
  kExitScriptSecurity = 6
};

}  // namespace vipd::daemon
namespace vipd::conf {
struct Config;
}
namespace vipd::daemon {

// Whether the load balancer will be IPVS: lb_backend ipvs, or auto on a kernel with IPVS.
bool usesIpvs(const std::string& backend);

// What `vipd -t` and a (re)load say about virtual servers beyond the keyword tables: what
// the nftables data plane cannot do as written (not with IPVS), checkers vipd cannot run,
// regexes that do not compile, payloads that are not hex; and a conntrack_sync whose
// program or config file is not there.
void checkVirtualServers(const conf::Config& cfg, Diagnostics& d);

// The preprocessor's options from the command line (-i, -e).
conf::PreprocessOptions preprocessOptions(const Options& opts);

int runConfigCheck(const Options& opts, std::ostream& out, std::ostream& err);

}  // namespace vipd::daemon
