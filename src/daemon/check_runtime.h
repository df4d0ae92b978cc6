#pragma once
// The checker loop (docs/design/checkers.md): a thread of its own with its own epoll loop,
// so that no health check, TLS handshake or MISC_CHECK script ever delays an advert on the
// VRRP loop or a reply on the services loop. It runs every checker of every real server
// (src/probe for the network ones, scripts and files here), feeds the results to the pure
// health engine (src/check/health.h), and acts on what changes: one log line per
// transition with its reason, notify_up/notify_down, quorum_up/quorum_down, the LVS FIFO.
// Each change of a virtual server's pool goes to the load balancer (lb_runtime.h) on this
// same thread.

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "check/health.h"
#include "check/plan.h"
#include "conf/model.h"
#include "ctl/protocol.h"
#include "daemon/ha_suspend.h"
#include "daemon/ipvs_runtime.h"
#include "daemon/lb_runtime.h"
#include "daemon/script_runner.h"
#include "io/loop.h"
#include "io/timer_set.h"
#include "probe/attempt.h"
#include "sys/linux/file_watch.h"

namespace vipd::daemon {

using Micros = std::chrono::microseconds;

struct CheckCounters {
  uint64_t attempts = 0, failures = 0, transitions = 0, scripts_run = 0;
  uint64_t not_run = 0;  // attempts this host could not make (no descriptor or process left)
};

// The data plane for `lb_backend` (auto: IPVS when the kernel has it), logged.
std::unique_ptr<LoadBalancer> makeLoadBalancer(const std::string& backend);

class CheckRuntime {
 public:
  CheckRuntime();
  ~CheckRuntime();  // stops the thread; running MISC_CHECK scripts are killed
  CheckRuntime(const CheckRuntime&) = delete;
  CheckRuntime& operator=(const CheckRuntime&) = delete;

  // SMTP alerts (smtp_alert) are handed to this, from the checker thread; set before start.
  using Alert = std::function<void(std::string subject, std::string body)>;
  void onAlert(Alert a) { alert_ = std::move(a); }
  // From the main thread: starts the loop with this configuration's virtual servers (no
  // thread at all when there are none). Both take the virtual servers out of `cfg` (the
  // VRRP side, which gets `cfg` next, never reads them: one copy of 1,000 x 10 real servers
  // in memory, not two) and copy the rest.
  void start(conf::Config& cfg);
  // A new configuration: checkers whose virtual server, real server, position and keywords
  // are unchanged keep their verdict, counters, dynamic weight and schedule (a server that
  // is down stays down, keepalived #1720); the others start as at startup.
  void reload(conf::Config& cfg);
  // A control-socket command of the load-balancing half ("vs", "rs", "explain VS RS"), from
  // any thread:
  // answered through `done` on the checker thread (at once, with an empty view, when no
  // virtual server is configured).
  void control(const ctl::Request& r, std::function<void(nlohmann::json)> done);

 private:
  struct Slot {
    check::CheckId id;
    const check::CheckSpec* spec = nullptr;
    std::unique_ptr<probe::Prepared> prep;
    std::unique_ptr<probe::Attempt> attempt;
    bool running = false;
    pid_t script = -1;
    io::TimerSet::Id timer = 0;
    Micros due{0};        // when the next attempt is due (kept across a reload)
    Micros started{0};    // of the attempt running or last run
    Micros since{0};      // of the checker's last verdict change (or its start)
    double last_ms = -1;  // how long the last attempt took
    std::string last_reason;
    int64_t file_value = 0;
    bool starved = false;  // the last attempt could not be made (no descriptor left)
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  };
  void apply(std::shared_ptr<const conf::Config> cfg);  // on the loop
  void clear();
  void schedule(Slot& s, Micros at);
  void logStats();
  void run(Slot& s);
  void runMisc(Slot& s);
  void readFile(Slot& s);
  void onFileEvents();
  void finish(Slot& s, const check::Result& r);
  // The attempt could not be made for want of this host's resources: no verdict, the next
  // attempt a delay_loop later.
  void notRun(Slot& s, const std::string& why);
  void act(const std::vector<check::Change>& changes, const Slot& s, const check::Result& r);
  void notify(const std::optional<conf::ScriptCommand>& script, const std::string& what);
  lb::ServiceHealth lbHealth(size_t vs) const;
  void applyHaSuspend();
  // vipctl's view and commands (check_control.cc).
  nlohmann::json virtualServersView() const;
  nlohmann::json realServerCommand(const ctl::Request& r);
  nlohmann::json explainRealServer(const std::string& vs, const std::string& rs) const;
  std::string findRealServer(const std::string& vs_name, const std::string& rs_name, size_t& vs,
                             size_t& rs) const;
  std::string operatorKey(size_t vs, size_t rs) const;
  std::string metricsText() const;
  void loadRuntimeState();
  void saveRuntimeState() const;
  void omegaAtStop();
  void fifoLine(const std::string& line);
  void openFifo();

  io::Loop loop_;
  io::TimerSet timers_{loop_};
  ScriptRunner runner_{loop_};
  std::optional<pid_t> fifo_script_;  // lvs_notify_fifo_script, stopped at exit
  SSL_CTX* tls_ = nullptr;
  std::optional<conf::SslContext> tls_conf_;  // what tls_ was made from
  probe::Env env_{loop_, timers_, nullptr};
  std::mt19937_64 rng_{std::random_device{}()};
  std::shared_ptr<const conf::Config> cfg_;
  check::Plan plan_;
  std::unique_ptr<check::Health> health_;
  std::unique_ptr<LoadBalancer> lb_;
  std::unique_ptr<HaSuspend> suspend_;
  // Set by vipctl at run time, by "VS key|RS key": kept across reloads while both exist.
  std::set<std::string> drained_;
  // For /metrics: attempt durations (histogram) and failures by class, by checker type.
  static constexpr std::array<double, 13> kDurationBuckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  struct CheckStats {
    std::array<uint64_t, kDurationBuckets.size() + 1> buckets{};  // per bucket, last +Inf
    double sum_s = 0;
    uint64_t count = 0;
    std::map<std::string, uint64_t> failures;  // by check::failureClass
  };
  std::map<std::string, CheckStats> check_stats_;
  // Real server transitions (UP or DOWN), by operatorKey, for `vipctl vs`.
  std::map<std::string, uint64_t> flaps_;
  // slowstart: real servers whose weight is ramping up since they came back, by
  // operatorKey; one timer rewrites their pools as the weight grows (check_ramp.cc).
  struct Ramp {
    size_t vs = 0, rs = 0;
    Micros since{0};
  };
  std::map<std::string, Ramp> ramps_;
  io::TimerSet::Id ramp_timer_ = 0;
  void startRamp(size_t vs, size_t rs);
  void rampTick();
  int64_t rampedWeight(const std::string& key, int64_t weight, Micros slowstart, Micros now) const;
  std::map<std::string, int64_t> weight_set_;
  bool state_loaded_ = false;  // runtime_state_file read (once, at the first configuration)
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::unique_ptr<probe::Attempt>> finished_;  // destroyed on the next round
  std::unique_ptr<sys::FileWatch> files_;
  int fifo_fd_ = -1;
  std::string fifo_path_;
  CheckCounters counters_;
  // How late attempts start against their schedule (a ring of the last samples), logged on
  // stop: the benchmark's lateness figures.
  std::vector<int64_t> lateness_us_;
  size_t lateness_next_ = 0;
  Alert alert_;
  std::thread thread_;
  std::atomic<bool> started_{false};
};

}  // namespace vipd::daemon
