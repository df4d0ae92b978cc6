#include "daemon/conntrack_sync.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "daemon/script_runner.h"

namespace vipd::daemon {
namespace {

// A request other than the commit that takes longer is killed: conntrackd answers them from
// its caches, in milliseconds.
constexpr io::Micros kRequestTimeout = std::chrono::seconds(10);
constexpr io::Micros kRestartDelay = std::chrono::seconds(1);
constexpr io::Micros kMaxDelay = std::chrono::seconds(30);

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

std::optional<std::string> lockFileOf(std::istream& conf) {
  std::string line;
  while (std::getline(conf, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (words >> key >> value && key == "LockFile")
      return value;
  }
  return std::nullopt;
}

std::vector<std::vector<std::string>> conntrackdRequests(const conf::ConntrackSync& c,
                                                         SyncRole role) {
  auto req = [&](const char* flag) {
    return std::vector<std::string>{c.program, "-C", c.config, flag};
  };
  switch (role) {
    case SyncRole::kMaster:
      return {req("-c"), req("-f"), req("-R"), req("-B")};
    case SyncRole::kBackup:
      return {req("-t"), req("-n")};
    case SyncRole::kFault:
      return {req("-t")};
  }
  return {};
}

ConntrackSync::ConntrackSync(io::Loop& loop, ScriptRunner& runner, conf::ConntrackSync conf)
    : loop_(loop), runner_(runner), conf_(std::move(conf)) {
  restart_timer_ = loop_.addTimer([this] { runDaemon(); });
}

ConntrackSync::~ConntrackSync() {
  stop();
  loop_.removeTimer(restart_timer_);
}

ConntrackCounters ConntrackSync::counters() const {
  ConntrackCounters c = counters_;
  c.daemon_running = daemon_.has_value();
  c.instance = conf_.instance;
  c.role = !last_                        ? ""
           : *last_ == SyncRole::kMaster ? "MASTER"
           : *last_ == SyncRole::kBackup ? "BACKUP"
                                         : "FAULT";
  return c;
}

void ConntrackSync::start() {
  log::info(
      "conntrack_sync: running {} -C {} for vrrp_instance {} (VIPs wait up to {} ms for "
      "its commit)",
      conf_.program, conf_.config, conf_.instance,
      std::chrono::duration_cast<std::chrono::milliseconds>(conf_.timeout).count());
  runDaemon();
}

void ConntrackSync::runDaemon() {
  if (stopping_ || daemon_)
    return;
  sys::SpawnRequest req;
  req.argv = {conf_.program, "-C", conf_.config};
  std::string error;
  const auto started = io::monotonicNow();
  const time_t started_wall = ::time(nullptr);
  daemon_ = runner_.run(
      req, std::nullopt,
      [this, started, started_wall](const ScriptExit& e) {
        daemon_.reset();
        if (stopping_)
          return;
        if (restarting_) {
          restarting_ = false;
          runDaemon();
          return;
        }
        const auto ran =
            std::chrono::duration_cast<std::chrono::milliseconds>(io::monotonicNow() - started)
                .count();
        // One that dies at once (not installed, a bad config) is tried again less and less
        // often, up to every 30 s, so the log says it without flooding.
        restart_delay_ = ran >= 5000 ? kRestartDelay : std::min(restart_delay_ * 2, kMaxDelay);
        log::error("conntrack_sync: conntrackd {} after {} ms; starting it again in {} s",
                   e.describe(), ran,
                   std::chrono::duration_cast<std::chrono::seconds>(restart_delay_).count());
        // Killed, conntrackd leaves its lock file and would refuse to start again. Only a
        // lock written since our child started is its own: an older one belongs to another
        // conntrackd (the package's service), which must keep it.
        std::ifstream in(conf_.config);
        struct stat st {};
        if (auto lock = lockFileOf(in); lock && ::stat(lock->c_str(), &st) == 0 &&
                                        st.st_mtime >= started_wall && ::unlink(lock->c_str()) == 0)
          log::warning("conntrack_sync: removed the lock file {} it left", *lock);
        loop_.armTimer(restart_timer_, io::monotonicNow() + restart_delay_);
      },
      error);
  if (!daemon_) {
    log::error("conntrack_sync: cannot start {}: {}; trying again in 1 s", conf_.program, error);
    loop_.armTimer(restart_timer_, io::monotonicNow() + kRestartDelay);
    return;
  }
  ++counters_.daemon_starts;
}

void ConntrackSync::reconfigure(const std::optional<conf::ConntrackSync>& next) {
  if (!next) {
    if (!stopping_)
      log::info("conntrack_sync: removed by reload; stopping conntrackd");
    stop();
    return;
  }
  const bool restart = next->config != conf_.config || next->program != conf_.program;
  conf_ = *next;
  if (stopping_) {
    stopping_ = false;
    start();
  } else if (restart && daemon_) {
    log::info("conntrack_sync: restarting conntrackd with {} -C {}", conf_.program, conf_.config);
    restarting_ = true;
    runner_.signal(*daemon_, SIGTERM);
  }
}

void ConntrackSync::stop() {
  if (stopping_)
    return;
  stopping_ = true;
  loop_.armTimer(restart_timer_, std::nullopt);
  if (daemon_)
    runner_.signal(*daemon_, SIGTERM);
}

void ConntrackSync::commit(std::function<void()> ready) {
  waiting_.push_back(std::move(ready));
  if (committing_)
    return;
  committing_ = true;
  last_ = SyncRole::kMaster;
  queue_.clear();  // a previous role's requests no longer apply
  auto reqs = conntrackdRequests(conf_, SyncRole::kMaster);
  sys::SpawnRequest req;
  req.argv = reqs.front();
  queue_.assign(reqs.begin() + 1, reqs.end());
  commit_started_ = io::monotonicNow();
  std::string error;
  auto pid = runner_.run(
      req, conf_.timeout,
      [this](const ScriptExit& e) {
        onCommitDone(e.ok(), e.timed_out ? "did not finish in time" : e.describe());
      },
      error);
  if (!pid)
    onCommitDone(false, "could not start: " + error);
}

void ConntrackSync::onCommitDone(bool ok, const std::string& why) {
  const auto ms = static_cast<double>((io::monotonicNow() - commit_started_).count()) / 1000.0;
  ++counters_.commits;
  counters_.last_commit_ms = ms;
  if (ok) {
    log::info("conntrack_sync: the peer's connections committed in {:.1f} ms; adding the VIPs", ms);
  } else {
    if (why == "did not finish in time")
      ++counters_.commit_timeouts;
    else
      ++counters_.commit_failures;
    log::warning(
        "conntrack_sync: commit {} ({:.1f} ms); adding the VIPs anyway (connections "
        "not committed will be reset)",
        why, ms);
  }
  committing_ = false;
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& f : waiting)
    f();
  runNext();
}

void ConntrackSync::role(SyncRole r) {
  if (last_ == r)
    return;
  last_ = r;
  // During a master's commit this replaces what was to follow it.
  queue_ = conntrackdRequests(conf_, r);
  runNext();
}

void ConntrackSync::runNext() {
  if (request_running_ || committing_ || queue_.empty() || stopping_)
    return;
  sys::SpawnRequest req;
  req.argv = queue_.front();
  queue_.erase(queue_.begin());
  const std::string what = joined(req.argv);
  std::string error;
  auto pid = runner_.run(
      req, kRequestTimeout,
      [this, what](const ScriptExit& e) {
        request_running_ = false;
        if (!e.ok()) {
          ++counters_.request_failures;
          log::warning("conntrack_sync: '{}' {}", what, e.describe());
        }
        runNext();
      },
      error);
  if (!pid) {
    ++counters_.request_failures;
    log::warning("conntrack_sync: cannot run '{}': {}", what, error);
    runNext();
    return;
  }
  request_running_ = true;
}

}  // namespace vipd::daemon
