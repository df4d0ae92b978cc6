#pragma once
// vipd's command line: keepalived's flags with keepalived's meanings, plus vipd's own
// (--lenient, --dump-conf as a long option). Parsing is pure so it can be unit-tested.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::daemon {

struct Options {
  std::string config_file = "/etc/vipd/vipd.conf";
  bool config_file_given = false;
  bool config_test = false;                    // -t: check the config and exit
  std::optional<std::string> config_test_log;  // -t=FILE writes diagnostics there
  bool dump_conf = false;                      // -d / --dump-conf
  bool lenient = false;                        // unknown keywords and bad values become warnings
  bool all_config = false;                     // -e: every include checked as includea
  std::optional<std::string> config_id;        // -i
  bool foreground = false;                     // -n
  bool log_console = false;                    // -l
  bool log_detail = false;                     // -D
  bool no_syslog = false;                      // -G
  std::optional<std::string> log_file;         // -g
  std::optional<std::string> log_facility;     // -S
  bool vrrp_only = false, check_only = false;  // -P, -C
  std::optional<std::string> pid_file, vrrp_pid_file, checkers_pid_file, bfd_pid_file;
  std::optional<std::string> namespace_name;  // -s
  bool dont_release_vrrp = false, dont_release_ipvs = false, release_vips = false;
  std::optional<std::string> signum;  // --signum=NAME: print the number and exit
  // vipd's own: the control socket (vipctl) and the Prometheus listener; both override
  // global_defs control_socket / metrics_listen.
  std::optional<std::string> control_socket, metrics_listen;
  bool version = false, help = false;
};

struct ParseResult {
  Options options;
  std::optional<std::string> error;  // set when the command line is unusable
};

ParseResult parseOptions(const std::vector<std::string>& args);

// One command-line flag, for the help text and vipd(8).
struct FlagDoc {
  char short_name;                          // 0 = long only
  std::string_view long_name, value, help;  // help "" = accepted for compatibility only
  bool optional_value;
  std::string synopsis() const;  // "-f, --use-file=FILE"
};
std::vector<FlagDoc> flagDocs();

std::string usage();

// keepalived's --signum names: STOP RELOAD DATA STATS STATS_CLEAR JSON TDATA.
std::optional<int> signalNumberFor(const std::string& name);

}  // namespace vipd::daemon
