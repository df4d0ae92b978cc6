// vipctl's view of the load-balancing half and its run-time commands (`vipctl vs`,
// `vipctl rs drain|enable|weight`), answered on the checker thread from the checkers'
// state and what the load balancer last wrote. docs/design/control-protocol.md.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>

#include "base/log.h"
#include "daemon/check_runtime.h"
#include "daemon/dump_files.h"
#include "io/loop.h"
#include "metrics/exposition.h"

namespace vipd::daemon {
namespace {

std::string hostPort(const IpAddress& a, int port) {
  return fmt::format("{}:{}", a.isV4() ? a.str() : "[" + a.str() + "]", port);
}

// As vipctl prints a virtual server: ADDR:PORT, [V6]:PORT, fwmark:N, group:NAME.
std::string baseName(const conf::VirtualServer& v) {
  if (v.fwmark)
    return fmt::format("fwmark:{}", *v.fwmark);
  if (v.group)
    return fmt::format("group:{}", *v.group);
  return v.addr ? hostPort(*v.addr, v.port.value_or(0)) : "?";
}

// IPVS's counters for a service or a destination, by the names ipvsadm --stats uses.
nlohmann::json trafficJson(const lb::Tally& t) {
  return {{"conns", t.conns},
          {"in_packets", t.in_packets},
          {"out_packets", t.out_packets},
          {"in_bytes", t.in_bytes},
          {"out_bytes", t.out_bytes}};
}

}  // namespace

std::string CheckRuntime::operatorKey(size_t vs, size_t rs) const {
  const auto& v = plan_.virtual_servers[vs];
  return v.key + "|" + v.real_servers[rs].key;
}

void CheckRuntime::control(const ctl::Request& r, std::function<void(nlohmann::json)> done) {
  if (!started_) {
    done(r.cmd == "vs"        ? ctl::okResponse({{"virtual_servers", nlohmann::json::array()}})
         : r.cmd == "metrics" ? nlohmann::json("")
                              : ctl::errorResponse("no virtual server is configured"));
    return;
  }
  loop_.post([this, r, done = std::move(done)] {
    if (!cfg_)
      done(ctl::errorResponse("the checkers are starting; try again"));
    else if (r.cmd == "vs")
      done(ctl::okResponse(virtualServersView()));
    else if (r.cmd == "metrics")
      done(nlohmann::json(metricsText()));
    else if (r.cmd == "explain")
      done(explainRealServer(r.instance.value_or(""), r.args.empty() ? "" : r.args[0]));
    else
      done(realServerCommand(r));
  });
}

nlohmann::json CheckRuntime::virtualServersView() const {
  using nlohmann::json;
  const Micros now = io::monotonicNow();
  const auto ms = [&](Micros t) { return (now - t).count() / 1000; };
  // Names, with the protocol added where two virtual servers would share one.
  std::vector<std::string> names;
  std::map<std::string, int> uses;
  for (size_t i = 0; i < plan_.virtual_servers.size(); ++i)
    ++uses[baseName(cfg_->virtual_servers[i])];
  // Each real server's checkers, found once (not a scan of every slot per real server).
  std::vector<std::vector<std::vector<const Slot*>>> slots_of(plan_.virtual_servers.size());
  for (size_t i = 0; i < plan_.virtual_servers.size(); ++i)
    slots_of[i].resize(plan_.virtual_servers[i].real_servers.size());
  for (const auto& s : slots_)
    slots_of[s->id.vs][s->id.rs].push_back(s.get());
  // The data plane's counters, read once (a netlink dump); null where nothing is counted.
  const auto traffic = lb_ ? lb_->traffic() : std::nullopt;
  const auto tally = [&](size_t vs, size_t k) -> json {
    if (!traffic || vs >= traffic->size() || k >= (*traffic)[vs].size())
      return nullptr;
    return trafficJson((*traffic)[vs][k]);
  };
  json list = json::array();
  for (size_t i = 0; i < plan_.virtual_servers.size(); ++i) {
    const auto& v = plan_.virtual_servers[i];
    std::string name = baseName(cfg_->virtual_servers[i]);
    if (uses[name] > 1)
      name += std::string("/") + lb::protoName(v.protocol);
    const lb::ServiceSpec* spec = lb_ ? lb_->spec(i) : nullptr;
    const lb::Pool* pool = lb_ ? lb_->pool(i) : nullptr;
    json j{{"name", name},
           {"key", v.key},
           {"protocol", lb::protoName(v.protocol)},
           {"lb_algo", spec ? json(spec->sched.asked) : json(nullptr)},
           {"scheduler", spec ? json(lb::schedName(spec->sched.sched)) : json(nullptr)},
           {"method", spec ? json(lb::methodName(spec->method)) : json(nullptr)},
           {"backend", spec ? lb_->name() : "none"},
           {"quorum", v.quorum},
           {"hysteresis", v.hysteresis},
           {"quorum_up", health_->quorumUp(i)},
           {"ha_suspended", suspend_ && suspend_->suspended(i)},
           {"sorry_server",
            v.sorry ? json(hostPort(v.sorry->addr, v.sorry->port.value_or(0))) : json(nullptr)},
           {"sorry_active", pool && pool->sorry}};
    if (traffic && i < traffic->size() && !(*traffic)[i].empty()) {
      lb::Tally total;
      for (const auto& t : (*traffic)[i])
        total += t;
      j["traffic"] = trafficJson(total);
      j["sorry_traffic"] = v.sorry ? tally(i, v.real_servers.size()) : json(nullptr);
    } else {
      j["traffic"] = nullptr;
    }
    json rss = json::array();
    for (size_t ri = 0; ri < v.real_servers.size(); ++ri) {
      const auto& rs = v.real_servers[ri];
      const std::string k = operatorKey(i, ri);
      const auto set = weight_set_.find(k);
      const int64_t weight = rampedWeight(
          k, set != weight_set_.end() ? set->second : health_->weight(i, ri), rs.slowstart, now);
      bool in_pool = false;
      if (pool && !pool->sorry) {
        for (const auto& b : pool->backends)
          in_pool = in_pool || (b.addr == rs.addr && b.port == rs.port);
      }
      json checkers = json::array();
      Micros since{0};
      for (const Slot* s : slots_of[i][ri]) {
        since = std::max(since, s->since);
        const auto& st = health_->checker(s->id);
        checkers.push_back({{"type", std::string(check::checkerName(s->spec->kind))},
                            {"label", s->spec->label},
                            {"up", st.up()},
                            {"last", s->last_reason.empty() ? json(nullptr) : json(s->last_reason)},
                            {"latency_ms", s->last_ms < 0 ? json(nullptr) : json(s->last_ms)},
                            {"since_ms", ms(s->since)}});
      }
      rss.push_back({{"name", hostPort(rs.addr, rs.port)},
                     {"key", rs.key},
                     {"state", health_->alive(i, ri) ? "up" : "down"},
                     {"configured_weight", rs.weight},
                     {"weight", weight},
                     {"weight_set", set != weight_set_.end() ? json(set->second) : json(nullptr)},
                     {"drained", drained_.count(k) > 0},
                     {"ramping", ramps_.count(k) > 0},
                     {"flaps", flaps_.count(k) ? flaps_.at(k) : 0},
                     {"in_pool", in_pool},
                     {"since_ms", since.count() ? ms(since) : 0},
                     {"traffic", tally(i, ri)},
                     {"checkers", checkers}});
    }
    j["real_servers"] = rss;
    list.push_back(j);
  }
  return {{"virtual_servers", list}};
}

// The virtual server as `vipctl vs` names it (or keepalived's form) and one of its real
// servers as ADDR:PORT (or keepalived's form); "" and the reason when there is none.
std::string CheckRuntime::findRealServer(const std::string& vs_name, const std::string& rs_name,
                                         size_t& vs_out, size_t& rs_out) const {
  std::optional<size_t> vs;
  for (size_t i = 0; i < plan_.virtual_servers.size() && !vs; ++i) {
    const std::string base = baseName(cfg_->virtual_servers[i]);
    const std::string proto = lb::protoName(plan_.virtual_servers[i].protocol);
    if (vs_name == plan_.virtual_servers[i].key || vs_name == base + "/" + proto)
      vs = i;
    else if (vs_name == base) {
      size_t same = 0;
      for (const auto& v : cfg_->virtual_servers)
        same += baseName(v) == base ? 1u : 0u;
      if (same > 1)
        return fmt::format(
            "'{}' names more than one virtual server; add the protocol: {}/tcp or {}/udp", vs_name,
            base, base);
      vs = i;
    }
  }
  if (!vs)
    return fmt::format("no virtual server '{}' (vipctl vs lists them)", vs_name);
  const auto& v = plan_.virtual_servers[*vs];
  for (size_t i = 0; i < v.real_servers.size(); ++i) {
    if (rs_name == hostPort(v.real_servers[i].addr, v.real_servers[i].port) ||
        rs_name == v.real_servers[i].key) {
      vs_out = *vs;
      rs_out = i;
      return "";
    }
  }
  return fmt::format("virtual server {} has no real server '{}'", vs_name, rs_name);
}

nlohmann::json CheckRuntime::explainRealServer(const std::string& vs_name,
                                               const std::string& rs_name) const {
  size_t vs = 0, rs = 0;
  if (auto err = findRealServer(vs_name, rs_name, vs, rs); !err.empty())
    return ctl::errorResponse(err);
  const auto& v = plan_.virtual_servers[vs];
  const auto& r = v.real_servers[rs];
  const Micros now = io::monotonicNow();
  const auto wall = std::chrono::system_clock::now();
  const std::string k = operatorKey(vs, rs);
  const bool alive = health_->alive(vs, rs);
  // Why: the checkers that are down (or, when up, each one's last result).
  std::vector<std::string> reasons;
  Micros since{0};
  for (const auto& s : slots_) {
    if (s->id.vs != vs || s->id.rs != rs)
      continue;
    const auto& st = health_->checker(s->id);
    since = std::max(since, s->since);
    if (!alive && st.up())
      continue;
    std::string why = s->spec->label + ": ";
    if (!st.hasRun())
      why += "not run yet";
    else if (st.up())
      why += s->last_reason.empty() ? "ok" : s->last_reason;
    else
      why += fmt::format("{} ({} attempt(s) allowed)", s->last_reason, s->spec->timing.retry + 1);
    reasons.push_back(why);
  }
  const auto ago = std::chrono::duration_cast<std::chrono::system_clock::duration>(now - since);
  const std::time_t t = std::chrono::system_clock::to_time_t(wall - ago);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  const std::string at = fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string summary = fmt::format("{} since {} ({} s)", alive ? "UP" : "DOWN", at,
                                    (now - since).count() / 1'000'000);
  for (const auto& why : reasons)
    summary += "; " + why;
  if (drained_.count(k))
    summary += "; drained by vipctl: no new connections";
  const lb::Pool* pool = lb_ ? lb_->pool(vs) : nullptr;
  bool in_pool = false;
  if (pool && !pool->sorry) {
    for (const auto& b : pool->backends)
      in_pool = in_pool || (b.addr == r.addr && b.port == r.port);
  }
  summary += in_pool ? "; in the load balancer's pool" : "; not in the load balancer's pool";
  return ctl::okResponse({{"virtual_server", v.key},
                          {"real_server", r.key},
                          {"state", alive ? "up" : "down"},
                          {"since_ms", (now - since).count() / 1000},
                          {"since", at},
                          {"reasons", reasons},
                          {"drained", drained_.count(k) > 0},
                          {"ramping", ramps_.count(k) > 0},
                          {"flaps", flaps_.count(k) ? flaps_.at(k) : 0},
                          {"in_pool", in_pool},
                          {"summary", summary}});
}

nlohmann::json CheckRuntime::realServerCommand(const ctl::Request& r) {
  const auto& a = r.args;
  if (a.size() < 3 || (a[0] != "drain" && a[0] != "enable" && a[0] != "weight") ||
      (a[0] == "weight") != (a.size() == 4) || a.size() > 4)
    return ctl::errorResponse("usage: rs drain VS RS | rs enable VS RS | rs weight VS RS N");
  size_t found_vs = 0, found_rs = 0;
  if (auto err = findRealServer(a[1], a[2], found_vs, found_rs); !err.empty())
    return ctl::errorResponse(err);
  const std::optional<size_t> vs = found_vs, rs = found_rs;
  const auto& v = plan_.virtual_servers[*vs];
  const std::string k = operatorKey(*vs, *rs);
  const std::string who = fmt::format("service {} of VS {}", v.real_servers[*rs].key, v.key);
  std::string summary;
  if (a[0] == "drain") {
    drained_.insert(k);
    summary = fmt::format("drained {}: no new connections; established ones finish", who);
  } else if (a[0] == "enable") {
    drained_.erase(k);
    summary = fmt::format("enabled {}: it takes new connections again while its checks pass", who);
  } else {
    int64_t n = -1;
    const auto [p, ec] = std::from_chars(a[3].data(), a[3].data() + a[3].size(), n);
    if (ec != std::errc() || p != a[3].data() + a[3].size() || n < 0 || n > 65535)
      return ctl::errorResponse(
          fmt::format("weight '{}': an integer from 0 to 65535 is needed", a[3]));
    weight_set_[k] = n;
    summary = fmt::format("weight of {} set to {} (kept across reloads)", who, n);
  }
  log::info("vipctl: {}", summary);
  saveRuntimeState();
  if (lb_ && lb_->update(*vs, lbHealth(*vs)))
    lb_->flush();
  return ctl::okResponse({{"summary", summary},
                          {"drained", drained_.count(k) > 0},
                          {"ramping", ramps_.count(k) > 0},
                          {"flaps", flaps_.count(k) ? flaps_.at(k) : 0},
                          {"weight_set", weight_set_.count(k) ? nlohmann::json(weight_set_[k])
                                                              : nlohmann::json(nullptr)}});
}

// The load-balancing half's metrics: each real server's state, weight and pool membership,
// quorum, and the checkers' attempt durations and failures by class.
std::string CheckRuntime::metricsText() const {
  metrics::Exposition e;
  const auto view = virtualServersView();
  auto each_rs = [&](const char* name, const char* type, const char* help, auto value) {
    e.family(name, type, help);
    for (const auto& v : view["virtual_servers"]) {
      for (const auto& rs : v["real_servers"])
        e.sample({{"vs", v["name"].get<std::string>()}, {"rs", rs["name"].get<std::string>()}},
                 value(rs));
    }
  };
  each_rs("vipd_rs_up", "gauge", "1 while the real server's checkers say it is up.",
          [](const nlohmann::json& rs) { return rs["state"] == "up" ? 1.0 : 0.0; });
  each_rs("vipd_rs_weight", "gauge", "The real server's weight now (checkers or vipctl).",
          [](const nlohmann::json& rs) { return rs["weight"].get<double>(); });
  each_rs("vipd_rs_in_pool", "gauge", "1 while the kernel's rules send new connections to it.",
          [](const nlohmann::json& rs) { return rs["in_pool"].get<bool>() ? 1.0 : 0.0; });
  each_rs("vipd_rs_drained", "gauge", "1 while drained by vipctl.",
          [](const nlohmann::json& rs) { return rs["drained"].get<bool>() ? 1.0 : 0.0; });
  e.family("vipd_vs_quorum_up", "gauge", "1 while the virtual server has its quorum.");
  for (const auto& v : view["virtual_servers"])
    e.sample({{"vs", v["name"].get<std::string>()}}, v["quorum_up"].get<bool>() ? 1 : 0);
  e.family("vipd_vs_sorry_server_active", "gauge", "1 while the sorry server takes the traffic.");
  for (const auto& v : view["virtual_servers"])
    e.sample({{"vs", v["name"].get<std::string>()}}, v["sorry_active"].get<bool>() ? 1 : 0);
  // keepalived's exporter's names for IPVS's counters (labels addr and proto; the real
  // servers' also name their virtual server, as one real server may serve several).
  const std::pair<const char*, const char*> lvs[] = {{"in_packets", "packets in"},
                                                     {"out_packets", "packets out"},
                                                     {"in_bytes", "bytes in"},
                                                     {"out_bytes", "bytes out"},
                                                     {"conn", "connections"}};
  auto upper = [](std::string p) {
    for (auto& c : p)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return p;
  };
  for (const auto& [field, help] : lvs) {
    const std::string key = std::string(field) == "conn" ? "conns" : field;
    e.family(
        fmt::format("keepalived_lvs_vip_{}", field), "counter",
        fmt::format("Virtual server {} (IPVS's counters, or nftables' for NAT address front ends).",
                    help));
    for (const auto& v : view["virtual_servers"]) {
      if (!v["traffic"].is_null())
        e.sample({{"addr", v["name"].get<std::string>()},
                  {"proto", upper(v["protocol"].get<std::string>())}},
                 v["traffic"][key].get<double>());
    }
    e.family(
        fmt::format("keepalived_lvs_rs_{}", field), "counter",
        fmt::format("Real server {} (IPVS's counters, or nftables' for NAT address front ends).",
                    help));
    for (const auto& v : view["virtual_servers"]) {
      for (const auto& rs : v["real_servers"]) {
        if (!rs["traffic"].is_null())
          e.sample({{"addr", rs["name"].get<std::string>()},
                    {"proto", upper(v["protocol"].get<std::string>())},
                    {"vs", v["name"].get<std::string>()}},
                   rs["traffic"][key].get<double>());
      }
    }
  }
  e.family("vipd_check_duration_seconds", "histogram",
           "Duration of checker attempts (network checkers), by checker type.");
  for (const auto& [type, st] : check_stats_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < st.buckets.size(); ++b) {
      cumulative += st.buckets[b];
      e.sample(
          "_bucket",
          {{"type", type},
           {"le", b < kDurationBuckets.size() ? fmt::format("{}", kDurationBuckets[b]) : "+Inf"}},
          static_cast<double>(cumulative));
    }
    e.sample("_sum", {{"type", type}}, st.sum_s);
    e.sample("_count", {{"type", type}}, static_cast<double>(st.count));
  }
  e.family("vipd_check_failures_total", "counter",
           "Failed checker attempts, by checker type and class of reason.");
  for (const auto& [type, st] : check_stats_) {
    for (const auto& [reason, n] : st.failures)
      e.sample({{"type", type}, {"reason", reason}}, static_cast<double>(n));
  }
  e.family("vipd_check_not_run_total", "counter",
           "Checker attempts this host could not make (no descriptor or process left); "
           "not verdicts.");
  e.sample({}, static_cast<double>(counters_.not_run));
  e.family("vipd_check_transitions_total", "counter", "Checker verdict changes.");
  e.sample({}, static_cast<double>(counters_.transitions));
  if (lb_) {
    const auto& c = lb_->counters();
    e.family("vipd_lb_transactions_total", "counter", "nftables transactions written.");
    e.sample({}, static_cast<double>(c.batches));
    e.family("vipd_lb_transaction_failures_total", "counter",
             "nftables transactions the kernel refused (each followed by a rewrite).");
    e.sample({}, static_cast<double>(c.failures));
    e.family("vipd_lb_pool_changes_total", "counter", "Virtual server pool changes written.");
    e.sample({}, static_cast<double>(c.pool_changes));
  }
  return e.text();
}

// runtime_state_file: what vipctl set (drains, weights) survives a restart. Read once, at
// the first configuration; written (atomically) after each change.
void CheckRuntime::loadRuntimeState() {
  const auto& path = cfg_->global.runtime_state_file;
  if (state_loaded_ || !path)
    return;
  state_loaded_ = true;
  std::ifstream in(*path);
  if (!in)
    return;  // nothing kept yet
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    log::error("runtime_state_file {}: not the JSON vipd writes; ignored", *path);
    return;
  }
  const auto drained = j.value("drained", nlohmann::json::array());
  for (const auto& k : drained) {
    if (k.is_string())
      drained_.insert(k.get<std::string>());
  }
  const auto weights = j.value("weights", nlohmann::json::object());
  for (const auto& [k, w] : weights.items()) {
    if (w.is_number_integer())
      weight_set_[k] = w.get<int64_t>();
  }
  log::info("runtime_state_file {}: {} drained, {} weight(s) set by vipctl", *path, drained_.size(),
            weight_set_.size());
}

void CheckRuntime::saveRuntimeState() const {
  const auto& path = cfg_->global.runtime_state_file;
  if (!path)
    return;
  nlohmann::json j{{"drained", drained_}, {"weights", weight_set_}};
  if (!writeFileAtomically(*path, j.dump(2) + "\n"))
    log::error("runtime_state_file {}: cannot write it", *path);
}

}  // namespace vipd::daemon
