#include "check/checker_state.h"

#include <algorithm>

namespace vipd::check {

namespace {
// keepalived's BOOTSTRAP_DELAY: checks start one second after the daemon.
constexpr Micros kBootstrap{1'000'000};
}  // namespace

CheckerState::CheckerState(const Timing& t) : t_(t), up_(!t.alpha), retry_it_(t.retry) {}

Micros CheckerState::firstAttempt(Micros now, double u, bool immediate) const {
  if (immediate)
    return now;
  u = std::clamp(u, 0.0, 1.0);
  return now + kBootstrap +
         Micros(static_cast<int64_t>(static_cast<double>(t_.warmup.count()) * u));
}

CheckerState::Step CheckerState::record(bool ok, Micros now) {
  Step s;
  const bool first = !has_run_;
  has_run_ = true;
  if (ok) {
    retry_it_ = 0;
    streak_ = 0;
    if (!up_ && ++rises_ >= t_.rise) {
      s.changed = true;
      up_ = true;
    }
    if (up_)
      rises_ = 0;
    s.successes = rises_;
    s.next = now + t_.delay_loop;
  } else if (up_ || first) {
    rises_ = 0;
    ++streak_;
    // At start retry_it_ == retry: this failure decides.
    s.allowed = first ? 1 : t_.retry + 1;
    if (retry_it_ >= t_.retry) {
      s.changed = up_ || (first && t_.alpha);
      up_ = false;
      retry_it_ = 0;
      s.next = now + t_.delay_loop;
    } else {
      ++retry_it_;
      s.next = now + t_.delay_before_retry;
    }
  } else {
    rises_ = 0;
    ++streak_;
    s.allowed = t_.retry + 1;
    s.next = now + std::max(t_.delay_loop, t_.delay_before_retry);
  }
  s.up = up_;
  s.failures = streak_;
  return s;
}

}  // namespace vipd::check
