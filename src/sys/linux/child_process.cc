#include "sys/linux/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "base/text.h"

namespace vipd::sys {
namespace {

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
  const pid_t pid = fork();
  if (pid < 0)
    return {std::nullopt, errno};
  if (pid == 0)
    childMain(argv.data(), req);
  // Also from the parent, so that a kill right after spawn reaches the group.
  setpgid(pid, pid);
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
  if (fd < 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
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
  return status;
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
