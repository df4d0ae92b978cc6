#include "daemon/run_daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "base/log.h"
#include "conf/config.h"
#include "ctl/protocol.h"
#include "ctl/server.h"
#include "daemon/adoption.h"
#include "daemon/check_config.h"
#include "daemon/check_runtime.h"
#include "daemon/dump_files.h"
#include "daemon/script_security.h"
#include "daemon/services.h"
#include "daemon/vrrp_runtime.h"
#include "io/loop.h"
#include "sys/linux/memory_lock.h"
#include "sys/linux/netlink.h"
#include "sys/linux/proc_events.h"
#include "sys/linux/sd_notify.h"

namespace vipd::daemon {
namespace {

double threadCpuMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The text of the configuration that runs (conf::LoadResult::text), for a reload to compare
// with: SIGHUP's reader thread and vipctl's reload share it (one load at a time).
class RunningText {
 public:
  // nullopt when refused (said in the log and in `diags`) or, with *unchanged set, when
  // the files read the same as the running configuration's: nothing to apply.
  std::optional<conf::Config> load(const Options& o, std::vector<std::string>* diags,
                                   bool* unchanged);

 private:
  std::mutex m_;
  std::string text_;
};

std::optional<conf::Config> RunningText::load(const Options& o, std::vector<std::string>* diags,
                                              bool* unchanged) {
  std::lock_guard lock(m_);
  auto r = conf::loadFile(o.config_file, preprocessOptions(o), o.lenient,
                          text_.empty() ? nullptr : &text_);
  if (r.ok() && !r.unchanged)
    checkVirtualServers(r.config, r.diags);
  for (const auto& d : r.diags.all()) {
    (d.severity == Severity::kError ? log::error("{}", d.str()) : log::warning("{}", d.str()));
    if (diags)
      diags->push_back(d.str());
  }
  if (!r.ok()) {
    log::error("{}: configuration refused ({} error(s))", o.config_file, r.diags.errorCount());
    return std::nullopt;
  }
  if (unchanged)
    *unchanged = r.unchanged;
  if (r.unchanged)
    return std::nullopt;
  text_ = std::move(r.text);
  // Script security: each unsafe script is named now; with enable_script_security it is
  // refused when it would run (script_runner), the rest of the configuration runs.
  Diagnostics security;
  checkScriptSecurity(r.config, security);
  for (const auto& d : security.all())
    (d.severity == Severity::kError ? log::error("{}", d.str()) : log::warning("{}", d.str()));
  return std::move(r.config);
}

// vrrp_rt_priority / vrrp_no_swap / vrrp_rlimit_rttime (keepalived.conf(5)), for this (the
// VRRP) thread only. Off by default, as in keepalived: measured under 4 busy loops on 2
// cores, vipd still sent 100% of 255 x 10 ms adverts without them (bench/scale.sh).
// The VRRP loop's timing is the protocol (pain point: "A thread timer expired" under load
// means spurious takeovers), so by default it runs SCHED_RR at the lowest real-time
// priority: a busy machine's ordinary processes cannot delay an advert or a master-down
// timer. Safe because: children (scripts) start as ordinary processes
// (SCHED_RESET_ON_FORK); only this thread is real-time, not the control/metrics thread; a
// loop that runs RLIMIT_RTTIME without sleeping gets SIGXCPU, on which it drops to normal
// scheduling (dropToNormalScheduling) instead of holding a core; and the kernel's RT
// throttling still leaves every core 5%. `vrrp_rt_priority N` picks another priority,
// `vrrp_rt_priority 0` turns it off.
constexpr int kDefaultRtPriority = 1;

void tuneVrrpThread(const conf::GlobalDefs& g) {
  // vrrp_no_swap locks all memory now and to come (keepalived's). By default pages are
  // locked as they are first touched (MCL_ONFAULT): what the daemon uses never waits on
  // swap-in, and nothing unused becomes resident.
  const int lock =
      g.vrrp_no_swap ? MCL_CURRENT | MCL_FUTURE : MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;
  if (int err = sys::lockMemory(lock); err != 0) {
    if (g.vrrp_no_swap)
      log::warning("vrrp_no_swap: mlockall: {}", std::strerror(err));
    else
      log::info("memory not locked: {}", std::strerror(err));
  }
  const int prio = g.vrrp_rt_priority.value_or(kDefaultRtPriority);
  if (prio == 0)
    return;
  // SIGXCPU after this much CPU without sleeping, SIGKILL a second later if still
  // real-time. keepalived's default is 10 ms; vipd's is 1 s, because a reload of thousands
  // of instances is legitimate work of more than 10 ms (17 ms for 1000 with ASan).
  rlim_t rttime = 1'000'000;
  if (auto it = g.extra.find("vrrp_rlimit_rttime"); it != g.extra.end() && !it->second.empty())
    rttime = static_cast<rlim_t>(std::stoll(it->second.back().at(0)));
  rlimit rl{rttime, rttime + 1'000'000};
  ::setrlimit(RLIMIT_RTTIME, &rl);
  sched_param sp{};
  sp.sched_priority = prio;
  if (::sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) != 0) {
    if (g.vrrp_rt_priority)
      log::warning("vrrp_rt_priority {}: {}", prio, std::strerror(errno));
    else
      log::info("VRRP loop at normal priority (real-time refused: {})", std::strerror(errno));
  } else {
    log::info("VRRP loop runs SCHED_RR priority {}", prio);
  }
}

void dropToNormalScheduling() {
  sched_param sp{};
  if (::sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp) == 0)
    log::warning(
        "VRRP loop ran its real-time CPU limit without sleeping (SIGXCPU): it runs at "
        "normal priority from now on");
}

int facilityFor(const std::optional<std::string>& s) {
  // keepalived's -S takes 0..7 for LOG_LOCAL0..7.
  if (!s)
    return LOG_DAEMON;
  int n = std::atoi(s->c_str());
  return n >= 0 && n <= 7 ? (16 + n) << 3 : LOG_DAEMON;
}

// Refuses a second daemon on the same pid file, as keepalived does.
// The pid file is held with a lock for the daemon's life (flock on its open file), so
// "another vipd is running" is the lock, not a guess from the number inside: a pid file left
// by a daemon that died, or whose number now belongs to another process or a zombie, does
// not block a start, and a live daemon's is never taken over.
std::vector<int> held_pid_files;

bool claimPidFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    log::error("cannot open pid file {}: {}", path, std::strerror(errno));
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string holder(buf, n > 0 ? static_cast<size_t>(n) : 0);
    holder = holder.substr(0, holder.find('\n'));
    log::error("daemon is already running (pid {} holds the lock on {})",
               holder.empty() ? "?" : holder, path);
    ::close(fd);
    return false;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    log::error("cannot write pid file {}: {}", path, std::strerror(errno));
    ::close(fd);
    return false;
  }
  held_pid_files.push_back(fd);
  return true;
}

}  // namespace

int runDaemon(const Options& o) {
  // A peer that closes while we write (an SSL_GET server stopping mid-check: OpenSSL writes
  // with write(2), not send(MSG_NOSIGNAL)) must be an EPIPE for that check, not a signal
  // that ends the daemon. Scripts get the default back (child_process.cc).
  std::signal(SIGPIPE, SIG_IGN);
  log::Settings ls;
  ls.console = o.log_console;
  ls.syslog = !o.no_syslog;
  ls.facility = facilityFor(o.log_facility);
  ls.detail = o.log_detail;
  log::init(ls);

  // -s NAME: run inside the network namespace `ip netns add NAME` created (keepalived's
  // flag); everything after this sees only that namespace's interfaces.
  if (o.namespace_name) {
    const std::string path = "/run/netns/" + *o.namespace_name;
    // The process connector exists only in the initial namespace: bind it before leaving.
    sys::ProcEvents::openEarly();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      log::error("cannot enter network namespace {}: {}", *o.namespace_name, std::strerror(errno));
      if (fd >= 0)
        ::close(fd);
      return 1;
    }
    ::close(fd);
    log::info("running in network namespace {}", *o.namespace_name);
  }
  RunningText running;
  auto cfg = running.load(o, nullptr, nullptr);
  if (!cfg)
    return 1;
  const std::string control_socket = o.control_socket.value_or(
      cfg->global.control_socket.value_or(ctl::defaultSocketPath(o.namespace_name)));
  if (ctl::socketInUse(control_socket)) {
    log::error(
        "control socket {} belongs to a running daemon; give this one its own "
        "(--control-socket, global_defs control_socket, or -s NAME)",
        control_socket);
    return 1;
  }
  if (!o.foreground && ::daemon(0, 0) != 0) {
    log::error("cannot daemonize: {}", std::strerror(errno));
    return 1;
  }
  // keepalived names a namespaced daemon's pid file after the namespace.
  const std::string pid_file = o.pid_file.value_or(
      o.namespace_name ? "/run/vipd_" + *o.namespace_name + ".pid" : "/run/vipd.pid");
  if (!claimPidFile(pid_file))
    return 1;
  // -r: keepalived's VRRP child pid file; vipd is one process, so it holds the same pid.
  if (o.vrrp_pid_file && !claimPidFile(*o.vrrp_pid_file)) {
    ::unlink(pid_file.c_str());
    return 1;
  }

  int rc = 0;
  try {
    io::Loop loop;
    Adoption adoption(loop);  // before any script starts
    sys::Netlink nl;
    VrrpRuntime vrrp(loop, nl, o.dont_release_vrrp);
    // Health checkers on a thread of their own (-P: VRRP only, as keepalived's flag).
    CheckRuntime checks;
    checks.onAlert([&loop, &vrrp](std::string subject, std::string body) {
      loop.post([&vrrp, subject = std::move(subject), body = std::move(body)] {
        vrrp.notifier().mail(subject, body);
      });
    });
    auto dump = [&](const char* path, const std::string& text) {
      if (!writeFileAtomically(path, text))
        log::error("cannot write {}", path);
    };
    // SIGHUP: the files are read and checked on a thread of their own (a configuration with
    // a thousand virtual servers takes ~100 ms of CPU), then applied on the VRRP loop; a
    // SIGHUP during a read asks for one more read after it. Joined before the loop goes.
    struct Reader {
      std::thread thread;
      bool busy = false, again = false;  // VRRP loop only
      ~Reader() {
        if (thread.joinable())
          thread.join();
      }
    } reader;
    std::function<void()> readAndApply = [&] {
      reader.busy = true;
      if (reader.thread.joinable())
        reader.thread.join();  // the last read posted its result and is ending
      reader.thread = std::thread([&] {
        const double c0 = threadCpuMs();
        bool unchanged = false;
        auto next = running.load(o, nullptr, &unchanged);
        const double read_ms = threadCpuMs() - c0;
        auto shared = next ? std::make_shared<conf::Config>(std::move(*next)) : nullptr;
        loop.post([&, shared, read_ms, unchanged] {
          if (unchanged) {
            log::info(
                "Reload finished: the configuration reads the same as the running one "
                "({:.1f} ms of CPU to read the files); nothing to apply",
                read_ms);
          } else if (shared) {
            const double c1 = threadCpuMs();
            if (!o.vrrp_only)
              checks.reload(*shared);
            vrrp.reload(std::move(*shared));
            log::info(
                "Reload finished ({:.1f} ms of CPU to read and check the files on a reader "
                "thread, {:.1f} ms to apply on the VRRP loop)",
                read_ms, threadCpuMs() - c1);
          } else {
            log::error("Reload refused; the running configuration stays");
          }
          sys::sdNotify("READY=1");
          reader.busy = false;
          if (reader.again) {
            reader.again = false;
            readAndApply();
          }
        });
      });
    };
    // The checkers' half is read and written on their thread (none without virtual servers).
    auto dumpChecks = [&checks](std::string path, bool as_json) {
      checks.control({"vs", std::nullopt, {}}, [path, as_json](nlohmann::json j) {
        const auto& view = j.contains("result") ? j["result"] : j;
        if (view.value("virtual_servers", nlohmann::json::array()).empty())
          return;
        if (!writeFileAtomically(path, as_json ? view.dump(2) + "\n" : formatCheckData(view)))
          log::error("cannot write {}", path);
      });
    };
    loop.onSignals({SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN + 2, SIGXCPU, SIGCHLD},
                   [&](int sig) {
                     if (sig == SIGCHLD) {
                       adoption.onChildSignal();
                     } else if (sig == SIGXCPU) {
                       dropToNormalScheduling();
                     } else if (sig == SIGTERM || sig == SIGINT) {
                       log::info("Stopping");
                       sys::sdNotify("STOPPING=1");
                       vrrp.stop();
                       loop.stop();
                     } else if (sig == SIGHUP) {
                       log::info("Reloading");
                       sys::sdNotify("RELOADING=1");
                       if (reader.busy)
                         reader.again = true;  // one more read once this one is applied
                       else
                         readAndApply();
                     } else if (sig == SIGUSR1) {
                       dump("/tmp/keepalived.data", formatData(vrrp.view()));
                       dumpChecks("/tmp/keepalived_check.data", false);
                     } else if (sig == SIGUSR2) {
                       dump("/tmp/keepalived.stats", formatStats(vrrp.view()));
                     } else if (sig == SIGRTMIN + 2) {
                       dump("/tmp/keepalived.json", formatJson(vrrp.view()));
                       dumpChecks("/tmp/keepalived_check.json", true);
                     }
                   });
    log::info("Starting vipd, {} VRRP instance(s)", cfg->instances.size());
    vrrp.notifier().runBlocking(
        cfg->global.startup_script,
        static_cast<int>(cfg->global.startup_script_timeout.count() / 1'000'000), "startup_script");
    const conf::GlobalDefs global = cfg->global;  // all that is read below
    if (!o.vrrp_only)
      checks.start(*cfg);
    vrrp.start(std::move(*cfg));
    // The control socket and metrics: flags override global_defs; the socket is on by
    // default (root only), metrics only when asked for.
    DaemonInfo info;
    info.pid = static_cast<int>(::getpid());
    info.version = VIPD_VERSION;
    info.config_file = o.config_file;
    info.started_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    Services services(loop, vrrp, info,
                      [o, &running](std::vector<std::string>& diags, bool& unchanged) {
                        return running.load(o, &diags, &unchanged);
                      });
    if (!o.vrrp_only)
      services.onReload([&checks](conf::Config& c) { checks.reload(c); });
    services.onCheckControl(
        [&checks](const ctl::Request& r, std::function<void(nlohmann::json)> done) {
          checks.control(r, std::move(done));
        });
    ServicesConfig sc;
    sc.control_socket = control_socket;
    if (global.control_socket_group) {
      if (const group* g = ::getgrnam(global.control_socket_group->c_str()))
        sc.control_group = g->gr_gid;
      else
        log::error("control_socket_group {}: no such group", *global.control_socket_group);
    }
    sc.metrics_listen = o.metrics_listen ? o.metrics_listen : global.metrics_listen;
    services.start(sc);
    tuneVrrpThread(global);  // after the services thread exists: it must not inherit it
    sys::sdNotify("READY=1");
    loop.run();
    // Nothing vipd started outlives it: notify scripts get 5 s to finish, then their
    // process groups are killed (issue 17: hung notify_master scripts were left behind).
    vrrp.finishScripts(std::chrono::seconds(5));
    vrrp.notifier().runBlocking(
        global.shutdown_script,
        static_cast<int>(global.shutdown_script_timeout.count() / 1'000'000), "shutdown_script");
  } catch (const std::system_error& e) {
    if (e.code().value() == EMFILE || e.code().value() == ENFILE) {
      rlimit nofile{};
      ::getrlimit(RLIMIT_NOFILE, &nofile);
      log::error("fatal: {} (the open-files limit is {}: raise ulimit -n or LimitNOFILE)", e.what(),
                 nofile.rlim_cur);
    } else {
      log::error("fatal: {}", e.what());
    }
    rc = 1;
  } catch (const std::exception& e) {
    log::error("fatal: {}", e.what());
    rc = 1;
  }
  // Last, once the checkers' thread has finished its scripts too: what scripts left running.
  Adoption::stopAll(std::chrono::seconds(2));
  ::unlink(pid_file.c_str());
  if (o.vrrp_pid_file)
    ::unlink(o.vrrp_pid_file->c_str());
  for (int fd : held_pid_files)
    ::close(fd);
  held_pid_files.clear();
  return rc;
}

}  // namespace vipd::daemon
