#include "daemon/services.h"

#include <system_error>

#include "base/log.h"
#include "ctl/server.h"
#include "metrics/http_server.h"

namespace vipd::daemon {

Services::Services(io::Loop& vrrp_loop, VrrpRuntime& runtime, DaemonInfo info, Loader load)
    : vrrp_loop_(vrrp_loop), rt_(runtime), info_(std::move(info)), load_(std::move(load)) {}

Services::~Services() {
  if (thread_.joinable()) {
    loop_.post([this] { loop_.stop(); });
    thread_.join();
  }
}

void Services::start(const ServicesConfig& c) {
  if (c.control_socket) {
    try {
      ctl_ = std::make_unique<ctl::Server>(
          loop_, *c.control_socket, c.control_group,
          [this](const ctl::Request& r, ctl::Server::Reply reply) { handle(r, std::move(reply)); });
      log::info("control socket {}", *c.control_socket);
    } catch (const std::system_error& e) {
      log::error("no control socket: {}", e.what());
    }
  }
  if (c.metrics_listen) {
    try {
      http_ = std::make_unique<metrics::HttpServer>(
          loop_, *c.metrics_listen,
          [this](const std::string& path, metrics::HttpServer::Respond respond) {
            if (path == "/healthz") {
              respond({200, "text/plain", "ok\n"});
              return;
            }
            if (path != "/metrics" && path != "/status") {
              respond({404, "text/plain", "try /metrics or /status\n"});
              return;
            }
            snapshot([this, path, respond](Views v, DaemonInfo d) {
              if (path != "/metrics") {
                respond({200, "application/json", statusJson(v, d).dump() + "\n"});
                return;
              }
              std::string text = metricsText(v, d);
              if (!check_control_) {
                respond({200, "text/plain; version=0.0.4; charset=utf-8", text});
                return;
              }
              // The checkers' half comes from their own thread, then back here.
              check_control_({"metrics", std::nullopt, {}},
                             [this, respond, text](nlohmann::json j) mutable {
                               text += j.is_string() ? j.get<std::string>() : "";
                               loop_.post([respond, text] {
                                 respond({200, "text/plain; version=0.0.4; charset=utf-8", text});
                               });
                             });
            });
          });
      log::info("metrics on http://{}/metrics", *c.metrics_listen);
    } catch (const std::system_error& e) {
      log::error("no metrics endpoint: {}", e.what());
    }
  }
  if (ctl_ || http_)
    thread_ = std::thread([this] { loop_.run(); });
}

void Services::snapshot(std::function<void(Views, DaemonInfo)> then) {
  vrrp_loop_.post([this, then = std::move(then)]() mutable {
    auto views = rt_.view();
    DaemonInfo info = info_;
    info.notify = rt_.notifier().counters();
    info.conntrack = rt_.conntrack();
    loop_.post([then = std::move(then), views = std::move(views), info]() mutable {
      then(std::move(views), std::move(info));
    });
  });
}

void Services::handle(const ctl::Request& r, std::function<void(const nlohmann::json&)> reply) {
  if (r.cmd == "version") {
    reply(ctl::okResponse({{"version", info_.version}, {"protocol", ctl::kProtocolVersion}}));
    return;
  }
  if (r.cmd == "vs" || r.cmd == "rs" || (r.cmd == "explain" && !r.args.empty())) {
    if (!check_control_) {
      reply(ctl::errorResponse("this daemon runs no checkers"));
      return;
    }
    check_control_(r, [this, reply](nlohmann::json j) {
      loop_.post([reply, j = std::move(j)] { reply(j); });
    });
    return;
  }
  if (r.cmd == "reload") {
    std::vector<std::string> diags;
    bool unchanged = false;
    auto cfg = load_(diags, unchanged);
    if (unchanged) {
      vrrp_loop_.post([this, reply, diags] {
        log::info("Reload (vipctl): the configuration reads the same as the running one");
        const size_t kept = rt_.view().size();
        loop_.post([reply, kept, diags] {
          reply(ctl::okResponse({{"kept", kept},
                                 {"added", 0},
                                 {"removed", 0},
                                 {"changed", 0},
                                 {"updated_in_place", 0},
                                 {"unchanged", true},
                                 {"diagnostics", diags}}));
        });
      });
      return;
    }
    if (!cfg) {
      log::error("Reload (vipctl) refused; the running configuration stays");
      reply(ctl::errorResponse("configuration refused; the running one stays",
                               {{"diagnostics", diags}}));
      return;
    }
    auto shared = std::make_shared<conf::Config>(std::move(*cfg));
    vrrp_loop_.post([this, shared, reply, diags] {
      log::info("Reloading (vipctl)");
      if (on_reload_)
        on_reload_(*shared);
      rt_.reload(std::move(*shared));
      const auto s = rt_.lastReload();
      log::info("Reload finished");
      loop_.post([reply, s, diags] {
        reply(ctl::okResponse({{"kept", s.kept},
                               {"added", s.added},
                               {"removed", s.removed},
                               {"changed", s.changed},
                               {"updated_in_place", s.updated},
                               {"diagnostics", diags}}));
      });
    });
    return;
  }
  snapshot([r, reply](Views views, DaemonInfo info) {
    if (r.cmd == "status") {
      reply(ctl::okResponse(statusJson(views, info)));
      return;
    }
    for (const auto& v : views) {
      if (v.name != *r.instance)
        continue;
      reply(ctl::okResponse(r.cmd == "show" ? showJson(v) : explainJson(v)));
      return;
    }
    reply(ctl::errorResponse("no instance named '" + *r.instance + "'"));
  });
}

}  // namespace vipd::daemon
