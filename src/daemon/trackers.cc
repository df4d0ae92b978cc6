#include "daemon/trackers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "base/text.h"

namespace vipd::daemon {
namespace {

std::string readWhole(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// keepalived reads the file's leading integer (strtol); anything else, or no file, is 0.
int64_t fileValue(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
    ++i;
  size_t j = i;
  if (j < text.size() && (text[j] == '-' || text[j] == '+'))
    ++j;
  while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
    ++j;
  return parseInt(text.substr(i, j - i)).value_or(0);
}

TrackerStatus initial(const std::string& key, bool known, bool up) {
  TrackerStatus st;
  st.key = key;
  st.known = known;
  st.up = up;
  return st;
}

}  // namespace

Trackers::Trackers(io::Loop& loop, sys::Netlink& nl, ScriptRunner& runner)
    : loop_(loop), nl_(nl), runner_(runner) {
  timer_ = loop_.addTimer([this] { onTimer(); });
}

Trackers::~Trackers() {
  if (file_watch_)
    loop_.unwatch(file_watch_->fd());
  if (proc_events_)
    loop_.unwatch(proc_events_->fd());
  loop_.removeTimer(timer_);
}

void Trackers::changed(TrackerStatus& st) {
  if (on_change)
    on_change(st.key);
}

void Trackers::configure(const conf::Config& cfg, const std::set<std::string>& keys) {
  global_ = cfg.global;
  const auto now = io::monotonicNow();
  // Scripts.
  std::map<std::string, std::unique_ptr<Script>> scripts;
  for (const auto& vs : cfg.vrrp_scripts) {
    const std::string key = "script " + vs.name;
    if (!keys.count(key))
      continue;
    auto old = scripts_.find(vs.name);
    if (old != scripts_.end() && old->second->conf == vs) {
      scripts.emplace(vs.name, std::move(old->second));
      continue;
    }
    core::RiseFall verdict(vs.rise, vs.fall, vs.init_fail);
    auto s = std::make_unique<Script>(
        Script{vs, verdict, initial(key, verdict.known(), verdict.up()), now, false, ++serial_});
    scripts.emplace(vs.name, std::move(s));
  }
  scripts_ = std::move(scripts);
  // Interfaces: state straight from the kernel.
  std::map<std::string, TrackerStatus> ifs;
  for (const auto& key : keys) {
    if (key.rfind("interface ", 0) != 0)
      continue;
    const std::string name = key.substr(10);
    auto link = nl_.link(name);
    TrackerStatus st = initial(key, true, link && link->up);
    st.detail = !link ? "not found" : link->up ? "up" : "down";
    ifs[name] = st;
  }
  interfaces_ = std::move(ifs);
  // Files.
  std::map<std::string, File> files;
  for (const auto& tf : cfg.track_files) {
    const std::string key = "file " + tf.name;
    if (!keys.count(key))
      continue;
    if (tf.init_file) {
      // init_file [VALUE] [overwrite]: create the file (or overwrite it) with VALUE (0).
      std::string value = "0";
      bool overwrite = false;
      for (const auto& w : *tf.init_file) {
        if (w == "overwrite")
          overwrite = true;
        else
          value = w;
      }
      struct stat sb {};
      if (overwrite || ::stat(tf.file.c_str(), &sb) != 0) {
        std::ofstream out(tf.file, std::ios::trunc);
        out << value << "\n";
      }
    }
    File f{tf, initial(key, true, true)};
    if (!file_watch_) {
      file_watch_ = std::make_unique<sys::FileWatch>();
      loop_.watch(file_watch_->fd(), [this] {
        file_watch_->drain([this](const std::string& dir, const std::string& name) {
          for (auto& [n, file] : files_) {
            if (dirOf(file.conf.file) == dir && baseName(file.conf.file) == name)
              readFile(file, true);
          }
        });
      });
    }
    if (!file_watch_->watch(dirOf(tf.file)))
      log::error("track_file {}: cannot watch {}: {}", tf.name, dirOf(tf.file),
                 std::strerror(errno));
    readFile(f, false);
    files[tf.name] = std::move(f);
  }
  files_ = std::move(files);
  // Processes.
  std::map<std::string, Process> procs;
  for (const auto& tp : cfg.track_processes) {
    const std::string key = "process " + tp.name;
    if (!keys.count(key))
      continue;
    auto old = processes_.find(tp.name);
    if (old != processes_.end() && old->second.conf == tp) {
      procs[tp.name] = std::move(old->second);
      continue;
    }
    Process p;
    p.conf = tp;
    p.st = initial(key, true, false);
    procs[tp.name] = std::move(p);
  }
  processes_ = std::move(procs);
  if (!processes_.empty() && !proc_events_) {
    try {
      proc_events_ = std::make_unique<sys::ProcEvents>();
      loop_.watch(proc_events_->fd(), [this] {
        bool complete = proc_events_->drain([this](const sys::ProcEvent& e) {
          processEvent(e.pid, e.kind == sys::ProcEvent::Kind::kExit);
        });
        if (!complete) {
          log::warning("process events lost; rescanning /proc");
          scanProcesses();
        }
      });
    } catch (const std::system_error& e) {
      proc_polling_ = true;
      log::warning(
          "vrrp_track_process: {} (the kernel serves it in the initial network "
          "namespace only); scanning /proc every {} ms instead",
          e.what(), kScanInterval.count() / 1000);
    }
  }
  if (proc_polling_)
    next_scan_ = io::monotonicNow() + kScanInterval;
  if (!processes_.empty())
    scanProcesses();
  for (auto& [name, s] : scripts_) {
    if (!s->running && s->next < now)
      s->next = now;
  }
  rearm();
}

const TrackerStatus* Trackers::status(const std::string& key) const {
  const auto space = key.find(' ');
  const std::string kind = key.substr(0, space), name = key.substr(space + 1);
  if (kind == "script") {
    auto it = scripts_.find(name);
    return it == scripts_.end() ? nullptr : &it->second->st;
  }
  if (kind == "interface") {
    auto it = interfaces_.find(name);
    return it == interfaces_.end() ? nullptr : &it->second;
  }
  if (kind == "file") {
    auto it = files_.find(name);
    return it == files_.end() ? nullptr : &it->second.st;
  }
  if (kind == "process") {
    auto it = processes_.find(name);
    return it == processes_.end() ? nullptr : &it->second.st;
  }
  return nullptr;
}

std::vector<TrackerStatus> Trackers::all() const {
  std::vector<TrackerStatus> out;
  for (const auto& [n, s] : scripts_)
    out.push_back(s->st);
  for (const auto& [n, s] : interfaces_)
    out.push_back(s);
  for (const auto& [n, f] : files_)
    out.push_back(f.st);
  for (const auto& [n, p] : processes_)
    out.push_back(p.st);
  return out;
}

void Trackers::linkChanged(const sys::Link& link, bool deleted) {
  auto it = interfaces_.find(link.name);
  if (it == interfaces_.end())
    return;
  const bool up = !deleted && link.up;
  if (it->second.up == up)
    return;
  it->second.up = up;
  it->second.detail = deleted ? "deleted" : up ? "up" : "down";
  log::info("tracked interface {} is {}", link.name, it->second.detail);
  changed(it->second);
}

// ------------------------------------------------------------------ scripts

void Trackers::runScript(Script& s) {
  std::string error;
  auto req = scriptRequest(s.conf.script, global_, {}, error);
  const auto now = io::monotonicNow();
  s.next = now + s.conf.interval;
  auto finish = [this, name = s.conf.name, serial = s.serial](const ScriptExit& ex) {
    auto it = scripts_.find(name);
    if (it == scripts_.end() || it->second->serial != serial)
      return;  // removed or replaced by a reload while it ran
    Script& sc = *it->second;
    sc.running = false;
    ++sc.st.runs;
    const bool ok = ex.ok();
    if (!ok)
      ++sc.st.failures;
    const std::string detail = ex.describe();
    if (detail != sc.st.detail)
      log::info("Script `{}` now {}", name, detail);
    sc.st.detail = detail;
    if (sc.verdict.record(ok)) {
      sc.st.known = true;
      sc.st.up = sc.verdict.up();
      if (sc.st.up)
        log::info("VRRP_Script({}) succeeded", name);
      else
        log::warning("VRRP_Script({}) failed ({})", name, detail);
      changed(sc.st);
    }
    rearm();
  };
  if (!req) {
    // Never run (refused by script security, unknown user): a check that cannot run cannot
    // vouch for the service.
    log::error("VRRP_Script({}) not run: {}", s.conf.name, error);
    finish(ScriptExit{127 << 8, false});
    return;
  }
  if (!runner_.run(*req, s.conf.timeout.value_or(s.conf.interval), finish, error)) {
    if (runner_.lastStartWasShortage()) {
      // This host is short of descriptors or processes: nothing is known of the service,
      // so the script's verdict stays as it was (keepalived forks without a descriptor
      // and would run it; a FAULT here would hand the VIPs over for a local limit).
      if (!s.starved)
        log::error("VRRP_Script({}) cannot start: {}; its state stays {} until it runs again",
                   s.conf.name, error, s.st.up ? "up" : "down");
      s.starved = true;
      rearm();
      return;
    }
    log::error("VRRP_Script({}) cannot start: {}", s.conf.name, error);
    finish(ScriptExit{127 << 8, false});
    return;
  }
  if (s.starved)
    log::info("VRRP_Script({}) runs again", s.conf.name);
  s.starved = false;
  s.running = true;
}

// ------------------------------------------------------------------ files

void Trackers::readFile(File& f, bool log_change) {
  std::ifstream in(f.conf.file);
  const int64_t v = in ? fileValue(readWhole(f.conf.file)) : 0;
  if (f.st.value == v)
    return;
  f.st.value = v;
  f.st.detail = "value " + std::to_string(v);
  if (log_change) {
    log::info("track_file {} ({}) now {}", f.conf.name, f.conf.file, v);
    changed(f.st);
  }
}

// ------------------------------------------------------------------ processes

bool Trackers::matches(const conf::TrackProcess& p, int pid) const {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  if (p.process.empty())
    return false;
  const bool by_cmdline = p.full_command || p.process.size() > 1;
  if (!by_cmdline) {
    std::string comm = readWhole(dir + "comm");
    if (!comm.empty() && comm.back() == '\n')
      comm.pop_back();
    // The kernel keeps 15 characters of the name.
    return !comm.empty() && comm == p.process[0].substr(0, 15);
  }
  const std::string raw = readWhole(dir + "cmdline");
  std::vector<std::string> argv;
  for (size_t i = 0; i < raw.size();) {
    size_t z = raw.find('\0', i);
    if (z == std::string::npos)
      z = raw.size();
    argv.push_back(raw.substr(i, z - i));
    i = z + 1;
  }
  if (argv.empty())
    return false;
  if (p.full_command && p.process.size() == 1) {
    std::string joined;
    for (const auto& a : argv)
      joined += (joined.empty() ? "" : " ") + a;
    return joined == p.process[0];
  }
  if (argv[0] != p.process[0] && baseName(argv[0]) != p.process[0])
    return false;
  const size_t want = p.process.size() - 1, have = argv.size() - 1;
  const std::string mode = p.param_match.value_or("");
  if (mode.empty() && want != have)
    return false;
  if (want > have)
    return false;
  for (size_t k = 0; k < want; ++k) {
    const auto& w = p.process[k + 1];
    const auto& a = argv[k + 1];
    const bool last = k + 1 == want;
    if (mode == "partial" && last ? a.rfind(w, 0) != 0 : a != w)
      return false;
  }
  return true;
}

void Trackers::processEvent(int pid, bool exited) {
  for (auto& [name, p] : processes_) {
    const bool had = p.pids.count(pid) > 0;
    const bool has = !exited && matches(p.conf, pid);
    if (had == has)
      continue;
    if (has)
      p.pids.insert(pid);
    else
      p.pids.erase(pid);
    recount(p);
  }
}

void Trackers::scanProcesses() {
  std::map<std::string, std::set<int>> before;
  for (auto& [name, p] : processes_) {
    before[name] = p.pids;
    p.pids.clear();
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const auto pid = parseInt(e.path().filename().string());
    if (!pid)
      continue;
    for (auto& [name, p] : processes_) {
      if (matches(p.conf, static_cast<int>(*pid)))
        p.pids.insert(static_cast<int>(*pid));
    }
  }
  for (auto& [name, p] : processes_) {
    if (!p.scanned) {
      // The first count is the truth: no delay.
      p.scanned = true;
      p.st.up =
          core::quorumHolds(static_cast<int64_t>(p.pids.size()), p.conf.quorum, p.conf.quorum_max);
      p.st.detail = std::to_string(p.pids.size()) + " running";
      log::info("vrrp_track_process {}: {}", p.conf.name, p.st.detail);
      changed(p.st);
    } else if (p.pids != before[name]) {
      recount(p);
    }
  }
}

void Trackers::recount(Process& p) {
  const bool up =
      core::quorumHolds(static_cast<int64_t>(p.pids.size()), p.conf.quorum, p.conf.quorum_max);
  p.st.detail = std::to_string(p.pids.size()) + " running";
  if (up == p.st.up) {
    p.pending.reset();
    return;
  }
  // Debounce (keepalived's fork_delay / terminate_delay; `delay` sets both).
  auto delay = up ? p.conf.fork_delay : p.conf.terminate_delay;
  if (delay.count() == 0)
    delay = p.conf.delay;
  if (delay.count() > 0) {
    if (p.pending != up) {
      p.pending = up;
      p.pending_at = io::monotonicNow() + delay;
      rearm();
    }
    return;
  }
  p.st.up = up;
  log::info("vrrp_track_process {}: {} ({})", p.conf.name, up ? "quorum reached" : "quorum lost",
            p.st.detail);
  changed(p.st);
}

// ------------------------------------------------------------------ timer

void Trackers::onTimer() {
  const auto now = io::monotonicNow();
  for (auto& [name, s] : scripts_) {
    if (!s->running && s->next <= now)
      runScript(*s);
  }
  if (proc_polling_ && !processes_.empty() && next_scan_ <= now) {
    next_scan_ = now + kScanInterval;
    scanProcesses();
  }
  for (auto& [name, p] : processes_) {
    if (p.pending && p.pending_at <= now) {
      const bool up = *p.pending;
      p.pending.reset();
      if (up != p.st.up) {
        p.st.up = up;
        log::info("vrrp_track_process {}: {} ({})", p.conf.name,
                  up ? "quorum reached" : "quorum lost", p.st.detail);
        changed(p.st);
      }
    }
  }
  rearm();
}

void Trackers::rearm() {
  std::optional<io::Micros> next;
  auto consider = [&](io::Micros t) {
    if (!next || t < *next)
      next = t;
  };
  for (const auto& [name, s] : scripts_) {
    if (!s->running)
      consider(s->next);
  }
  for (const auto& [name, p] : processes_) {
    if (p.pending)
      consider(p.pending_at);
  }
  if (proc_polling_ && !processes_.empty())
    consider(next_scan_);
  loop_.armTimer(timer_, next);
}

}  // namespace vipd::daemon
