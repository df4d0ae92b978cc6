#pragma once
// The services loop (DESIGN.md "two event loops on two threads"): the control socket and
// the metrics endpoint run on their own thread, so a slow client or a large status never
// delays an advert. They never touch VRRP state: each request posts a snapshot job to the
// VRRP loop, which posts the copy back; rendering (JSON, Prometheus text) happens here.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "conf/config.h"
#include "ctl/protocol.h"
#include "daemon/state_json.h"
#include "daemon/vrrp_runtime.h"
#include "io/loop.h"

namespace vipd::ctl {
class Server;
}
namespace vipd::metrics {
class HttpServer;
}

namespace vipd::daemon {

struct ServicesConfig {
  std::optional<std::string> control_socket;  // nullopt: no control socket
  std::optional<gid_t> control_group;
  std::optional<std::string> metrics_listen;  // nullopt: no metrics endpoint
};

class Services {
 public:
  // `load` parses and validates the configuration (on the services thread) for
  // `vipctl reload`; it returns nullopt with the diagnostics when the file is refused.
  // The configuration for a reload: nullopt when refused (the reasons in `diags`) or when
  // `unchanged` (the files read as the running configuration's: nothing to apply).
  using Loader =
      std::function<std::optional<conf::Config>(std::vector<std::string>& diags, bool& unchanged)>;
  Services(io::Loop& vrrp_loop, VrrpRuntime& runtime, DaemonInfo info, Loader load);
  ~Services();  // stops the thread
  // Opens the listeners (errors are logged; the daemon runs without them) and starts the
  // thread.
  void start(const ServicesConfig& c);
  // Called on the VRRP loop with each configuration `vipctl reload` accepts, before the
  // VRRP runtime takes it (the checkers reload from here). Set before start().
  void onReload(std::function<void(conf::Config&)> f) { on_reload_ = std::move(f); }
  // The load-balancing half's commands ("vs", "rs"), answered by the checkers; `done` may
  // be called on any thread.
  using CheckControl =
      std::function<void(const ctl::Request&, std::function<void(nlohmann::json)> done)>;
  void onCheckControl(CheckControl f) { check_control_ = std::move(f); }

 private:
  void snapshot(std::function<void(Views, DaemonInfo)> then);
  void handle(const ctl::Request& r, std::function<void(const nlohmann::json&)> reply);
  io::Loop& vrrp_loop_;
  VrrpRuntime& rt_;
  DaemonInfo info_;
  Loader load_;
  std::function<void(conf::Config&)> on_reload_;
  CheckControl check_control_;
  io::Loop loop_;
  std::unique_ptr<ctl::Server> ctl_;
  std::unique_ptr<metrics::HttpServer> http_;
  std::thread thread_;
};

}  // namespace vipd::daemon
