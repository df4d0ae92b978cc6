#pragma once
// The load balancer's shell (docs/design/load-balancing.md): it keeps, per virtual server,
// the spec and the pool last written, and turns each change of health or configuration
// into one nftables batch that touches only the virtual servers that changed. It runs on
// the checker thread, right where the verdicts are made: a verdict reaches the kernel
// without crossing a thread. At start a table left by a killed vipd is replaced; on
// destruction the table is removed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conf/model.h"
#include "daemon/load_balancer.h"
#include "lb/pool.h"
#include "lb/service.h"
#include "lb/traffic.h"
#include "sys/linux/nft.h"

namespace vipd::daemon {

class LbRuntime : public LoadBalancer {
 public:
  LbRuntime() = default;
  ~LbRuntime() override;
  LbRuntime(const LbRuntime&) = delete;
  LbRuntime& operator=(const LbRuntime&) = delete;

  // A configuration (start or reload): services whose spec is unchanged keep their chain,
  // their persistence map and their pool; the others are replaced, added or removed, all in
  // one batch.
  void apply(std::shared_ptr<const conf::Config> cfg, const HealthOf& health) override;
  // Virtual server `vs`'s health changed: its pool is computed again and, if it differs
  // from what the kernel has, queued. Returns true when the queue was empty before: the
  // caller then schedules flush() once the verdicts at hand are all made.
  bool update(size_t vs, const lb::ServiceHealth& h) override;
  // Every queued pool change in one nft transaction (one per burst of verdicts, not one
  // per verdict: a transaction costs milliseconds with a thousand services).
  void flush() override;

  const LbCounters& counters() const override { return counters_; }
  const char* name() const override { return "nftables"; }
  // The data plane's traffic counters, read from the kernel now: by virtual server index,
  // one Tally per real server (then the sorry server's); an empty vector for a virtual
  // server whose traffic is not counted (lb/traffic.h). nullopt when the kernel cannot
  // be read.
  std::optional<std::vector<std::vector<lb::Tally>>> traffic() override;
  // What the kernel has for virtual server `vs` (nullptr: nothing is written for it).
  const lb::ServiceSpec* spec(size_t vs) const override {
    return vs < live_.size() && live_[vs] ? &live_[vs]->spec : nullptr;
  }
  const lb::Pool* pool(size_t vs) const override {
    return vs < live_.size() && live_[vs] ? &live_[vs]->pool : nullptr;
  }

 private:
  struct Live {
    uint32_t id = 0;
    lb::ServiceSpec spec;
    lb::Pool pool;                                  // what the kernel has
    std::optional<lb::Pool> next;                   // queued
    std::chrono::steady_clock::time_point verdict;  // of the first queued change
  };
  bool write(const std::string& batch, const char* what);
  void rebuild(const char* why);
  std::string describe(const Live& l) const;
  // The traffic sets' elements for the pairs configured now, as the change from what the
  // kernel has (elements_): a pair that stays keeps its element and its count, also when
  // its service's chain is replaced.
  std::string trafficChanges();

  sys::Nft nft_;
  bool table_ = false;
  uint32_t next_id_ = 1;
  std::vector<std::optional<Live>> live_;  // by virtual server index
  std::vector<size_t> pending_;            // with a queued pool, in verdict order
  std::set<lb::TrafficPair> elements_;     // in the traffic sets
  sys::Nft reader_;  // reads counters (JSON output), apart from the writer's context
  LbCounters counters_;
};

}  // namespace vipd::daemon
