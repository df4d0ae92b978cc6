#pragma once
// Many one-shot timers on one of the loop's timer slots: the checkers schedule thousands of
// attempts and deadlines, and the loop's own slots are a small map scanned on every fire.
// Here adding, cancelling and firing are O(log n).

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "io/loop.h"

namespace vipd::io {

class TimerSet {
 public:
  explicit TimerSet(Loop& loop);
  ~TimerSet();
  TimerSet(const TimerSet&) = delete;
  TimerSet& operator=(const TimerSet&) = delete;

  using Id = uint64_t;  // never 0
  Id add(Micros at, std::function<void()> f);
  void cancel(Id id);  // no-op for a timer that fired or was cancelled
  size_t size() const { return by_id_.size(); }

 private:
  void fire();
  void rearm();
  Loop& loop_;
  int slot_;
  Id next_ = 1;
  std::map<std::pair<Micros, Id>, std::function<void()>> queue_;
  std::unordered_map<Id, Micros> by_id_;
};

}  // namespace vipd::io
