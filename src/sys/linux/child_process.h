#pragma once
// Starting and reaping the processes vipd runs for operators (track scripts, notify scripts,
// FIFO readers, startup/shutdown scripts). A child gets its own process group (a timeout
// kills the whole script, including what it started), an empty signal mask and default
// dispositions (the daemon blocks its signals for signalfd, and `sleep` in a script must
// still die on SIGTERM), stdin/stdout/stderr on /dev/null, no inherited descriptors, and the
// requested uid/gid. Exit is observed through a pidfd, so the event loop needs no SIGCHLD.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vipd::sys {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  bool supplementary = false;  // initgroups() for the user (keepalived's `:group` form)
  std::string user;            // for initgroups and messages
};

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is a path or a name looked up in PATH
  std::optional<Credentials> creds;
};

struct Child {
  pid_t pid = -1;
  int pidfd = -1;  // readable once the child has exited
};

// Returns the child, or an errno value (fork or pidfd failure). An exec failure shows as the
// child exiting with 127 (126 when not executable), as with a shell.
struct SpawnResult {
  std::optional<Child> child;
  int error = 0;
};
SpawnResult spawn(const SpawnRequest& req);

// After the pidfd is readable: reaps the child and closes the pidfd. Returns the wait status.
int reap(Child& c);
// Signals the child's whole process group.
void killGroup(const Child& c, int sig);

// Looks up a user (and optionally a group) by name or number.
std::optional<Credentials> lookupCredentials(const std::string& user,
                                             const std::optional<std::string>& group,
                                             bool supplementary, std::string& error);

}  // namespace vipd::sys
