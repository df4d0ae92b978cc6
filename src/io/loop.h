#pragma once
// The VRRP loop: one thread, epoll over the sockets, one timerfd (absolute CLOCK_MONOTONIC,
// nanosecond resolution) for the earliest protocol deadline, and a signalfd, so nothing ever
// blocks and timers are not rounded to epoll's milliseconds.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
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
  void unwatch(int fd);
  // The single timer: fires once at `at` (monotonic), or never for nullopt.
  void setTimer(std::optional<Micros> at);
  void onTimer(std::function<void()> f) { on_timer_ = std::move(f); }
  // Blocks these signals and delivers them through the loop.
  void onSignals(const std::vector<int>& signals, std::function<void(int)> f);

  void run();  // until stop()
  void stop() { running_ = false; }

 private:
  int epfd_ = -1, timerfd_ = -1, sigfd_ = -1;
  bool running_ = false;
  std::map<int, std::function<void()>> handlers_;
  std::function<void()> on_timer_;
  std::function<void(int)> on_signal_;
};

}  // namespace vipd::io
