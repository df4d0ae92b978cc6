#pragma once
// One checker's verdict from its attempts: keepalived's retry machine (check_tcp.c
// tcp_epilog, check_http.c epilog), pure, with time passed in.
//
//  - A checker starts UP (its real server is in the pool at once) unless `alpha`, which
//    starts it DOWN until a first success.
//  - At start one failure is enough (keepalived sets retry_it = retry): a server that is down
//    when the daemon starts leaves the pool at its first check, not after `retry` more.
//  - Later an UP checker goes DOWN only after retry+1 consecutive failed attempts, spaced by
//    delay_before_retry; one success brings a DOWN checker UP, or `rise` consecutive ones
//    (a vipd keyword; keepalived has no rise count), each a delay_loop apart.
//  - Attempts are delay_loop apart otherwise; a DOWN checker is retried every delay_loop.

#include <chrono>
#include <cstdint>

#include "check/plan.h"

namespace vipd::check {

class CheckerState {
 public:
  explicit CheckerState(const Timing& t);

  // When the first attempt is due: keepalived's 1 s bootstrap delay plus warmup x u, u in
  // [0, 1) (randomness is an input); `immediate` (fast_recovery) skips both.
  Micros firstAttempt(Micros now, double u, bool immediate = false) const;

  struct Step {
    bool changed = false;  // the verdict changed, or (alpha) a first failure made it known
    bool up = true;        // the verdict after this attempt
    Micros next{0};        // when the next attempt is due
    int failures = 0;      // consecutive failed attempts so far (0 after a success)
    int allowed = 1;       // attempts that must fail before DOWN (retry + 1, 1 at start)
    int successes = 0;     // consecutive successes of a DOWN checker so far (toward rise)
  };
  Step record(bool ok, Micros now);

  bool up() const { return up_; }
  bool hasRun() const { return has_run_; }
  const Timing& timing() const { return t_; }
  // A reload that keeps this checker: new timing, same verdict and counters.
  void retime(const Timing& t) { t_ = t; }

 private:
  Timing t_;
  bool up_;
  bool has_run_ = false;
  int retry_it_;  // keepalived's name: failed attempts counted towards `retry`
  int streak_ = 0;
  int rises_ = 0;  // consecutive successes while DOWN
};

}  // namespace vipd::check
