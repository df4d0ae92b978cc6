// slowstart (a vipd keyword, as HAProxy's and Envoy's): a real server that comes back UP
// takes new connections at a weight that grows linearly from 1 to its own over the
// slowstart time, instead of its full share at once (a cold cache or JIT is not flooded).
// Only returns ramp; servers that are up when the daemon starts have their weight at once.
#include <algorithm>

#include "daemon/check_runtime.h"

namespace vipd::daemon {
namespace {

// The pool is rewritten at most this often while a ramp runs (and 10 times per ramp).
constexpr Micros kMinRampStep{100'000};

}  // namespace

void CheckRuntime::startRamp(size_t vs, size_t rs) {
  const Micros slow = plan_.virtual_servers[vs].real_servers[rs].slowstart;
  if (slow.count() <= 0)
    return;
  ramps_[operatorKey(vs, rs)] = {vs, rs, io::monotonicNow()};
  if (!ramp_timer_)
    ramp_timer_ =
        timers_.add(io::monotonicNow() + std::max(kMinRampStep, slow / 10), [this] { rampTick(); });
}

int64_t CheckRuntime::rampedWeight(const std::string& key, int64_t weight, Micros slowstart,
                                   Micros now) const {
  auto it = ramps_.find(key);
  if (it == ramps_.end() || slowstart.count() <= 0 || weight <= 1)
    return weight;
  const auto elapsed = now - it->second.since;
  if (elapsed >= slowstart)
    return weight;
  return std::max<int64_t>(1, weight * elapsed.count() / slowstart.count());
}

void CheckRuntime::rampTick() {
  ramp_timer_ = 0;
  const Micros now = io::monotonicNow();
  Micros step = Micros::max();
  std::vector<size_t> touched;
  for (auto it = ramps_.begin(); it != ramps_.end();) {
    const auto& r = it->second;
    touched.push_back(r.vs);
    const Micros slow = plan_.virtual_servers[r.vs].real_servers[r.rs].slowstart;
    step = std::min(step, std::max(kMinRampStep, slow / 10));
    // Done: its weight is whole from now on (the update below writes it).
    it = now - r.since >= slow ? ramps_.erase(it) : std::next(it);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  if (lb_) {
    for (size_t vs : touched)
      lb_->update(vs, lbHealth(vs));
    lb_->flush();
  }
  if (!ramps_.empty())
    ramp_timer_ = timers_.add(now + step, [this] { rampTick(); });
}

}  // namespace vipd::daemon
