#include "daemon/check_config.h"

#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "conf/config.h"

namespace vipd::daemon {

int runConfigCheck(const Options& opts, std::ostream& out, std::ostream& err) {
  auto pre = conf::defaultPreprocessOptions();
  if (opts.config_id) pre.config_id = *opts.config_id;
  auto result = conf::loadFile(opts.config_file, pre, opts.lenient);

  std::ofstream log_file;
  std::ostream* diag_out = &err;
  if (opts.config_test_log) {
    log_file.open(*opts.config_test_log);
    if (log_file) diag_out = &log_file;
  }
  *diag_out << result.diags.str();
  if (opts.dump_conf && !result.file_missing) out << conf::dumpConfig(result.config);

  int errors = result.diags.errorCount();
  int warnings = result.diags.warningCount();
  if (opts.config_test) {
    *diag_out << fmt::format("{}: {} error(s), {} warning(s)\n", opts.config_file, errors,
                             warnings);
  }
  if (result.file_missing) return kExitCannotRead;
  return errors > 0 ? kExitConfigErrors : kExitOk;
}

}  // namespace vipd::daemon
