#include "sys/linux/child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/resources.h"
#include "base/text.h"

namespace vipd::sys {
namespace {

// The VRRP loop and the checkers' thread both start scripts; the adoption scan (on the VRRP
// loop) must tell their children from adopted ones. spawn() forks and records under the
// lock, so a scan never sees a child of ours that is not yet recorded.
std::mutex g_mu;
std::set<pid_t> g_spawned;               // started by spawn(), not yet reaped by reap()
std::map<pid_t, std::string> g_adopted;  // adopted, still running

// A small /proc file's text ("" when it is gone; `shortage` set when it could not be
// opened for want of a descriptor).
std::string readSmall(const std::string& path, bool* shortage = nullptr) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (shortage != nullptr && isResourceShortage(errno))
      *shortage = true;
    return {};
  }
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string commandOf(pid_t pid) {
  std::string s = readSmall("/proc/" + std::to_string(pid) + "/cmdline");
  while (!s.empty() && s.back() == '\0')
    s.pop_back();
  for (char& c : s) {
    if (c == '\0')
      c = ' ';
  }
  if (s.size() > 200)
    s.resize(200);
  return s.empty() ? "?" : s;
}

// The children of this process, by pid, with their /proc/PID/stat; nullopt when /proc could
// not be read whole (no descriptor left: then nothing may be concluded from an absence).
// /proc/PID/task/*/children would be cheaper but needs CONFIG_PROC_CHILDREN, which Debian's
// kernels lack.
std::optional<std::map<pid_t, ProcStat>> ourChildren() {
  std::map<pid_t, ProcStat> out;
  const pid_t self = ::getpid();
  DIR* d = ::opendir("/proc");
  if (d == nullptr)
    return std::nullopt;
  bool shortage = false;
  while (const dirent* e = ::readdir(d)) {
    const auto pid = parseInt(e->d_name);
    if (!pid || *pid <= 0)
      continue;
    if (auto st = parseProcStat(readSmall(std::string("/proc/") + e->d_name + "/stat", &shortage));
        st && st->ppid == self)
      out.emplace(static_cast<pid_t>(*pid), *st);
  }
  ::closedir(d);
  if (shortage)
    return std::nullopt;
  return out;
}

// Everything between fork and exec uses only async-signal-safe calls and memory prepared
// before the fork.
[[noreturn]] void childMain(char* const* argv, const SpawnRequest& req) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s)
    signal(s, SIG_DFL);
  setpgid(0, 0);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  syscall(SYS_close_range, 3U, ~0U, 0U);
  if (req.creds) {
    const auto& c = *req.creds;
    if (c.supplementary) {
      if (initgroups(c.user.c_str(), c.gid) != 0)
        _exit(126);
    } else if (setgroups(0, nullptr) != 0 && c.uid != 0) {
      _exit(126);
    }
    if (setgid(c.gid) != 0 || setuid(c.uid) != 0)
      _exit(126);
  }
  execvp(argv[0], argv);
  _exit(errno == ENOENT ? 127 : 126);
}

}  // namespace

SpawnResult spawn(const SpawnRequest& req) {
  if (req.argv.empty())
    return {std::nullopt, EINVAL};
  std::vector<char*> argv;
  argv.reserve(req.argv.size() + 1);
  for (const auto& a : req.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::unique_lock lock(g_mu);
  const pid_t pid = fork();
  if (pid < 0)
    return {std::nullopt, errno};
  if (pid == 0)
    childMain(argv.data(), req);
  g_spawned.insert(pid);
  lock.unlock();
  // Also from the parent, so that a kill right after spawn reaches the group.
  setpgid(pid, pid);
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
  if (fd < 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    std::lock_guard relock(g_mu);
    g_spawned.erase(pid);
    return {std::nullopt, err};
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return {Child{pid, fd}, 0};
}

int reap(Child& c) {
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (c.pidfd >= 0)
    close(c.pidfd);
  c.pidfd = -1;
  std::lock_guard lock(g_mu);
  g_spawned.erase(c.pid);
  return status;
}

void becomeSubreaper() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

std::optional<ProcStat> parseProcStat(std::string_view text) {
  // "PID (COMM) S PPID PGRP ...": COMM may hold spaces and parentheses, so the fields start
  // after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size() || text[close + 1] != ' ')
    return std::nullopt;
  std::string_view rest = text.substr(close + 2);
  ProcStat st;
  st.state = rest[0];
  rest.remove_prefix(1);
  pid_t* fields[] = {&st.ppid, &st.pgrp};
  for (pid_t* f : fields) {
    if (rest.empty() || rest[0] != ' ')
      return std::nullopt;
    rest.remove_prefix(1);
    const auto end = rest.find(' ');
    const auto n = parseInt(std::string(rest.substr(0, end)));
    if (!n || *n < 0 || *n > 0x7fffffff)
      return std::nullopt;
    *f = static_cast<pid_t>(*n);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return st;
}

AdoptScan scanAdopted() {
  AdoptScan out;
  std::lock_guard lock(g_mu);
  const auto read = ourChildren();
  if (!read)
    return out;  // the next SIGCHLD scans again
  const auto& children = *read;
  for (const auto& [pid, st] : children) {
    if (g_spawned.count(pid) != 0)
      continue;  // a script of ours: its runner reaps it
    auto it = g_adopted.find(pid);
    if (st.state == 'Z') {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        out.ended.push_back({pid, it != g_adopted.end() ? it->second : "?"});
        if (it != g_adopted.end())
          g_adopted.erase(it);
      }
    } else if (it == g_adopted.end()) {
      const auto& [added, _] = g_adopted.emplace(pid, commandOf(pid));
      out.fresh.push_back({pid, added->second});
    }
  }
  // Gone without being seen as a zombie (reaped between two scans by nobody else: cannot
  // happen, but an entry must never stay for a pid that was reused).
  for (auto it = g_adopted.begin(); it != g_adopted.end();) {
    if (children.count(it->first) == 0) {
      out.ended.push_back({it->first, it->second});
      it = g_adopted.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

size_t adoptedCount() {
  std::lock_guard lock(g_mu);
  return g_adopted.size();
}

std::vector<Adopted> stopAdopted(std::chrono::milliseconds grace) {
  using Clock = std::chrono::steady_clock;
  const auto term_until = Clock::now() + grace;
  const auto give_up = term_until + std::chrono::seconds(1);
  std::vector<Adopted> stopped;
  std::set<pid_t> termed, killed;
  while (Clock::now() < give_up) {
    scanAdopted();  // reaps what has exited, adopts what they left
    std::map<pid_t, std::string> left;
    {
      std::lock_guard lock(g_mu);
      left = g_adopted;
    }
    if (left.empty())
      break;
    const bool hard = Clock::now() >= term_until;
    for (const auto& [pid, cmd] : left) {
      if (termed.count(pid) == 0 && killed.count(pid) == 0)
        stopped.push_back({pid, cmd});
      if (!(hard ? killed : termed).insert(pid).second)
        continue;
      // A daemon that called setsid leads its own group: what it started goes with it.
      const auto st = parseProcStat(readSmall("/proc/" + std::to_string(pid) + "/stat"));
      const int sig = hard ? SIGKILL : SIGTERM;
      if (st && st->pgrp == pid)
        ::kill(-pid, sig);
      ::kill(pid, sig);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return stopped;
}

void killGroup(const Child& c, int sig) {
  if (c.pid > 0)
    kill(-c.pid, sig);
}

std::optional<Credentials> lookupCredentials(const std::string& user,
                                             const std::optional<std::string>& group,
                                             bool supplementary, std::string& error) {
  Credentials c;
  c.supplementary = supplementary;
  if (const passwd* pw = getpwnam(user.c_str())) {
    c.uid = pw->pw_uid;
    c.gid = pw->pw_gid;
    c.user = pw->pw_name;
  } else if (auto n = parseInt(user); n && *n >= 0 && *n <= 0x7fffffff) {
    c.uid = static_cast<uid_t>(*n);
    c.gid = static_cast<gid_t>(*n);
    c.user = user;
  } else {
    error = "user '" + user + "' does not exist";
    return std::nullopt;
  }
  if (group) {
    if (const struct group* gr = getgrnam(group->c_str())) {
      c.gid = gr->gr_gid;
    } else if (auto n = parseInt(*group); n && *n >= 0 && *n <= 0x7fffffff) {
      c.gid = static_cast<gid_t>(*n);
    } else {
      error = "group '" + *group + "' does not exist";
      return std::nullopt;
    }
  }
  return c;
}

}  // namespace vipd::sys
