#include "proto/vrrp/priority.h"

#include <algorithm>

namespace vipd::vrrp {

EffectivePriority effectivePriority(int base, std::span<const TrackerInput> trackers) {
  EffectivePriority r;
  int64_t sum = base;
  for (const auto& t : trackers) {
    const int64_t sign = t.reverse ? -1 : 1;
    if (t.file_value) {
      if (t.weight == 0) {
        if (*t.file_value != 0)
          r.faulting.push_back(t.name);
      } else {
        const int64_t delta = sign * t.weight * *t.file_value;
        // keepalived: a file whose adjustment is below -253 can never leave the instance
        // usable, so it is a fault rather than priority 1.
        if (delta < -253)
          r.faulting.push_back(t.name);
        sum += delta;
      }
      continue;
    }
    if (t.weight == 0) {
      if (!t.up)
        r.faulting.push_back(t.name);
    } else if ((t.weight > 0) == t.up) {
      sum += sign * t.weight;
    }
  }
  r.fault = !r.faulting.empty();
  r.priority = base == 255 ? 255 : static_cast<int>(std::clamp<int64_t>(sum, 1, 254));
  return r;
}

}  // namespace vipd::vrrp
