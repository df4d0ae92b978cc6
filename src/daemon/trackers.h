#pragma once
// The trackers behind track_script, track_interface, track_file and track_process
// (keepalived.conf(5) vrrp_script, vrrp_track_process, track_file): each has a key
// ("script chk_nginx", "interface eth1", "file prio", "process nginx"), a state, and calls
// on_change when that state changes, so the VRRP runtime recomputes the effective priority
// of the instances using it at once. Only trackers some instance or sync group references
// are run.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conf/model.h"
#include "core/tracker_state.h"
#include "daemon/script_runner.h"
#include "io/loop.h"
#include "sys/linux/file_watch.h"
#include "sys/linux/netlink.h"
#include "sys/linux/proc_events.h"

namespace vipd::daemon {

struct TrackerStatus {
  std::string key;
  bool known = false;  // a script before its first result is not
  bool up = true;
  std::optional<int64_t> value;  // track_file
  std::string detail;            // "exited with status 1", "3 processes", "value 20"
  uint64_t runs = 0, failures = 0;
};

class Trackers {
 public:
  Trackers(io::Loop& loop, sys::Netlink& nl, ScriptRunner& runner);
  ~Trackers();

  std::function<void(const std::string& key)> on_change;

  // Runs the trackers `keys` refers to, as configured in `cfg`. Trackers whose
  // configuration is unchanged keep their state (a reload does not reset rise/fall).
  void configure(const conf::Config& cfg, const std::set<std::string>& keys);
  const TrackerStatus* status(const std::string& key) const;
  std::vector<TrackerStatus> all() const;
  void linkChanged(const sys::Link& link, bool deleted);

 private:
  struct Script {
    conf::VrrpScript conf;
    core::RiseFall verdict;
    TrackerStatus st;
    io::Micros next{0};
    bool running = false;
    uint64_t serial = 0;   // tells a finished run whether its script is still configured
    bool starved = false;  // the last start failed for want of descriptors or processes
  };
  struct File {
    conf::TrackFile conf;
    TrackerStatus st;
  };
  struct Process {
    conf::TrackProcess conf;
    TrackerStatus st;
    std::set<int> pids;
    bool scanned = false;
    std::optional<bool> pending;  // a quorum change waiting out its delay
    io::Micros pending_at{0};
  };
  void runScript(Script& s);
  void readFile(File& f, bool log_change);
  bool matches(const conf::TrackProcess& p, int pid) const;
  void processEvent(int pid, bool exited);
  void scanProcesses();
  void recount(Process& p);
  void onTimer();
  void rearm();
  void changed(TrackerStatus& st);

  io::Loop& loop_;
  sys::Netlink& nl_;
  ScriptRunner& runner_;
  conf::GlobalDefs global_;
  int timer_ = -1;
  uint64_t serial_ = 0;
  std::map<std::string, std::unique_ptr<Script>> scripts_;
  std::map<std::string, TrackerStatus> interfaces_;
  std::map<std::string, File> files_;
  std::map<std::string, Process> processes_;
  std::unique_ptr<sys::FileWatch> file_watch_;
  std::unique_ptr<sys::ProcEvents> proc_events_;
  // Without the process connector (inside a network namespace): /proc is scanned instead.
  bool proc_polling_ = false;
  io::Micros next_scan_{0};
  static constexpr io::Micros kScanInterval{200'000};
};

}  // namespace vipd::daemon
