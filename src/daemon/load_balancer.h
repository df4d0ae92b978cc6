#pragma once
// The load balancer as the checkers see it: a configuration applied, a virtual server's
// health changed, the queued changes written. Two data planes implement it: nftables
// (lb_runtime.h) and IPVS (ipvs_runtime.h); `lb_backend` and the kernel choose
// (makeLoadBalancer, check_runtime.cc).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "conf/model.h"
#include "lb/pool.h"
#include "lb/service.h"
#include "lb/traffic.h"

namespace vipd::daemon {

struct LbCounters {
  uint64_t batches = 0, failures = 0, rebuilds = 0, pool_changes = 0;
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // The health of virtual server `vs` (configuration index) now.
  using HealthOf = std::function<lb::ServiceHealth(size_t vs)>;
  // The configuration is shared, not copied: a data plane may keep it to read its virtual
  // servers at each change (IPVS; a copy was 15 MB at 1,000 x 10).
  virtual void apply(std::shared_ptr<const conf::Config> cfg, const HealthOf& health) = 0;
  // Returns true when nothing was queued before: the caller then schedules flush().
  virtual bool update(size_t vs, const lb::ServiceHealth& h) = 0;
  virtual void flush() = 0;
  virtual const LbCounters& counters() const = 0;
  // Per virtual server, one Tally per real server; nullopt when not counted or unreadable.
  virtual std::optional<std::vector<std::vector<lb::Tally>>> traffic() = 0;
  // What the data plane has for virtual server `vs` (nullptr: nothing is written for it).
  virtual const lb::ServiceSpec* spec(size_t vs) const = 0;
  virtual const lb::Pool* pool(size_t vs) const = 0;
  virtual const char* name() const = 0;  // "nftables", "IPVS"
};

}  // namespace vipd::daemon
