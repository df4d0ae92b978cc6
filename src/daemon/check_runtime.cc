#include "daemon/check_runtime.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <unordered_map>

#include "base/diag.h"
#include "base/log.h"
#include "check/failure_class.h"
#include "sys/linux/memory_lock.h"

namespace vipd::daemon {

using check::Change;
using conf::CheckerKind;

namespace {

// keepalived's client context: no verification of the server's certificate (SSL_GET checks
// that the service answers, keepalived #804), the global SSL block's key and certificate
// presented when the server asks for one.
SSL_CTX* makeTlsContext(const std::optional<conf::SslContext>& ssl) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx)
    return nullptr;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (ssl) {
    if (ssl->password)
      SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<char*>(ssl->password->c_str()));
    if (ssl->ca && SSL_CTX_load_verify_locations(ctx, ssl->ca->c_str(), nullptr) != 1)
      log::error("SSL ca {}: cannot load", *ssl->ca);
    if (ssl->certificate && SSL_CTX_use_certificate_chain_file(ctx, ssl->certificate->c_str()) != 1)
      log::error("SSL certificate {}: cannot load", *ssl->certificate);
    if (ssl->key && SSL_CTX_use_PrivateKey_file(ctx, ssl->key->c_str(), SSL_FILETYPE_PEM) != 1)
      log::error("SSL key {}: cannot load", *ssl->key);
  }
  return ctx;
}

std::string describeSeconds(Micros t) {
  return fmt::format("{:g} s", static_cast<double>(t.count()) / 1e6);
}

// A global_defs boolean kept in `extra`: present alone, or with a true word.
bool globalFlag(const conf::GlobalDefs& g, const char* key) {
  auto it = g.extra.find(key);
  if (it == g.extra.end() || it->second.empty())
    return false;
  const auto& words = it->second.back();
  return words.empty() || words[0] == "yes" || words[0] == "true" || words[0] == "on" ||
         words[0] == "1";
}

std::string routerId(const conf::GlobalDefs& g) {
  if (g.router_id)
    return *g.router_id;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

CheckRuntime::CheckRuntime() = default;

CheckRuntime::~CheckRuntime() {
  if (thread_.joinable()) {
    loop_.post([this] {
      logStats();
      omegaAtStop();
      clear();
      lb_.reset();  // the table goes with the daemon
      suspend_.reset();
      if (fifo_script_)  // the FIFO reader ends with the daemon, as keepalived's does
        runner_.signal(*fifo_script_, SIGTERM);
      loop_.stop();
    });
    thread_.join();
    // The omega notifiers just started (and any other script) get 5 s, then their process
    // groups are killed: nothing outlives the daemon.
    runner_.finish(std::chrono::seconds(5));
  }
  if (fifo_fd_ >= 0)
    ::close(fifo_fd_);
  if (tls_)
    SSL_CTX_free(tls_);
}

namespace {
std::shared_ptr<const conf::Config> takeVirtualServers(conf::Config& cfg) {
  auto servers = std::move(cfg.virtual_servers);
  cfg.virtual_servers.clear();
  auto out = std::make_shared<conf::Config>(cfg);
  out->virtual_servers = std::move(servers);
  return out;
}
}  // namespace

void CheckRuntime::start(conf::Config& cfg) {
  if (cfg.virtual_servers.empty())
    return;
  auto shared = takeVirtualServers(cfg);
  loop_.post([this, shared] { apply(shared); });
  thread_ = std::thread([this] { loop_.run(); });
  started_ = true;
}

void CheckRuntime::reload(conf::Config& cfg) {
  if (!thread_.joinable()) {
    start(cfg);
    return;
  }
  auto shared = takeVirtualServers(cfg);
  loop_.post([this, shared] { apply(shared); });
}

void CheckRuntime::clear() {
  for (auto& s : slots_) {
    if (s->timer)
      timers_.cancel(s->timer);
    if (s->script > 0)
      runner_.signal(s->script, SIGKILL);
  }
  slots_.clear();
  finished_.clear();
  files_.reset();
}

namespace {
// CPU time of the calling thread, for the cost of a configuration change in the log.
double threadCpuMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
}  // namespace

void CheckRuntime::apply(std::shared_ptr<const conf::Config> cfg) {
  const double cpu0 = threadCpuMs();
  // What the running configuration knows, by identity, before it goes.
  struct Kept {
    const check::CheckSpec* spec;  // in old_plan, alive until the end of this function
    check::CheckerState state;
    int64_t dynamic;
    Micros due;
    int64_t file_value;
    Micros since;
    std::string last_reason;
    double last_ms;
  };
  std::unordered_map<std::string, Kept> kept;
  std::map<std::string, bool> quorum;
  const Micros now = io::monotonicNow();
  auto identity = [](const std::string& vs, const std::string& rs, size_t ck) {
    return vs + "|" + rs + "|" + std::to_string(ck);
  };
  if (health_) {
    kept.reserve(slots_.size());
    for (const auto& s : slots_) {
      const auto& v = plan_.virtual_servers[s->id.vs];
      kept.emplace(
          identity(v.key, v.real_servers[s->id.rs].key, s->id.ck),
          Kept{s->spec, health_->checker(s->id), health_->dynamic(s->id), s->running ? now : s->due,
               s->file_value, s->since, s->last_reason, s->last_ms});
    }
    for (size_t i = 0; i < plan_.virtual_servers.size(); ++i)
      quorum[plan_.virtual_servers[i].key] = health_->quorumUp(i);
  }
  // The slots point into the old plan, and the plan into its configuration: both stay
  // alive while they are compared (a vector's elements keep their addresses when the vector
  // is moved).
  const check::Plan old_plan = std::move(plan_);
  const auto old_cfg = cfg_;
  clear();
  ramps_.clear();  // a ramp in progress ends at the reload: its server has full weight
  if (ramp_timer_)
    timers_.cancel(ramp_timer_);
  ramp_timer_ = 0;
  cfg_ = std::move(cfg);
  plan_ = check::makePlan(*cfg_);
  health_ = std::make_unique<check::Health>(plan_);
  bool any_tls = false;
  for (const auto& v : plan_.virtual_servers) {
    for (const auto& r : v.real_servers) {
      for (const auto& c : r.checks)
        any_tls = any_tls || c.kind == CheckerKind::kSslGet;
    }
  }
  // One client context per configuration: made again when a reload changes the SSL block
  // (attempts that used the old one are gone with the old slots).
  if (any_tls && (!tls_ || tls_conf_ != cfg_->ssl)) {
    if (tls_)
      SSL_CTX_free(tls_);
    tls_ = makeTlsContext(cfg_->ssl);
    tls_conf_ = cfg_->ssl;
  }
  env_.tls = tls_;
  openFifo();
  std::uniform_real_distribution<double> u(0.0, 1.0);
  size_t rs_count = 0, carried = 0;
  for (size_t vi = 0; vi < plan_.virtual_servers.size(); ++vi) {
    const auto& v = plan_.virtual_servers[vi];
    for (size_t ri = 0; ri < v.real_servers.size(); ++ri) {
      const auto& r = v.real_servers[ri];
      ++rs_count;
      for (size_t ci = 0; ci < r.checks.size(); ++ci) {
        auto slot = std::make_unique<Slot>();
        slot->id = {vi, ri, ci};
        slot->spec = &r.checks[ci];
        slot->since = now;
        std::string error;
        slot->prep = probe::prepare(*slot->spec, error);
        if (!slot->prep) {
          log::error("{} of VS {}: {}; checker not run", slot->spec->label, v.key, error);
          continue;
        }
        log::debug("Activating healthchecker for service {} for VS {}", r.key, v.key);
        std::optional<Micros> due;
        if (auto it = kept.find(identity(v.key, r.key, ci));
            it != kept.end() && *it->second.spec == *slot->spec) {
          health_->restore(slot->id, it->second.state, it->second.dynamic);
          slot->file_value = it->second.file_value;
          slot->since = it->second.since;
          slot->last_reason = it->second.last_reason;
          slot->last_ms = it->second.last_ms;
          due = std::max(now, it->second.due);
          ++carried;
        }
        if (slot->spec->kind == CheckerKind::kFile) {
          if (!files_) {
            try {
              files_ = std::make_unique<sys::FileWatch>();
              loop_.watch(files_->fd(), [this] { onFileEvents(); });
            } catch (const std::exception& e) {
              log::error("FILE_CHECK: {}", e.what());
            }
          }
          if (files_ && !files_->watch(dirOf(slot->spec->file_path)))
            log::error("{}: cannot watch {}: {}", slot->spec->label, dirOf(slot->spec->file_path),
                       std::strerror(errno));
          Slot& s = *slot;
          slots_.push_back(std::move(slot));
          readFile(s);
          continue;
        }
        const bool immediate =
            slot->spec->conf->fast_recovery.value_or(false) && slot->spec->timing.alpha;
        Slot& s = *slot;
        slots_.push_back(std::move(slot));
        schedule(s, due ? *due : health_->checker(s.id).firstAttempt(now, u(rng_), immediate));
      }
    }
  }
  for (size_t i = 0; i < plan_.virtual_servers.size(); ++i) {
    auto q = quorum.find(plan_.virtual_servers[i].key);
    health_->restoreQuorum(i, q == quorum.end() ? std::nullopt : std::optional<bool>(q->second));
  }
  loadRuntimeState();  // before the pools are computed
  if (!lb_)
    lb_ = makeLoadBalancer(cfg_->global.lb_backend);
  const double cpu1 = threadCpuMs();
  lb_->apply(cfg_, [this](size_t vs) { return lbHealth(vs); });
  applyHaSuspend();
  // What the configuration's load and the first nftables transaction freed goes back to the
  // kernel (1,000 x 10 with nftables: VmRSS 130 -> 63 MiB). Here, not on the VRRP loop: the
  // lock is lifted and retaken under the mmap lock, and pages given back are faulted in
  // again when reused; neither belongs on the real-time thread.
  if (const size_t freed = sys::trimHeap(); freed >= (1u << 20))
    log::info("{} MiB of freed memory returned to the kernel", freed >> 20);
  const double cpu2 = threadCpuMs();
  log::info(
      "Health checking {} real server(s) of {} virtual server(s) with {} checker(s){} ({:.1f} "
      "ms of CPU: checkers {:.1f}, load balancer {:.1f})",
      rs_count, plan_.virtual_servers.size(), slots_.size(),
      kept.empty() ? "" : fmt::format(", {} kept from the running configuration", carried),
      cpu2 - cpu0, cpu1 - cpu0, cpu2 - cpu1);
}

// omega: at shutdown, a virtual server with it says every real server that was up goes
// down (notify_down, the FIFO) and, if it had quorum, that quorum goes (quorum_down);
// without omega keepalived says nothing at shutdown (ipwrapper.c, clear_service_rs and
// do_vs_notifies with `stopping`). The scripts are started, not waited for.
void CheckRuntime::omegaAtStop() {
  if (!health_)
    return;
  for (size_t i = 0; i < plan_.virtual_servers.size(); ++i) {
    const auto& vs = plan_.virtual_servers[i];
    if (!vs.omega)
      continue;
    for (size_t r = 0; r < vs.real_servers.size(); ++r) {
      if (!health_->alive(i, r))
        continue;
      const auto& rs = vs.real_servers[r];
      log::info("Removing service {} from VS {} (shutting down, omega)", rs.key, vs.key);
      notify(rs.notify_down, fmt::format("notify_down for {}", rs.key));
      fifoLine(fmt::format("RS {} {} DOWN", rs.key, vs.key));
    }
    if (health_->quorumUp(i)) {
      notify(vs.quorum_down, fmt::format("quorum_down for VS {}", vs.key));
      fifoLine(fmt::format("VS {} DOWN", vs.key));
    }
  }
}

// ha_suspend: the addresses each such virtual server answers on (fwmark ones have none:
// keepalived clears ha_suspend there, and `vipd -t` says so).
void CheckRuntime::applyHaSuspend() {
  Diagnostics ignored;
  const auto specs = lb::makeServices(*cfg_, ignored);
  std::vector<std::vector<IpAddress>> addresses(plan_.virtual_servers.size());
  for (size_t i = 0; i < addresses.size() && i < specs.size(); ++i) {
    if (!plan_.virtual_servers[i].ha_suspend)
      continue;
    for (const auto& f : specs[i].fronts) {
      if (f.addr)
        addresses[i].push_back(*f.addr);
    }
  }
  if (!suspend_)
    suspend_ = std::make_unique<HaSuspend>(loop_);
  suspend_->configure(std::move(addresses), [this](size_t vs, bool active) {
    log::info("{} health checkers of VS {} (ha_suspend: {} on this host)",
              active ? "Activating" : "Suspending", plan_.virtual_servers[vs].key,
              active ? "its address is" : "none of its addresses is");
  });
}

void CheckRuntime::logStats() {
  if (lateness_us_.empty())
    return;
  auto v = lateness_us_;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return static_cast<double>(
               v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]) /
           1000.0;
  };
  log::info(
      "Checker loop: {} attempts ({} failed, {} transitions, {} scripts); start lateness over "
      "the last {}: p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms",
      counters_.attempts, counters_.failures, counters_.transitions, counters_.scripts_run,
      v.size(), at(0.5), at(0.99), static_cast<double>(v.back()) / 1000.0);
}

void CheckRuntime::schedule(Slot& s, Micros at) {
  // Timer slack: attempts are started in 5 ms slots (less for delay_loops under 0.5 s), so
  // that thousands of checks a second wake the loop a few hundred times, not once each
  // (a wakeup per check was a third of the checker's CPU, perf in bench/checkers.sh).
  // Lateness is measured against the slot.
  const int64_t slack = std::clamp<int64_t>(s.spec->timing.delay_loop.count() / 100, 1, 5'000);
  at = Micros((at.count() + slack - 1) / slack * slack);
  s.due = at;
  s.timer = timers_.add(at, [this, &s, at] {
    const int64_t late = (io::monotonicNow() - at).count();
    constexpr size_t kSamples = 200'000;
    if (lateness_us_.size() < kSamples)
      lateness_us_.push_back(late);
    else
      lateness_us_[lateness_next_++ % kSamples] = late;
    s.timer = 0;
    // Not inside any attempt's callback here: attempts that ended can go.
    finished_.clear();
    if (suspend_ && suspend_->suspended(s.id.vs)) {
      // As keepalived: no attempt, the next one a delay_loop later; the state stays.
      schedule(s, at + s.spec->timing.delay_loop);
      return;
    }
    run(s);
  });
}

std::unique_ptr<LoadBalancer> makeLoadBalancer(const std::string& backend) {
  if (backend != "nftables") {
    std::string why;
    if (auto ipvs = sys::Ipvs::open(why)) {
      log::info("load balancer: IPVS (lb_backend {})", backend);
      return std::make_unique<IpvsRuntime>(std::move(*ipvs));
    }
    if (backend == "ipvs")
      log::error("load balancer: lb_backend ipvs, but {}; using nftables", why);
    else
      log::info("load balancer: nftables ({})", why);
  } else {
    log::info("load balancer: nftables (lb_backend nftables)");
  }
  return std::make_unique<LbRuntime>();
}

void CheckRuntime::run(Slot& s) {
  ++counters_.attempts;
  if (s.spec->kind == CheckerKind::kMisc) {
    runMisc(s);
    return;
  }
  s.running = true;
  s.started = io::monotonicNow();
  auto a = probe::start(env_, *s.spec, *s.prep, [this, &s](probe::Outcome o) {
    if (o.local) {
      notRun(s, o.reason);
      return;
    }
    check::Result r;
    r.ok = o.ok;
    r.reason = std::move(o.reason);
    finish(s, r);
  });
  if (s.running)
    s.attempt = std::move(a);
  else
    finished_.push_back(std::move(a));
}

void CheckRuntime::runMisc(Slot& s) {
  const auto& spec = *s.spec;
  std::string error;
  std::optional<sys::SpawnRequest> req;
  if (spec.misc_script)
    req = scriptRequest(*spec.misc_script, cfg_->global, {}, error);
  else
    error = "no misc_path";
  std::optional<pid_t> pid;
  s.running = true;
  if (req) {
    ++counters_.scripts_run;
    // The slot may be gone (a reload) by the time the script exits.
    std::weak_ptr<bool> alive = s.alive;
    pid = runner_.run(
        *req, spec.misc_timeout,
        [this, &s, alive](const ScriptExit& ex) {
          if (alive.expired())
            return;
          s.script = -1;
          check::Result r;
          const bool exited = !ex.timed_out && WIFEXITED(ex.status);
          const int status = exited ? WEXITSTATUS(ex.status) : -1;
          // misc_dynamic: 0 is up at the configured weight, 2..255 up with weight status - 2,
          // anything else down (check_misc.c).
          const auto& spec2 = *s.spec;
          if (status == 0) {
            r.ok = true;
            if (spec2.conf->misc_dynamic)
              r.weight = plan_.virtual_servers[s.id.vs].real_servers[s.id.rs].weight;
          } else if (spec2.conf->misc_dynamic && status >= 2) {
            r.ok = true;
            r.weight = status - 2;
          } else {
            r.reason = ex.timed_out ? fmt::format("timed out after {} (process group killed)",
                                                  describeSeconds(spec2.misc_timeout))
                                    : ex.describe();
          }
          finish(s, r);
        },
        error);
  }
  if (!pid && runner_.lastStartWasShortage()) {
    notRun(s, "cannot run " + spec.misc_script->command + ": " + error);
    return;
  }
  if (!pid) {
    check::Result r;
    r.reason = "cannot run " + (spec.misc_script ? spec.misc_script->command : "") + ": " + error;
    finish(s, r);
    return;
  }
  s.script = *pid;
}

void CheckRuntime::readFile(Slot& s) {
  const auto& spec = *s.spec;
  int64_t v = 0;
  std::ifstream in(spec.file_path);
  if (in)
    in >> v;  // keepalived reads a number; a missing or empty file is 0
  check::Result r;
  const auto& w = spec.file_weight;
  if (w.value == 0) {
    // weight 0: non-zero means down (with `reverse`, zero means down).
    r.ok = (v == 0) != w.reverse;
    if (!r.ok)
      r.reason = fmt::format("{} holds {}", spec.file_path, v);
  } else {
    r.ok = true;
    const int64_t base = plan_.virtual_servers[s.id.vs].real_servers[s.id.rs].weight;
    r.weight = std::max<int64_t>(0, base + v * w.value * (w.reverse ? -1 : 1));
  }
  if (v != s.file_value || !health_->checker(s.id).hasRun()) {
    s.file_value = v;
    finish(s, r);
  }
}

void CheckRuntime::onFileEvents() {
  if (!files_)
    return;
  std::vector<Slot*> touched;
  files_->drain([&](const std::string& dir, const std::string& name) {
    for (auto& s : slots_) {
      if (s->spec->kind == CheckerKind::kFile && dirOf(s->spec->file_path) == dir &&
          baseOf(s->spec->file_path) == name)
        touched.push_back(s.get());
    }
  });
  for (Slot* s : touched)
    readFile(*s);
}

void CheckRuntime::notRun(Slot& s, const std::string& why) {
  if (s.attempt)
    finished_.push_back(std::move(s.attempt));
  s.running = false;
  ++counters_.not_run;
  // Once per streak: a thousand checkers out of descriptors must not log a thousand lines
  // a second. keepalived counts such an attempt as the server's failure.
  if (!s.starved)
    log::error(
        "{}: {}; not a verdict on the server: its state stays until the checker runs "
        "again",
        s.spec->label, why);
  s.starved = true;
  schedule(s, io::monotonicNow() + s.spec->timing.delay_loop);
}

void CheckRuntime::finish(Slot& s, const check::Result& r) {
  if (s.attempt)
    finished_.push_back(std::move(s.attempt));
  s.running = false;
  if (s.starved)
    log::info("{}: runs again", s.spec->label);
  s.starved = false;
  if (!r.ok)
    ++counters_.failures;
  s.last_reason = r.ok ? "ok" : r.reason;
  const Micros done = io::monotonicNow();
  auto& stats = check_stats_[std::string(check::checkerName(s.spec->kind))];
  if (s.started.count() > 0) {
    s.last_ms = static_cast<double>((done - s.started).count()) / 1000.0;
    const double sec = s.last_ms / 1000.0;
    size_t b = 0;
    while (b < kDurationBuckets.size() && sec > kDurationBuckets[b])
      ++b;
    ++stats.buckets[b];
    stats.sum_s += sec;
    ++stats.count;
  }
  if (!r.ok)
    ++stats.failures[std::string(check::failureClass(r.reason))];
  std::vector<Change> changes;
  const auto step = health_->record(s.id, r, done, changes);
  const bool changed = !changes.empty() && changes.front().kind == Change::Kind::kChecker;
  if (changed)
    s.since = done;
  if (r.ok && !changed && !step.up) {
    log::info("{}: succeeded ({} of {} needed before UP)", s.spec->label, step.successes,
              s.spec->timing.rise);
  } else if (!r.ok && !changed && step.up) {
    log::info("{}: {} (attempt {} of {}, next in {})", s.spec->label, r.reason, step.failures,
              step.allowed, describeSeconds(s.spec->timing.delay_before_retry));
  } else if (!r.ok && !step.up && !changed &&
             (s.spec->conf->log_all_failures.value_or(false) ||
              globalFlag(cfg_->global, "checker_log_all_failures"))) {
    log::info("{}: {} (still DOWN)", s.spec->label, r.reason);
  }
  act(changes, s, r);
  if (s.spec->kind != CheckerKind::kFile)
    schedule(s, step.next);
}

lb::ServiceHealth CheckRuntime::lbHealth(size_t vs) const {
  lb::ServiceHealth h;
  h.quorum_up = health_->quorumUp(vs);
  const size_t n = plan_.virtual_servers[vs].real_servers.size();
  h.real_servers.reserve(n);
  const Micros now = io::monotonicNow();
  for (size_t rs = 0; rs < n; ++rs) {
    // vipctl rs weight / drain (kept by name across reloads) come over the checkers'.
    const std::string k = operatorKey(vs, rs);
    auto set = weight_set_.find(k);
    int64_t w = set != weight_set_.end() ? set->second : health_->weight(vs, rs);
    w = rampedWeight(k, w, plan_.virtual_servers[vs].real_servers[rs].slowstart, now);
    if (drained_.count(k))
      w = 0;
    h.real_servers.push_back({health_->alive(vs, rs), w});
  }
  return h;
}

void CheckRuntime::act(const std::vector<Change>& changes, const Slot& s, const check::Result& r) {
  for (const auto& c : changes) {
    if (c.kind != Change::Kind::kRealServer)
      continue;
    ++flaps_[operatorKey(c.id.vs, c.id.rs)];
    if (c.up)
      startRamp(c.id.vs, c.id.rs);  // slowstart: before the pool is computed below
    else
      ramps_.erase(operatorKey(c.id.vs, c.id.rs));
  }
  // The pool change is queued here and written once the loop has made every verdict at
  // hand (a posted task runs after the events of this round): one nft transaction for a
  // burst of verdicts.
  if (lb_ && !changes.empty() && changes.back().kind != Change::Kind::kChecker &&
      lb_->update(changes.back().id.vs, lbHealth(changes.back().id.vs)))
    loop_.post([this] {
      if (lb_)
        lb_->flush();
    });
  for (const auto& c : changes) {
    const auto& vs = plan_.virtual_servers[c.id.vs];
    const auto& rs = vs.real_servers[c.id.rs];
    switch (c.kind) {
      case Change::Kind::kChecker: {
        ++counters_.transitions;
        if (c.up)
          log::info("{}: succeeded -> UP", s.spec->label);
        else
          log::info("{}: {} ({} of {} attempts failed) -> DOWN", s.spec->label, r.reason,
                    c.step.failures, c.step.allowed);
        // keepalived mails each checker transition of a real server with smtp_alert (on by
        // default for real servers); with no_checker_emails only those that change whether
        // the real server is alive.
        const bool alive_now = health_->alive(c.id.vs, c.id.rs);
        const bool rs_moved = alive_now == c.up;
        if (alert_ && rs.smtp_alert && (rs_moved || !globalFlag(cfg_->global, "no_checker_emails")))
          alert_(fmt::format("[{}] Realserver {} of virtual server {} - {}", routerId(cfg_->global),
                             rs.key, vs.key, alive_now ? "UP" : "DOWN"),
                 c.up ? fmt::format("=> {} succeed on service <=", s.spec->label)
                      : fmt::format("=> {} failed on service : {} <=", s.spec->label, r.reason));
        break;
      }
      case Change::Kind::kRealServer:
        log::info("{} service {} of VS {}{}", c.up ? "Enabling" : "Disabling", rs.key, vs.key,
                  c.up ? "" : fmt::format(" ({} failed)", s.spec->label));
        notify(c.up ? rs.notify_up : rs.notify_down,
               fmt::format("notify_{} for {}", c.up ? "up" : "down", rs.key));
        fifoLine(fmt::format("RS {} {} {}", rs.key, vs.key, c.up ? "UP" : "DOWN"));
        break;
      case Change::Kind::kWeight:
        log::info("Changing weight to {} for {}service {} of VS {}", c.weight,
                  health_->alive(c.id.vs, c.id.rs) ? "" : "inactive ", rs.key, vs.key);
        break;
      case Change::Kind::kQuorum:
        if (c.up)
          log::info("Gained quorum {}+{}={} <= {} for VS {}", vs.quorum, vs.hysteresis, c.threshold,
                    c.weight, vs.key);
        else
          log::info("Lost quorum {}-{}={} > {} for VS {}", vs.quorum, vs.hysteresis, c.threshold,
                    c.weight, vs.key);
        notify(c.up ? vs.quorum_up : vs.quorum_down,
               fmt::format("quorum_{} for VS {}", c.up ? "up" : "down", vs.key));
        if (alert_ && vs.smtp_alert)
          alert_(fmt::format("[{}] Virtualserver {} - {}", routerId(cfg_->global), vs.key,
                             c.up ? "UP" : "DOWN"),
                 fmt::format("=> {} {}{}{}={} {} {} <=", c.up ? "Gained quorum" : "Lost quorum",
                             vs.quorum, c.up ? "+" : "-", vs.hysteresis, c.threshold,
                             c.up ? "<=" : ">", c.weight));
        fifoLine(fmt::format("VS {} {}", vs.key, c.up ? "UP" : "DOWN"));
        break;
    }
  }
}

void CheckRuntime::notify(const std::optional<conf::ScriptCommand>& script,
                          const std::string& what) {
  if (!script)
    return;
  std::string error;
  auto req = scriptRequest(*script, cfg_->global, {}, error);
  ++counters_.scripts_run;
  auto done = [what](const ScriptExit& ex) {
    if (!ex.ok())
      log::warning("{} {}", what, ex.describe());
  };
  // Bounded like the VRRP notify scripts (global notify_script_timeout).
  std::optional<std::chrono::microseconds> timeout;
  if (cfg_->global.notify_script_timeout.count() > 0)
    timeout = cfg_->global.notify_script_timeout;
  if (!req || !runner_.run(*req, timeout, done, error))
    log::error("{} not run: {}", what, error);
}

void CheckRuntime::openFifo() {
  const auto& g = cfg_->global;
  const auto& fifo = g.lvs_notify_fifo ? g.lvs_notify_fifo : g.notify_fifo;
  const std::string path = fifo ? fifo->command : "";
  if (path == fifo_path_)
    return;
  if (fifo_fd_ >= 0)
    ::close(fifo_fd_);
  fifo_fd_ = -1;
  fifo_path_ = path;
  if (path.empty())
    return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && ::mkfifo(path.c_str(), 0600) != 0) {
    log::error("cannot create FIFO {}: {}", path, std::strerror(errno));
    return;
  }
  // Read-write: opening never blocks and lines wait in the pipe until a reader comes.
  fifo_fd_ = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fifo_fd_ < 0) {
    log::error("cannot open FIFO {}: {}", path, std::strerror(errno));
    return;
  }
  if (g.lvs_notify_fifo && g.lvs_notify_fifo_script) {
    std::string error;
    auto req = scriptRequest(*g.lvs_notify_fifo_script, g, {path}, error);
    if (req)
      fifo_script_ = runner_.run(*req, std::nullopt, {}, error);
    if (!req || !fifo_script_)
      log::error("cannot start lvs_notify_fifo_script: {}", error);
  }
}

void CheckRuntime::fifoLine(const std::string& line) {
  if (fifo_fd_ < 0)
    return;
  const std::string text = line + "\n";
  if (::write(fifo_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    log::warning("FIFO {}: line dropped ({})", fifo_path_, std::strerror(errno));
}

}  // namespace vipd::daemon
