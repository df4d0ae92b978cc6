#pragma once
// Runs operators' scripts from the event loop without ever blocking it: a child is started,
// its pidfd is watched, and a timeout (track scripts) kills its whole process group. Also
// where a configured command becomes a process: keepalived's argument splitting
// (core/script_argv.h), the user it runs as (its own, else script_user, else
// keepalived_script if that user exists, else root) and the script security check.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conf/model.h"
#include "io/loop.h"
#include "sys/linux/child_process.h"

namespace vipd::daemon {

// Whether `word` names an executable regular file: a path, or a name found in $PATH.
bool isProgram(const std::string& word);

// The process for `cmd` with `extra` arguments appended, or nullopt with `error` set when it
// must not or cannot run (unknown user, refused by enable_script_security).
std::optional<sys::SpawnRequest> scriptRequest(const conf::ScriptCommand& cmd,
                                               const conf::GlobalDefs& g,
                                               const std::vector<std::string>& extra,
                                               std::string& error);

struct ScriptExit {
  int status = 0;  // wait status
  bool timed_out = false;
  bool ok() const;               // exited 0 in time
  std::string describe() const;  // "exited with status 1", "killed by signal 9", "timed out"
};

class ScriptRunner {
 public:
  explicit ScriptRunner(io::Loop& loop);
  // Scripts still running are killed (finish() gives them a grace period first).
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  using Done = std::function<void(const ScriptExit&)>;
  // Starts the process; `done` is called from the loop when it has exited. Returns its pid,
  // or nullopt (and never calls `done`) when it could not be started.
  std::optional<pid_t> run(const sys::SpawnRequest& req,
                           std::optional<std::chrono::microseconds> timeout, Done done,
                           std::string& error);
  size_t running() const { return children_.size(); }
  // After run() returned nullopt: whether it was for want of the host's resources (too many
  // open files, processes), which says nothing about the script or what it checks.
  bool lastStartWasShortage() const { return last_start_shortage_; }
  // At exit, blocking: waits up to `grace` for every running script (the notify_stop ones
  // just started among them) and kills the process groups of those still running, so that
  // nothing vipd started outlives it.
  void finish(std::chrono::microseconds grace);
  // Signals a running child's process group.
  void signal(pid_t pid, int sig);

 private:
  struct Running {
    sys::Child child;
    std::optional<std::chrono::microseconds> deadline;
    bool timed_out = false;
    Done done;
  };
  void onExit(int pidfd);
  void onTimer();
  void rearm();
  io::Loop& loop_;
  int timer_ = -1;
  bool last_start_shortage_ = false;
  std::map<int, Running> children_;  // by pidfd
};

}  // namespace vipd::daemon
