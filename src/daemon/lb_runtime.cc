#include "daemon/lb_runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>

#include "base/log.h"
#include "lb/nft_rules.h"

namespace vipd::daemon {
namespace {

std::string backends(const lb::Pool& p) {
  if (p.backends.empty())
    return "none (new connections are refused)";
  std::string out;
  for (const auto& b : p.backends) {
    if (!out.empty())
      out += ", ";
    out += b.addr.isV4() ? b.addr.str() : "[" + b.addr.str() + "]";
    if (b.port)
      out += fmt::format(":{}", b.port);
    out += fmt::format(" weight {}", b.weight);
  }
  return out;
}

bool sysctlOn(const char* path) {
  std::ifstream in(path);
  int v = 0;
  return in >> v && v != 0;
}

std::vector<lb::Persistent> persistent(const std::vector<std::optional<lb::ServiceSpec>>& specs,
                                       const std::vector<uint32_t>& ids) {
  std::vector<lb::Persistent> out;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i] && specs[i]->persistence_s)
      out.push_back({ids[i], &*specs[i]});
  }
  return out;
}

}  // namespace

LbRuntime::~LbRuntime() {
  if (table_)
    nft_.run(lb::deleteTableCommand());
}

std::string LbRuntime::trafficChanges() {
  std::set<lb::TrafficPair> want;
  for (const auto& l : live_) {
    if (l) {
      for (auto& p : lb::trafficPairs(l->spec))
        want.insert(std::move(p));
    }
  }
  std::vector<lb::TrafficPair> gone, added;
  std::set_difference(elements_.begin(), elements_.end(), want.begin(), want.end(),
                      std::back_inserter(gone));
  std::set_difference(want.begin(), want.end(), elements_.begin(), elements_.end(),
                      std::back_inserter(added));
  elements_ = std::move(want);
  return lb::trafficElements("delete", gone) + lb::trafficElements("add", added);
}

std::optional<std::vector<std::vector<lb::Tally>>> LbRuntime::traffic() {
  if (!table_)
    return std::nullopt;
  // Each set's elements and counts, by key, per set name.
  std::map<std::string, std::map<std::string, lb::Count>> sets;
  for (const auto& name : lb::trafficSets()) {
    std::string json;
    const auto err = reader_.listJson(fmt::format("list set inet {} {}", lb::kTable, name), json);
    auto counts = err.empty() ? lb::readSetCounters(json) : std::nullopt;
    if (!counts) {
      log::warning("load balancer: cannot read the traffic counters ({}): {}", name,
                   err.empty() ? "not nft's JSON listing" : err);
      return std::nullopt;
    }
    sets[name] = std::move(*counts);
  }
  const auto count = [&](const lb::TrafficPair& p, const char* kind) {
    const auto& set = sets[fmt::format("t{}_{}", p.form, kind)];
    const auto it = set.find(p.key);
    return it == set.end() ? lb::Count{} : it->second;
  };
  std::vector<std::vector<lb::Tally>> out(live_.size());
  for (size_t i = 0; i < live_.size(); ++i) {
    if (!live_[i] || !lb::counted(live_[i]->spec))
      continue;
    const auto& spec = live_[i]->spec;
    out[i].resize(spec.real_servers.size() + (spec.sorry ? 1 : 0));
    for (const auto& p : lb::trafficPairs(spec)) {
      if (p.server >= out[i].size())
        continue;
      const auto in = count(p, "i"), back = count(p, "o"), fresh = count(p, "n");
      out[i][p.server] += lb::Tally{fresh.packets, in.packets, back.packets, in.bytes, back.bytes};
    }
  }
  return out;
}

std::string LbRuntime::describe(const Live& l) const {
  return fmt::format("VS {}: {}{}", l.spec.key, l.pool.sorry ? "sorry server " : "",
                     backends(l.pool));
}

bool LbRuntime::write(const std::string& batch, const char* what) {
  if (batch.empty())
    return true;
  ++counters_.batches;
  auto err = nft_.run(batch);
  if (err.empty())
    return true;
  ++counters_.failures;
  log::error("load balancer: nftables refused the {} batch: {}", what, err);
  return false;
}

void LbRuntime::apply(std::shared_ptr<const conf::Config> shared, const HealthOf& health) {
  const conf::Config& cfg = *shared;
  pending_.clear();     // the pools are computed afresh from the health below
  Diagnostics ignored;  // said by `vipd -t` and at load; the shell only acts
  auto specs = lb::makeServices(cfg, ignored);
  // What runs now, by key, to keep what did not change.
  std::map<std::string, Live> old;
  for (auto& l : live_) {
    if (l)
      old.emplace(l->spec.key, std::move(*l));
  }
  live_.assign(specs.size(), std::nullopt);
  std::string head = table_ ? "" : lb::tableCommands() + lb::trafficTableCommands();
  // Persistence rules point at the services' maps: emptied first, written again last.
  head += fmt::format("flush chain inet {} persist\n", lb::kTable);
  std::string removals, additions;
  size_t kept = 0, added = 0;
  bool nat = false, dr = false;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto& s = specs[i];
    if (!s.programmed)
      continue;
    nat = nat || s.method == lb::Method::kNat;
    dr = dr || s.method == lb::Method::kDr;
    auto pool = lb::desiredPool(s, health(i));
    auto it = old.find(s.key);
    if (it != old.end() && it->second.spec == s) {
      Live l = std::move(it->second);
      l.next.reset();  // l.pool is what the kernel has
      old.erase(it);
      if (l.pool != pool) {
        additions += lb::updateService(l.id, l.spec, l.pool, pool);
        l.pool = std::move(pool);
      }
      live_[i] = std::move(l);
      ++kept;
      continue;
    }
    if (it != old.end()) {
      removals += lb::deleteService(it->second.id, it->second.spec, it->second.pool);
      old.erase(it);
    }
    Live l{next_id_++, std::move(s), std::move(pool), std::nullopt, {}};
    additions += lb::createService(l.id, l.spec, l.pool);
    log::info("load balancer: {}", describe(l));
    live_[i] = std::move(l);
    ++added;
  }
  for (auto& [key, l] : old) {
    removals += lb::deleteService(l.id, l.spec, l.pool);
    log::info("load balancer: VS {} removed", key);
  }
  std::vector<std::optional<lb::ServiceSpec>> kept_specs;
  std::vector<uint32_t> ids;
  for (const auto& l : live_) {
    kept_specs.push_back(l ? std::optional(l->spec) : std::nullopt);
    ids.push_back(l ? l->id : 0);
  }
  if (!table_)
    elements_.clear();  // a new table has none
  const std::string tail = lb::persistCommands(persistent(kept_specs, ids)) + trafficChanges();
  if (!table_)
    nft_.run(lb::deleteTableCommand());  // a table left by a vipd that was killed
  if (write(head + removals + additions + tail, "configuration")) {
    table_ = true;
  } else {
    rebuild("the configuration batch was refused");
  }
  log::info(
      "load balancer (nftables, table inet {}{}): {} virtual server(s) programmed, {} kept, "
      "{} added, {} removed",
      lb::kTable, dr ? fmt::format(", ip/ip6 {} for DR", lb::kDrTable) : "", kept + added, kept,
      added, old.size());
  if (nat && !sysctlOn("/proc/sys/net/ipv4/ip_forward"))
    log::warning(
        "load balancer: lb_kind NAT needs forwarding (net.ipv4.ip_forward is 0): "
        "connections are translated but not forwarded to the real servers");
}

bool LbRuntime::update(size_t vs, const lb::ServiceHealth& h) {
  if (vs >= live_.size() || !live_[vs])
    return false;
  Live& l = *live_[vs];
  auto pool = lb::desiredPool(l.spec, h);
  if (l.next) {
    l.next = std::move(pool);  // flush() writes the latest (or nothing, if back to l.pool)
    return false;
  }
  if (pool == l.pool)
    return false;
  l.next = std::move(pool);
  l.verdict = std::chrono::steady_clock::now();
  pending_.push_back(vs);
  return pending_.size() == 1;
}

void LbRuntime::flush() {
  if (pending_.empty())
    return;
  std::string batch;
  std::vector<size_t> changed;
  for (size_t vs : pending_) {
    if (vs >= live_.size() || !live_[vs] || !live_[vs]->next)
      continue;
    Live& l = *live_[vs];
    if (*l.next != l.pool) {
      batch += lb::updateService(l.id, l.spec, l.pool, *l.next);
      l.pool = std::move(*l.next);
      changed.push_back(vs);
    }
    l.next.reset();
  }
  pending_.clear();
  if (changed.empty())
    return;
  counters_.pool_changes += changed.size();
  if (!table_)
    rebuild("the table is not in place");
  else if (!write(batch, "update"))
    rebuild("an update was refused");
  // Logged after the commit: each line says the kernel has it, and how long after the
  // verdict (bench/lb.sh reads these).
  const auto now = std::chrono::steady_clock::now();
  for (size_t vs : changed) {
    const Live& l = *live_[vs];
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - l.verdict).count();
    log::info("load balancer: {} (in the kernel {} us after the verdict{})", describe(l), us,
              changed.size() > 1 ? fmt::format(", one transaction for {}", changed.size()) : "");
  }
}

// The kernel's table no longer matches what is known (a batch was refused, or someone
// changed the table): it is written again from scratch, in one batch.
void LbRuntime::rebuild(const char* why) {
  ++counters_.rebuilds;
  log::warning("load balancer: rewriting tables inet {} and ip/ip6 {} ({})", lb::kTable,
               lb::kDrTable, why);
  nft_.run(lb::deleteTableCommand());
  std::string batch = lb::tableCommands() + lb::trafficTableCommands();
  std::vector<std::optional<lb::ServiceSpec>> specs;
  std::vector<uint32_t> ids;
  for (const auto& l : live_) {
    if (l)
      batch += lb::createService(l->id, l->spec, l->pool);
    specs.push_back(l ? std::optional(l->spec) : std::nullopt);
    ids.push_back(l ? l->id : 0);
  }
  batch += lb::persistCommands(persistent(specs, ids));
  elements_.clear();  // the traffic counts start again at 0
  batch += trafficChanges();
  table_ = write(batch, "rebuild");
}

}  // namespace vipd::daemon
