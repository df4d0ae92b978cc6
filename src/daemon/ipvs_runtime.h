#pragma once
// The IPVS data plane's shell (issue 15): per virtual server the IPVS services and real
// servers last written (lb/ipvs_rules, as keepalived programs them), and each change of
// configuration or health written as the difference, one netlink request per service or
// real server added, changed or removed. At start a service that is there already (a
// killed vipd's, or keepalived's) is taken over: changed to what the configuration says,
// its real servers not configured removed; other services are left alone unless
// lvs_flush. On destruction vipd's services are removed, as keepalived removes its own at
// stop, or the whole table flushed with lvs_flush_on_stop. Runs on the checker thread,
// like the nftables one.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "daemon/load_balancer.h"
#include "lb/ipvs_rules.h"
#include "sys/linux/ipvs.h"

namespace vipd::daemon {

class IpvsRuntime : public LoadBalancer {
 public:
  explicit IpvsRuntime(sys::Ipvs ipvs) : ipvs_(std::move(ipvs)) {}
  ~IpvsRuntime() override;
  IpvsRuntime(const IpvsRuntime&) = delete;
  IpvsRuntime& operator=(const IpvsRuntime&) = delete;

  void apply(std::shared_ptr<const conf::Config> cfg, const HealthOf& health) override;
  bool update(size_t vs, const lb::ServiceHealth& h) override;
  void flush() override;
  const LbCounters& counters() const override { return counters_; }
  // IPVS's own counters per real server (summed over a virtual server's IPVS services).
  std::optional<std::vector<std::vector<lb::Tally>>> traffic() override;
  const lb::ServiceSpec* spec(size_t vs) const override {
    return vs < live_.size() ? &live_[vs].spec : nullptr;
  }
  const lb::Pool* pool(size_t vs) const override {
    return vs < live_.size() ? &live_[vs].pool : nullptr;
  }
  const char* name() const override { return "IPVS"; }

 private:
  struct Live {
    const conf::VirtualServer* conf = nullptr;  // in cfg_
    lb::ServiceSpec spec;
    lb::ServiceHealth health;
    lb::Pool pool;                         // for vipctl: who gets new connections
    std::vector<lb::IpvsVirtual> written;  // what the kernel has
    bool queued = false;
    std::chrono::steady_clock::time_point verdict;  // of the first queued change
  };
  // Writes `want` over `have` (services and real servers that differ); returns `want` as
  // written. `adopt`: services may already be in the kernel (start).
  std::vector<lb::IpvsVirtual> write(const std::vector<lb::IpvsVirtual>& have,
                                     const std::vector<lb::IpvsVirtual>& want, bool adopt);
  void check(int err, const char* what, const lb::IpvsService& whom);
  sys::Ipvs ipvs_;
  std::shared_ptr<const conf::Config> cfg_;  // the one live_ was made from
  std::vector<Live> live_;                   // by virtual server index
  std::vector<size_t> pending_;
  bool started_ = false;
  std::optional<std::string> flush_on_stop_;  // lvs_flush_on_stop: "" all, "VS" ours
  LbCounters counters_;
};

}  // namespace vipd::daemon
