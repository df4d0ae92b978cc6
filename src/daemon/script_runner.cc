#include "daemon/script_runner.h"

#include <fmt/format.h>
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "base/resources.h"
#include "core/script_argv.h"
#include "daemon/script_security.h"

namespace vipd::daemon {

bool isProgram(const std::string& word) {
  auto file = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (word.empty())
    return false;
  if (word.find('/') != std::string::npos)
    return file(word);
  const char* env = std::getenv("PATH");
  const std::string path =
      env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    if (file((dir.empty() ? "." : dir) + "/" + word))
      return true;
    start = end + 1;
  }
  return false;
}

std::optional<sys::SpawnRequest> scriptRequest(const conf::ScriptCommand& cmd,
                                               const conf::GlobalDefs& g,
                                               const std::vector<std::string>& extra,
                                               std::string& error) {
  sys::SpawnRequest req;
  req.argv = core::commandArgv(cmd.command, extra, isProgram);
  if (req.argv.empty()) {
    error = "empty command";
    return std::nullopt;
  }
  if (std::string why = refusedScript(cmd, g); !why.empty()) {
    error = why;
    return std::nullopt;
  }
  // Who runs it: the script's own user, else script_user, else keepalived_script if that
  // user exists, else root (keepalived.conf(5) script_user).
  std::optional<std::string> user = cmd.user, group = cmd.group;
  bool supplementary = cmd.supplementary_groups;
  if (!user && g.script_user) {
    user = g.script_user->command;
    group = g.script_user->group;
    supplementary = g.script_user->supplementary_groups;
  }
  if (!user && getpwnam("keepalived_script"))
    user = "keepalived_script";
  if (user && *user != "root") {
    req.creds = sys::lookupCredentials(*user, group, supplementary, error);
    if (!req.creds)
      return std::nullopt;
  }
  return req;
}

bool ScriptExit::ok() const {
  return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string ScriptExit::describe() const {
  if (timed_out)
    return "timed out";
  if (WIFEXITED(status))
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("wait status {}", status);
}

ScriptRunner::ScriptRunner(io::Loop& loop) : loop_(loop) {
  timer_ = loop_.addTimer([this] { onTimer(); });
}

ScriptRunner::~ScriptRunner() {
  for (auto& [fd, r] : children_) {
    loop_.unwatch(fd);
    sys::killGroup(r.child, SIGKILL);
    sys::reap(r.child);
  }
  loop_.removeTimer(timer_);
}

void ScriptRunner::finish(std::chrono::microseconds grace) {
  const auto deadline = io::monotonicNow() + grace;
  while (!children_.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - io::monotonicNow());
    if (left.count() <= 0)
      break;
    std::vector<pollfd> fds;
    for (const auto& [fd, r] : children_)
      fds.push_back(pollfd{fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0)
      continue;
    for (const auto& p : fds) {
      if (p.revents != 0)
        onExit(p.fd);
    }
  }
  for (auto& [fd, r] : children_) {
    loop_.unwatch(fd);
    log::warning("script (pid {}) still running at exit; killed with its process group",
                 r.child.pid);
    sys::killGroup(r.child, SIGKILL);
    sys::reap(r.child);
  }
  children_.clear();
}

void ScriptRunner::signal(pid_t pid, int sig) {
  for (const auto& [fd, r] : children_) {
    if (r.child.pid == pid)
      sys::killGroup(r.child, sig);
  }
}

std::optional<pid_t> ScriptRunner::run(const sys::SpawnRequest& req,
                                       std::optional<std::chrono::microseconds> timeout, Done done,
                                       std::string& error) {
  auto r = sys::spawn(req);
  last_start_shortage_ = !r.child && isResourceShortage(r.error);
  if (!r.child) {
    error = std::strerror(r.error);
    return std::nullopt;
  }
  const int fd = r.child->pidfd;
  Running run{*r.child, std::nullopt, false, std::move(done)};
  if (timeout)
    run.deadline = io::monotonicNow() + *timeout;
  children_.emplace(fd, std::move(run));
  loop_.watch(fd, [this, fd] { onExit(fd); });
  rearm();
  return r.child->pid;
}

void ScriptRunner::onExit(int pidfd) {
  auto it = children_.find(pidfd);
  if (it == children_.end())
    return;
  loop_.unwatch(pidfd);
  Running r = std::move(it->second);
  children_.erase(it);
  ScriptExit ex{sys::reap(r.child), r.timed_out};
  // Whatever the script left running in its group goes too.
  sys::killGroup(r.child, SIGKILL);
  rearm();
  if (r.done)
    r.done(ex);
}

void ScriptRunner::onTimer() {
  const auto now = io::monotonicNow();
  for (auto& [fd, r] : children_) {
    if (r.deadline && *r.deadline <= now && !r.timed_out) {
      r.timed_out = true;
      r.deadline.reset();
      sys::killGroup(r.child, SIGKILL);  // the exit arrives through the pidfd
    }
  }
  rearm();
}

void ScriptRunner::rearm() {
  std::optional<std::chrono::microseconds> next;
  for (const auto& [fd, r] : children_) {
    if (r.deadline && (!next || *r.deadline < *next))
      next = r.deadline;
  }
  loop_.armTimer(timer_, next);
}

}  // namespace vipd::daemon
