#pragma once
// The VRRP loop: one thread, epoll over the sockets, one timerfd (absolute CLOCK_MONOTONIC,
// nanosecond resolution) for the earliest protocol deadline, and a signalfd, so nothing ever
// blocks and timers are not rounded to epoll's milliseconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace vipd::io {

using Micros = std::chrono::microseconds;

// CLOCK_MONOTONIC in microseconds: the engine's Time.
Micros monotonicNow();

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void watch(int fd, std::function<void()> on_readable);
  // Any epoll interest (EPOLLIN, EPOLLOUT, ...); the handler gets the events that fired.
  // The checkers' connections use it: connect completion is EPOLLOUT, TLS wants either.
  void watchEvents(int fd, uint32_t events, std::function<void(uint32_t)> on_events);
  void modifyEvents(int fd, uint32_t events);
  void unwatch(int fd);
  // For an fd about to be closed: closing removes it from epoll, so only the handler goes
  // (one syscall less per checker connection).
  void forget(int fd) { handlers_.erase(fd); }
  // Timers: each owner (the VRRP runtime, the trackers, the notifier) gets its own slot,
  // which fires once at `at` (monotonic) or never for nullopt. One timerfd serves them all,
  // armed for the earliest.
  int addTimer(std::function<void()> f);
  void armTimer(int id, std::optional<Micros> at);
  void removeTimer(int id) { timers_.erase(id); }
  // Slot 0, kept for the VRRP runtime.
  void setTimer(std::optional<Micros> at) { armTimer(0, at); }
  void onTimer(std::function<void()> f) { timers_[0].fn = std::move(f); }
  // Blocks these signals and delivers them through the loop.
  void onSignals(const std::vector<int>& signals, std::function<void(int)> f);

  // From any thread: runs `f` on this loop's thread (the services loop and the VRRP loop
  // talk this way, never through shared state).
  void post(std::function<void()> f);

  void run();  // until stop()
  void stop() { running_ = false; }

 private:
  int epfd_ = -1, timerfd_ = -1, sigfd_ = -1, eventfd_ = -1;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
  bool running_ = false;
  std::unordered_map<int, std::function<void(uint32_t)>> handlers_;
  struct TimerSlot {
    std::optional<Micros> at;
    std::function<void()> fn;
  };
  std::map<int, TimerSlot> timers_;
  std::optional<Micros> programmed_;  // what the timerfd is armed for
  void program();
  void fire();
  std::function<void(int)> on_signal_;
};

}  // namespace vipd::io
