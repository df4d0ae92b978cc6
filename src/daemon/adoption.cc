#include "daemon/adoption.h"

#include "base/log.h"
#include "sys/linux/child_process.h"

namespace vipd::daemon {

namespace {
constexpr io::Micros kMinScanGap = std::chrono::seconds(1);
}

Adoption::Adoption(io::Loop& loop) : loop_(loop) {
  sys::becomeSubreaper();
  timer_ = loop_.addTimer([this] {
    armed_ = false;
    scan();
  });
}

Adoption::~Adoption() {
  loop_.removeTimer(timer_);
}

void Adoption::onChildSignal() {
  if (armed_)
    return;
  const auto now = io::monotonicNow();
  if (last_scan_ && now - *last_scan_ < kMinScanGap) {
    armed_ = true;
    loop_.armTimer(timer_, *last_scan_ + kMinScanGap);
    return;
  }
  scan();
}

void Adoption::scan() {
  last_scan_ = io::monotonicNow();
  const auto s = sys::scanAdopted();
  for (const auto& a : s.fresh) {
    log::warning(
        "process {} ({}) was left running by a script that has exited; vipd has adopted it "
        "and stops it when vipd stops (start services through the service manager instead)",
        a.pid, a.command);
  }
  for (const auto& a : s.ended)
    log::info("adopted process {} ({}) has exited", a.pid, a.command);
}

void Adoption::stopAll(std::chrono::milliseconds grace) {
  for (const auto& a : sys::stopAdopted(grace))
    log::warning("stopping process {} ({}), left running by a script", a.pid, a.command);
}

}  // namespace vipd::daemon
