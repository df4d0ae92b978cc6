#include "daemon/check_config.h"

#include <fmt/format.h>

#include <fstream>
#include <ostream>

#include "conf/config.h"
#include "daemon/script_security.h"

namespace vipd::daemon {
namespace {

bool onlySecurityErrors(const Diagnostics& d) {
  for (const auto& x : d.all()) {
    if (x.severity == Severity::kError &&
        x.message.find("(refused: enable_script_security)") == std::string::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

int runConfigCheck(const Options& opts, std::ostream& out, std::ostream& err) {
  auto pre = conf::defaultPreprocessOptions();
  if (opts.config_id)
    pre.config_id = *opts.config_id;
  auto result = conf::loadFile(opts.config_file, pre, opts.lenient);

  std::ofstream log_file;
  std::ostream* diag_out = &err;
  if (opts.config_test_log) {
    log_file.open(*opts.config_test_log);
    if (log_file)
      diag_out = &log_file;
  }
  bool unsafe = !result.file_missing && checkScriptSecurity(result.config, result.diags);
  *diag_out << result.diags.str();
  if (opts.dump_conf && !result.file_missing)
    out << conf::dumpConfig(result.config);

  int errors = result.diags.errorCount();
  int warnings = result.diags.warningCount();
  if (opts.config_test) {
    *diag_out << fmt::format("{}: {} error(s), {} warning(s)\n", opts.config_file, errors,
                             warnings);
  }
  if (result.file_missing)
    return kExitCannotRead;
  if (errors > 0) {
    // Script security has its own exit code when it is the only kind of error.
    return unsafe && onlySecurityErrors(result.diags) ? kExitScriptSecurity : kExitConfigErrors;
  }
  return kExitOk;
}

}  // namespace vipd::daemon
