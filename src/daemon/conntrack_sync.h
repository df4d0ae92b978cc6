#pragma once
// conntrackd managed by vipd (issue 15): the connection-tracking state of the nftables
// directors shared between them, so that connections through the VIP survive a failover.
//
// vipd runs `conntrackd -C FILE` as its child (restarted a second after it dies) and tells
// it the VRRP state of the `conntrack_sync` instance, as conntrackd(8)'s primary-backup
// pattern does from keepalived's notify scripts. One thing is done differently: keepalived's
// notify script runs while the VIPs are already up (keepalived issue #2254), so the first
// packets of the surviving connections reach the new master before `conntrackd -c` has put
// their entries in its table; the kernel then tracks them afresh (no NAT mapping: the real
// server answers the client from its own address and the client resets). Here the new
// master's VIPs wait for the commit, for at most `timeout`, while the VRRP loop goes on:
// the commit is a child process like any script, and the adverts go out meanwhile.

#include <chrono>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "conf/model.h"
#include "io/loop.h"

namespace vipd::daemon {

class ScriptRunner;

enum class SyncRole { kMaster, kBackup, kFault };

// The conntrackd requests (argv) for a new role, in order (conntrackd(8)):
//   MASTER: -c commit the external cache (the peer's connections) to the kernel table (the
//           VIPs wait for this one), -f flush both caches, -R resync the internal cache with
//           the kernel table, -B send a bulk update to the peer;
//   BACKUP: -t shorten the kernel's timers (what we forwarded is the new master's now), -n
//           ask the peer for a full resync into our external cache;
//   FAULT:  -t.
std::vector<std::vector<std::string>> conntrackdRequests(const conf::ConntrackSync& c,
                                                         SyncRole role);

// The LockFile a conntrackd.conf names (conntrackd refuses to start while it exists).
std::optional<std::string> lockFileOf(std::istream& conf);

struct ConntrackCounters {
  uint64_t commits = 0, commit_failures = 0, commit_timeouts = 0;
  uint64_t request_failures = 0, daemon_starts = 0;
  double last_commit_ms = 0;  // how long the VIPs last waited
  bool daemon_running = false;
  std::string instance, role;  // what conntrackd was last told: MASTER, BACKUP, FAULT
};

class ConntrackSync {
 public:
  ConntrackSync(io::Loop& loop, ScriptRunner& runner, conf::ConntrackSync conf);
  ~ConntrackSync();
  ConntrackSync(const ConntrackSync&) = delete;
  ConntrackSync& operator=(const ConntrackSync&) = delete;

  const conf::ConntrackSync& conf() const { return conf_; }
  ConntrackCounters counters() const;
  // Starts conntrackd.
  void start();
  // A reload: a new instance or timeout applies at once; a new config file or program
  // restarts conntrackd; nullopt stops it (a later reload may bring it back).
  void reconfigure(const std::optional<conf::ConntrackSync>& next);
  bool active() const { return !stopping_; }
  // Becoming master: commits, then calls `ready` (commit done, failed, or `timeout` passed).
  // Callers while a commit runs wait for that one.
  void commit(std::function<void()> ready);
  void role(SyncRole r);  // BACKUP or FAULT (MASTER goes through commit)
  // SIGTERM to conntrackd; ScriptRunner::finish waits for it.
  void stop();

 private:
  void runDaemon();
  void runNext();
  void onCommitDone(bool ok, const std::string& why);
  io::Loop& loop_;
  ScriptRunner& runner_;
  conf::ConntrackSync conf_;
  std::optional<pid_t> daemon_;
  bool stopping_ = false;
  bool restarting_ = false;  // SIGTERM sent for a reload: start again at once
  int restart_timer_ = -1;
  io::Micros restart_delay_ = std::chrono::seconds(1);
  bool committing_ = false;
  io::Micros commit_started_{0};
  std::vector<std::function<void()>> waiting_;
  std::vector<std::vector<std::string>> queue_;  // requests after the commit, one at a time
  bool request_running_ = false;
  std::optional<SyncRole> last_;
  ConntrackCounters counters_;
};

}  // namespace vipd::daemon
