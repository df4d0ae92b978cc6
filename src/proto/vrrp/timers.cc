#include "proto/vrrp/timers.h"

#include <algorithm>

namespace vipd::vrrp {

Micros skewTime(int version, int priority, Micros master_adver_interval) {
  int64_t weight = 256 - std::clamp(priority, 0, 255);
  int64_t base = version == 2 ? 1'000'000 : master_adver_interval.count();
  return Micros(weight * base / 256);
}

Micros masterDownInterval(int version, int priority, Micros master_adver_interval,
                          int down_timer_adverts) {
  return master_adver_interval * down_timer_adverts +
         skewTime(version, priority, master_adver_interval);
}

uint16_t wireInterval(int version, Micros interval) {
  if (version == 2) {
    int64_t s = (interval.count() + 500'000) / 1'000'000;
    return static_cast<uint16_t>(std::clamp<int64_t>(s, 1, 255));
  }
  int64_t cs = (interval.count() + 5'000) / 10'000;
  return static_cast<uint16_t>(std::clamp<int64_t>(cs, 1, 4095));
}

Micros fromWireInterval(int version, uint16_t wire) {
  return version == 2 ? Micros(int64_t{wire} * 1'000'000) : Micros(int64_t{wire} * 10'000);
}

}  // namespace vipd::vrrp
