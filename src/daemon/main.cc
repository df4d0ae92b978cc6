// vipd: the VRRP and load-balancing daemon. main() only dispatches; everything else lives in
// the libraries so tests exercise the same code.
#include <iostream>
#include <string>
#include <vector>

#include "daemon/check_config.h"
#include "daemon/options.h"
#include "daemon/run_daemon.h"

#ifndef VIPD_VERSION
#define VIPD_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace vipd::daemon;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parseOptions(args);
  if (parsed.error) {
    std::cerr << "vipd: " << *parsed.error << "\n" << usage();
    return 2;
  }
  const Options& o = parsed.options;
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  if (o.version) {
    std::cout << "vipd " << VIPD_VERSION << "\n";
    return 0;
  }
  if (o.signum) {
    auto n = signalNumberFor(*o.signum);
    if (!n) {
      std::cerr << "vipd: unknown signal name '" << *o.signum << "'\n";
      return 2;
    }
    std::cout << *n << "\n";
    return 0;
  }
  if (o.config_test || o.dump_conf)
    return runConfigCheck(o, std::cout, std::cerr);
  return runDaemon(o);
}
