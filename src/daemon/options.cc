#include "daemon/options.h"

#include <fmt/format.h>

#include <csignal>

namespace vipd::daemon {
namespace {

struct Flag {
  char short_name;  // 0 = long only
  const char* long_name;
  enum { kNone, kRequired, kOptional } arg;
};

constexpr Flag kFlags[] = {
    {'f', "use-file", Flag::kRequired},
    {'P', "vrrp", Flag::kNone},
    {'C', "check", Flag::kNone},
    {'B', "no_bfd", Flag::kNone},
    {0, "all", Flag::kNone},
    {'l', "log-console", Flag::kNone},
    {'D', "log-detail", Flag::kNone},
    {'S', "log-facility", Flag::kRequired},
    {'g', "log-file", Flag::kOptional},
    {0, "flush-log-file", Flag::kNone},
    {'G', "no-syslog", Flag::kNone},
    {'X', "release-vips", Flag::kNone},
    {'V', "dont-release-vrrp", Flag::kNone},
    {'I', "dont-release-ipvs", Flag::kNone},
    {'R', "dont-respawn", Flag::kNone},
    {'n', "dont-fork", Flag::kNone},
    {'d', "dump-conf", Flag::kNone},
    {'p', "pid", Flag::kRequired},
    {'r', "vrrp_pid", Flag::kRequired},
    {'c', "checkers_pid", Flag::kRequired},
    {'a', "address-monitoring", Flag::kNone},
    {'b', "bfd_pid", Flag::kRequired},
    {'s', "namespace", Flag::kRequired},
    {'e', "all-config", Flag::kNone},
    {'i', "config-id", Flag::kRequired},
    {'x', "snmp", Flag::kNone},
    {'A', "snmp-agent-socket", Flag::kRequired},
    {'u', "umask", Flag::kRequired},
    {'m', "core-dump", Flag::kNone},
    {'M', "core-dump-pattern", Flag::kOptional},
    {0, "signum", Flag::kRequired},
    {'t', "config-test", Flag::kOptional},
    {0, "perf", Flag::kOptional},
    {0, "no-mem-check", Flag::kNone},
    {0, "debug", Flag::kOptional},
    {'v', "version", Flag::kNone},
    {'h', "help", Flag::kNone},
    {0, "lenient", Flag::kNone},
    {0, "control-socket", Flag::kRequired},
    {0, "metrics-listen", Flag::kRequired},
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

std::string usage() {
  return R"(Usage: vipd [OPTION...]
  -f, --use-file=FILE        configuration file (default /etc/vipd/vipd.conf;
                             any keepalived.conf works)
  -t, --config-test[=FILE]   check the configuration and exit (0 ok, 4 cannot read,
                             5 errors); diagnostics to stderr or FILE
  -d, --dump-conf            print the normalized configuration and exit
      --lenient              unknown keywords and bad values are warnings, not errors
  -i, --config-id=ID         id for @ID conditional lines (default: short host name)
  -n, --dont-fork            stay in the foreground
  -l, --log-console          log to the console
  -D, --log-detail           detailed logging
  -S, --log-facility=N       syslog facility local0..local7
  -G, --no-syslog            do not log to syslog
  -P, --vrrp                 VRRP only;  -C, --check  checkers only
  -p, --pid=FILE             pid file;  -r, --vrrp_pid=FILE;  -c, --checkers_pid=FILE
  -s, --namespace=NAME       run in network namespace NAME
      --signum=NAME          print the signal number for STOP, RELOAD, DATA, STATS,
                             STATS_CLEAR, JSON or TDATA and exit
  -v, --version              print the version and exit
  -h, --help                 this help
)";
}

}  // namespace vipd::daemon
