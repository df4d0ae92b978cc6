#include "daemon/check_config.h"

#include <fmt/format.h>

#include <fstream>
#include <ostream>

#include "check/plan.h"
#include "conf/config.h"
#include "daemon/script_runner.h"
#include "daemon/script_security.h"
#include "lb/service.h"
#include "probe/attempt.h"
#include "sys/linux/ipvs.h"

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

bool usesIpvs(const std::string& backend) {
  if (backend == "nftables")
    return false;
  std::string why;
  return backend == "ipvs" || sys::Ipvs::open(why).has_value();
}

void checkVirtualServers(const conf::Config& cfg, Diagnostics& d) {
  if (const auto& ct = cfg.global.conntrack_sync) {
    // Not errors: conntrackd may be installed, or its config written, after this check.
    if (!isProgram(ct->program))
      d.warning(ct->loc, fmt::format("conntrack_sync: '{}' is not an executable here (Debian: "
                                     "apt-get install conntrackd)",
                                     ct->program));
    if (!std::ifstream(ct->config))
      d.warning(ct->loc, fmt::format("conntrack_sync: cannot read '{}'", ct->config));
  }
  if (cfg.virtual_servers.empty())
    return;
  // What the nftables data plane cannot do as written is said at its virtual server; with
  // IPVS (lb_backend, or auto on a kernel that has it) those limits do not apply: IPVS runs
  // every keepalived scheduler, flag and forwarding method as written.
  if (!usesIpvs(cfg.global.lb_backend)) {
    lb::makeServices(cfg, d);
    // The alias is noted under its own name.
    for (const auto& [key, loc] : cfg.global.keys.at) {
      if (key == "lvs_flush" || key == "lvs_flush_on_stop" || key == "lvs_flush_onstop")
        d.warning(loc, fmt::format("'{}' applies to IPVS; the nftables data plane's table is "
                                   "replaced at start and removed at stop anyway",
                                   key));
    }
  } else {
    Diagnostics all;
    lb::makeServices(cfg, all);
    for (const auto& x : all.all()) {
      if (x.message.find("nftables") != std::string::npos)
        continue;
      if (x.severity == Severity::kError)
        d.error(x.loc, x.message);
      else
        d.warning(x.loc, x.message);
    }
  }
  const auto plan = check::makePlan(cfg);
  for (size_t vi = 0; vi < cfg.virtual_servers.size(); ++vi) {
    const auto& v = cfg.virtual_servers[vi];
    if (v.ha_suspend && v.fwmark)
      d.warning(v.loc,
                "ha_suspend on an fwmark virtual server: it has no address to wait for, so "
                "its checks always run (keepalived clears ha_suspend here too)");
    for (size_t ri = 0; ri < v.real_servers.size(); ++ri) {
      const auto& r = v.real_servers[ri];
      size_t ci = 0;
      for (const auto& c : r.checkers) {
        if (c.kind == conf::CheckerKind::kBfd) {
          d.warning(c.loc,
                    "BFD_CHECK is not run by vipd (no BFD); the real server is not "
                    "checked by it");
          continue;
        }
        // The plan has one spec per checker, and one per `host` of an SMTP_CHECK.
        const size_t specs =
            c.kind == conf::CheckerKind::kSmtp && !c.hosts.empty() ? c.hosts.size() : 1;
        for (size_t k = 0; k < specs; ++k) {
          std::string error;
          if (!probe::prepare(plan.virtual_servers[vi].real_servers[ri].checks.at(ci++), error))
            d.error(c.loc, error);
        }
        if ((c.kind == conf::CheckerKind::kHttpGet || c.kind == conf::CheckerKind::kSslGet) &&
            c.urls.empty())
          d.warning(c.loc, std::string(check::checkerName(c.kind)) +
                               " has no url: the real server counts as up without a check");
        if (c.kind == conf::CheckerKind::kFile && c.track_file) {
          bool found = false;
          for (const auto& tf : cfg.track_files)
            found = found || tf.name == *c.track_file;
          if (!found)
            d.error(c.loc, "FILE_CHECK: no track_file block named '" + *c.track_file + "'");
        }
      }
    }
  }
}

conf::PreprocessOptions preprocessOptions(const Options& opts) {
  auto pre = conf::defaultPreprocessOptions();
  if (opts.config_id)
    pre.config_id = *opts.config_id;
  pre.check_all_includes = opts.all_config;
  return pre;
}

int runConfigCheck(const Options& opts, std::ostream& out, std::ostream& err) {
  auto result = conf::loadFile(opts.config_file, preprocessOptions(opts), opts.lenient);

  std::ofstream log_file;
  std::ostream* diag_out = &err;
  if (opts.config_test_log) {
    log_file.open(*opts.config_test_log);
    if (log_file)
      diag_out = &log_file;
  }
  bool unsafe = !result.file_missing && checkScriptSecurity(result.config, result.diags);
  if (!result.file_missing && result.ok())
    checkVirtualServers(result.config, result.diags);
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
