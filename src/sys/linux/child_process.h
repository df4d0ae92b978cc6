#pragma once
// Starting and reaping the processes vipd runs for operators (track scripts, notify scripts,
// FIFO readers, startup/shutdown scripts). A child gets its own process group (a timeout
// kills the whole script, including what it started), an empty signal mask and default
// dispositions (the daemon blocks its signals for signalfd, and `sleep` in a script must
// still die on SIGTERM), stdin/stdout/stderr on /dev/null, no inherited descriptors, and the
// requested uid/gid. Exit is observed through a pidfd.
//
// What a script leaves behind: a background job in the script's group is killed with the
// group when the script exits. A daemon that left the group (setsid, a double fork) used to
// be reparented to init and outlive vipd (issue 17). vipd is a child subreaper instead
// (PR_SET_CHILD_SUBREAPER, as keepalived's parent process): such a process becomes vipd's
// child, is "adopted" (logged with its command line), reaped when it exits, so no zombie
// accumulates, and stopped when vipd stops.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
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

// Marks this process as the child subreaper of its descendants.
void becomeSubreaper();

struct Adopted {
  pid_t pid = -1;
  std::string command;  // /proc/PID/cmdline, arguments joined by spaces, at most 200 bytes
};
// Scans /proc for children of this process that spawn() did not start. Returns the ones
// seen for the first time (`fresh`) and the ones that had exited, now reaped (`ended`).
// Cost: one read of /proc/N/stat per process on the machine (~1 ms for a few hundred).
struct AdoptScan {
  std::vector<Adopted> fresh, ended;
};
AdoptScan scanAdopted();
// The adopted processes still running.
size_t adoptedCount();
// At exit: SIGTERM to every adopted process (to its group when it leads one), SIGKILL to
// what is left after `grace`, and the same for what they leave in turn; returns within
// grace + 1 s. Returns the processes that were stopped.
std::vector<Adopted> stopAdopted(std::chrono::milliseconds grace);

// The fields of /proc/PID/stat this needs; nullopt when the text is not one.
struct ProcStat {
  char state = '?';
  pid_t ppid = 0, pgrp = 0;
};
std::optional<ProcStat> parseProcStat(std::string_view text);

// Looks up a user (and optionally a group) by name or number.
std::optional<Credentials> lookupCredentials(const std::string& user,
                                             const std::optional<std::string>& group,
                                             bool supplementary, std::string& error);

}  // namespace vipd::sys
