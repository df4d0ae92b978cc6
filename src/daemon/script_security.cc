#include "daemon/script_security.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/script_argv.h"

namespace vipd::daemon {
namespace {

struct Use {
  const conf::ScriptCommand* script;
  SourceLoc loc;
};

void add(std::vector<Use>& out, const std::optional<conf::ScriptCommand>& s, const SourceLoc& l) {
  if (s)
    out.push_back({&*s, l});
}

std::vector<Use> collect(const conf::Config& c) {
  std::vector<Use> u;
  for (const auto& s : c.vrrp_scripts)
    u.push_back({&s.script, s.loc});
  // Each at its keyword's line (the block's when the keyword's place is not known).
  for (const auto& i : c.instances) {
    for (const auto& [s, key] : {std::pair{&i.notify_master, "notify_master"},
                                 {&i.notify_backup, "notify_backup"},
                                 {&i.notify_fault, "notify_fault"},
                                 {&i.notify_stop, "notify_stop"},
                                 {&i.notify, "notify"},
                                 {&i.notify_master_rx_lower_pri, "notify_master_rx_lower_pri"}}) {
      add(u, *s, i.keys.of(key, i.loc));
    }
  }
  for (const auto& g : c.sync_groups) {
    for (const auto& [s, key] : {std::pair{&g.notify_master, "notify_master"},
                                 {&g.notify_backup, "notify_backup"},
                                 {&g.notify_fault, "notify_fault"},
                                 {&g.notify_stop, "notify_stop"},
                                 {&g.notify, "notify"}}) {
      add(u, *s, g.keys.of(key, g.loc));
    }
  }
  for (const auto& v : c.virtual_servers) {
    add(u, v.quorum_up, v.keys.of("quorum_up", v.loc));
    add(u, v.quorum_down, v.keys.of("quorum_down", v.loc));
    for (const auto& r : v.real_servers) {
      add(u, r.notify_up, r.keys.of("notify_up", r.loc));
      add(u, r.notify_down, r.keys.of("notify_down", r.loc));
      for (const auto& ch : r.checkers)
        add(u, ch.misc_path, ch.keys.of("misc_path", ch.loc));
    }
  }
  add(u, c.global.startup_script, SourceLoc{});
  add(u, c.global.shutdown_script, SourceLoc{});
  return u;
}

// The user a script runs as: its own, else script_user, else keepalived_script if that
// user exists, else root.
bool runsAsRoot(const conf::ScriptCommand& s, const conf::GlobalDefs& g) {
  if (s.user)
    return *s.user == "root" || *s.user == "0";
  if (g.script_user)
    return g.script_user->command == "root" || g.script_user->command == "0";
  return getpwnam("keepalived_script") == nullptr;
}

std::string resolve(const std::string& prog) {
  if (prog.find('/') != std::string::npos)
    return prog;
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string cand = dirs.substr(start, end - start) + "/" + prog;
    if (access(cand.c_str(), X_OK) == 0)
      return cand;
    start = end + 1;
  }
  return "";
}

// Why `path` (a resolved script) could be replaced by a non-root user, or "" if it cannot.
std::string unsafeReason(const std::string& path) {
  char real[PATH_MAX];
  if (!realpath(path.c_str(), real))
    return "";
  std::string p = real;
  bool is_file = true;
  while (!p.empty()) {
    struct stat st {};
    if (stat(p.c_str(), &st) != 0)
      return "";
    bool sticky_dir = !is_file && (st.st_mode & S_ISVTX);
    if (st.st_uid != 0)
      return fmt::format("{} is owned by uid {}", p, st.st_uid);
    if ((st.st_mode & S_IWOTH) && !sticky_dir)
      return fmt::format("{} is writable by everyone", p);
    if ((st.st_mode & S_IWGRP) && st.st_gid != 0 && !sticky_dir) {
      return fmt::format("{} is writable by group {}", p, st.st_gid);
    }
    if (p == "/")
      break;
    auto slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
    is_file = false;
  }
  return "";
}

}  // namespace

std::string refusedScript(const conf::ScriptCommand& s, const conf::GlobalDefs& g) {
  if (!g.enable_script_security || !runsAsRoot(s, g))
    return "";
  auto argv = conf::splitCommand(s.command);
  if (argv.empty())
    return "";
  const std::string prog = resolve(argv[0]);
  if (prog.empty())
    return "";
  const std::string why = unsafeReason(prog);
  return why.empty() ? "" : fmt::format("unsafe script '{}' runs as root: {}", argv[0], why);
}

bool checkScriptSecurity(const conf::Config& cfg, Diagnostics& diags) {
  bool enforced = cfg.global.enable_script_security;
  bool violation = false;
  for (const auto& use : collect(cfg)) {
    auto argv = conf::splitCommand(use.script->command);
    if (argv.empty())
      continue;
    std::string prog = resolve(argv[0]);
    if (prog.empty() || access(prog.c_str(), F_OK) != 0) {
      // Shell built-ins and redirections (`</dev/tcp/...`) run through /bin/sh.
      if (argv[0][0] == '<' || argv[0] == "[" || argv[0] == "test")
        continue;
      diags.warning(use.loc,
                    fmt::format("script '{}' not found; it will be reported as failing", argv[0]));
      continue;
    }
    if (core::needsShell(use.script->command))
      diags.warning(use.loc,
                    fmt::format("'{}' is a program, so the command runs without a shell (as in "
                                "keepalived 2.x): its shell syntax reaches it as arguments; write "
                                "/bin/sh -c '...' for a shell",
                                argv[0]));
    if (!runsAsRoot(*use.script, cfg.global))
      continue;
    std::string why = unsafeReason(prog);
    if (why.empty())
      continue;
    violation = true;
    std::string msg = fmt::format("unsafe script '{}' runs as root: {}", argv[0], why);
    if (enforced) {
      diags.error(use.loc, msg + " (refused: enable_script_security)");
    } else {
      diags.warning(use.loc, msg + "; set enable_script_security to refuse it");
    }
  }
  return enforced && violation;
}

}  // namespace vipd::daemon
