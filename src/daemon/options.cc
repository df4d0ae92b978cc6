#include "daemon/options.h"

#include <fmt/format.h>

#include <csignal>

namespace vipd::daemon {
namespace {

struct Flag {
  char short_name;  // 0 = long only
  const char* long_name;
  enum { kNone, kRequired, kOptional } arg;
  const char* value = "";  // the value's name in the help
  const char* help = "";   // "" = accepted for keepalived compatibility, no effect
};

// keepalived's flags with keepalived's meanings, then vipd's own. The help and vipd(8) are
// generated from this table.
constexpr Flag kFlags[] = {
    {'f', "use-file", Flag::kRequired, "FILE",
     "configuration file (default /etc/vipd/vipd.conf, else /etc/keepalived/keepalived.conf; "
     "any keepalived.conf works)"},
    {'t', "config-test", Flag::kOptional, "FILE",
     "check the configuration and exit (0 ok, 4 cannot read, 5 errors); diagnostics to stderr "
     "or FILE"},
    {'d', "dump-conf", Flag::kNone, "", "print the normalized configuration and exit"},
    {0, "lenient", Flag::kNone, "",
     "unknown keywords and bad values are warnings, not errors (keepalived's log-and-ignore)"},
    {'i', "config-id", Flag::kRequired, "ID",
     "id for @ID conditional lines and ${_INSTANCE} (default: the short host name)"},
    {'e', "all-config", Flag::kNone, "",
     "refuse the configuration if an included file is missing or unreadable (every include "
     "acts as includea)"},
    {'n', "dont-fork", Flag::kNone, "", "stay in the foreground"},
    {'l', "log-console", Flag::kNone, "", "log to the console"},
    {'D', "log-detail", Flag::kNone, "", "detailed logging"},
    {'S', "log-facility", Flag::kRequired, "N", "syslog facility local0..local7 (0-7)"},
    {'g', "log-file", Flag::kOptional, "FILE", "log to FILE (default /tmp/vipd.log)"},
    {'G', "no-syslog", Flag::kNone, "", "do not log to syslog"},
    {'P', "vrrp", Flag::kNone, "", "run the VRRP half only"},
    {'p', "pid", Flag::kRequired, "FILE", "pid file (default /run/vipd.pid)"},
    {'r', "vrrp_pid", Flag::kRequired, "FILE", "pid file of the VRRP half"},
    {'s', "namespace", Flag::kRequired, "NAME",
     "run in network namespace NAME (pid file /run/vipd_NAME.pid, socket /run/vipd_NAME.sock)"},
    {'V', "dont-release-vrrp", Flag::kNone, "", "leave the VIPs in place when stopping"},
    {0, "signum", Flag::kRequired, "NAME",
     "print the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON or TDATA and "
     "exit"},
    {0, "control-socket", Flag::kRequired, "PATH",
     "the vipctl control socket (default /run/vipd.sock)"},
    {0, "metrics-listen", Flag::kRequired, "ADDR:PORT",
     "serve Prometheus metrics on ADDR:PORT (GET /metrics)"},
    {'v', "version", Flag::kNone, "", "print the version and exit"},
    {'h', "help", Flag::kNone, "", "this help"},
    {'B', "no_bfd", Flag::kNone},
    {'X', "release-vips", Flag::kNone},
    {'I', "dont-release-ipvs", Flag::kNone},
    {'C', "check", Flag::kNone},
    {'c', "checkers_pid", Flag::kRequired, "FILE"},
    {'b', "bfd_pid", Flag::kRequired, "FILE"},
    {0, "all", Flag::kNone},
    {0, "flush-log-file", Flag::kNone},
    {'R', "dont-respawn", Flag::kNone},
    {'a', "address-monitoring", Flag::kNone},
    {'x', "snmp", Flag::kNone},
    {'A', "snmp-agent-socket", Flag::kRequired, "FILE"},
    {'u', "umask", Flag::kRequired, "MASK"},
    {'m', "core-dump", Flag::kNone},
    {'M', "core-dump-pattern", Flag::kOptional, "PATTERN"},
    {0, "perf", Flag::kOptional, "WHAT"},
    {0, "no-mem-check", Flag::kNone},
    {0, "debug", Flag::kOptional, "WHAT"},
};

void apply(Options& o, const Flag& f, const std::optional<std::string>& v) {
  std::string name = f.long_name;
  if (name == "use-file") {
    o.config_file = *v;
    o.config_file_given = true;
  } else if (name == "config-test") {
    o.config_test = true;
    o.config_test_log = v;
  } else if (name == "dump-conf") {
    o.dump_conf = true;
  } else if (name == "control-socket") {
    o.control_socket = *v;
  } else if (name == "metrics-listen") {
    o.metrics_listen = *v;
  } else if (name == "lenient") {
    o.lenient = true;
  } else if (name == "all-config") {
    o.all_config = true;
  } else if (name == "config-id") {
    o.config_id = v;
  } else if (name == "dont-fork") {
    o.foreground = true;
  } else if (name == "log-console") {
    o.log_console = true;
  } else if (name == "log-detail") {
    o.log_detail = true;
  } else if (name == "no-syslog") {
    o.no_syslog = true;
  } else if (name == "log-file") {
    o.log_file = v.value_or("/tmp/vipd.log");
  } else if (name == "log-facility") {
    o.log_facility = v;
  } else if (name == "vrrp") {
    o.vrrp_only = true;
  } else if (name == "check") {
    o.check_only = true;
  } else if (name == "pid") {
    o.pid_file = v;
  } else if (name == "vrrp_pid") {
    o.vrrp_pid_file = v;
  } else if (name == "checkers_pid") {
    o.checkers_pid_file = v;
  } else if (name == "bfd_pid") {
    o.bfd_pid_file = v;
  } else if (name == "namespace") {
    o.namespace_name = v;
  } else if (name == "dont-release-vrrp") {
    o.dont_release_vrrp = true;
  } else if (name == "dont-release-ipvs") {
    o.dont_release_ipvs = true;
  } else if (name == "release-vips") {
    o.release_vips = true;
  } else if (name == "signum") {
    o.signum = v;
  } else if (name == "version") {
    o.version = true;
  } else if (name == "help") {
    o.help = true;
  }
  // The rest (snmp, core dumps, perf, umask, ...) are accepted for compatibility.
}

}  // namespace

ParseResult parseOptions(const std::vector<std::string>& args) {
  ParseResult r;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::optional<std::string> value;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      const Flag* f = nullptr;
      for (const auto& cand : kFlags) {
        if (name == cand.long_name)
          f = &cand;
      }
      if (!f) {
        r.error = fmt::format("unknown option '--{}'", name);
        return r;
      }
      if (f->arg == Flag::kRequired && !value) {
        if (i + 1 >= args.size()) {
          r.error = fmt::format("option '--{}' needs a value", name);
          return r;
        }
        value = args[++i];
      }
      if (f->arg == Flag::kNone && value) {
        r.error = fmt::format("option '--{}' takes no value", name);
        return r;
      }
      apply(r.options, *f, value);
      continue;
    }
    if (a.size() < 2 || a[0] != '-') {
      r.error = fmt::format("unexpected argument '{}'", a);
      return r;
    }
    // Bundled short options: -nlD, -f FILE, -fFILE, -t[FILE].
    for (size_t k = 1; k < a.size(); ++k) {
      const Flag* f = nullptr;
      for (const auto& cand : kFlags) {
        if (cand.short_name == a[k])
          f = &cand;
      }
      if (!f) {
        r.error = fmt::format("unknown option '-{}'", a[k]);
        return r;
      }
      std::optional<std::string> value;
      if (f->arg != Flag::kNone && k + 1 < a.size()) {
        value = a.substr(k + 1);
        k = a.size();
      } else if (f->arg == Flag::kRequired) {
        if (i + 1 >= args.size()) {
          r.error = fmt::format("option '-{}' needs a value", a[k]);
          return r;
        }
        value = args[++i];
      }
      apply(r.options, *f, value);
    }
  }
  return r;
}

std::optional<int> signalNumberFor(const std::string& name) {
  if (name == "STOP")
    return SIGTERM;
  if (name == "RELOAD")
    return SIGHUP;
  if (name == "DATA")
    return SIGUSR1;
  if (name == "STATS")
    return SIGUSR2;
  if (name == "STATS_CLEAR")
    return SIGRTMIN + 4;
  if (name == "JSON")
    return SIGRTMIN + 2;
  if (name == "TDATA")
    return SIGRTMIN + 1;
  return std::nullopt;
}

namespace {

// Words joined into lines of at most 80 columns, continuation lines indented by `indent`.
std::string wrap(std::string_view text, size_t indent) {
  std::string out;
  size_t col = indent;
  size_t i = 0;
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    std::string_view word = text.substr(i, sp == std::string_view::npos ? text.npos : sp - i);
    if (col > indent && col + 1 + word.size() > 80) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (col > indent) {
      out += ' ';
      ++col;
    }
    out += word;
    col += word.size();
    i = sp == std::string_view::npos ? text.size() : sp + 1;
  }
  return out;
}

}  // namespace

std::vector<FlagDoc> flagDocs() {
  std::vector<FlagDoc> out;
  for (const auto& f : kFlags) {
    out.push_back(FlagDoc{f.short_name, f.long_name, f.value, f.help, f.arg == Flag::kOptional});
  }
  return out;
}

std::string FlagDoc::synopsis() const {
  std::string s = short_name ? fmt::format("-{}, ", short_name) : std::string("    ");
  s += fmt::format("--{}", long_name);
  if (!value.empty())
    s += optional_value ? fmt::format("[={}]", value) : fmt::format("={}", value);
  return s;
}

std::string usage() {
  std::string out = "Usage: vipd [OPTION...]\n";
  std::string compat;
  for (const auto& f : flagDocs()) {
    if (f.help.empty()) {
      std::string syn = f.synopsis().substr(f.short_name ? 0 : 4);
      if (f.short_name)
        syn.replace(2, 2, "/");  // "-c, --checkers_pid" -> "-c/--checkers_pid": one word
      compat += (compat.empty() ? "" : ", ") + syn;
      continue;
    }
    out += fmt::format("  {:<27}", f.synopsis());
    if (f.synopsis().size() >= 27)
      out += "\n" + std::string(29, ' ');
    out += wrap(f.help, 29) + "\n";
  }
  return out + "Accepted for keepalived compatibility, without effect:\n  " + wrap(compat, 2) +
         "\n";
}

}  // namespace vipd::daemon
