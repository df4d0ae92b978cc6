// vipd: the VRRP and load-balancing daemon. main() only dispatches; everything else lives in
// the libraries so tests exercise the same code.
#include <malloc.h>
#include <unistd.h>

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
  // One malloc arena: the services thread allocates little, and a second arena would only
  // add resident memory.
  ::mallopt(M_ARENA_MAX, 1);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parseOptions(args);
  if (parsed.error) {
    std::cerr << "vipd: " << *parsed.error << "\n" << usage();
    return 2;
  }
  Options o = parsed.options;
  // A drop-in replacement: without -f, and without /etc/vipd/vipd.conf, read keepalived's.
  if (!o.config_file_given && ::access(o.config_file.c_str(), F_OK) != 0 &&
      ::access("/etc/keepalived/keepalived.conf", F_OK) == 0) {
    o.config_file = "/etc/keepalived/keepalived.conf";
  }
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
