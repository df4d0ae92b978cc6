#include "io/timer_set.h"

#include <vector>

namespace vipd::io {

TimerSet::TimerSet(Loop& loop) : loop_(loop) {
  slot_ = loop_.addTimer([this] { fire(); });
}

TimerSet::~TimerSet() {
  loop_.removeTimer(slot_);
}

TimerSet::Id TimerSet::add(Micros at, std::function<void()> f) {
  const Id id = next_++;
  const bool earliest = queue_.empty() || at < queue_.begin()->first.first;
  queue_.emplace(std::make_pair(at, id), std::move(f));
  by_id_.emplace(id, at);
  if (earliest)
    rearm();
  return id;
}

void TimerSet::cancel(Id id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end())
    return;
  const bool was_first = !queue_.empty() && queue_.begin()->first.second == id;
  queue_.erase({it->second, id});
  by_id_.erase(it);
  if (was_first)
    rearm();
}

void TimerSet::fire() {
  const Micros now = monotonicNow();
  // Callbacks may add and cancel timers: take each due one out before calling it.
  while (!queue_.empty() && queue_.begin()->first.first <= now) {
    auto node = queue_.extract(queue_.begin());
    by_id_.erase(node.key().second);
    node.mapped()();
  }
  rearm();
}

void TimerSet::rearm() {
  loop_.armTimer(
      slot_, queue_.empty() ? std::nullopt : std::optional<Micros>(queue_.begin()->first.first));
}

}  // namespace vipd::io
