#include "io/loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace vipd::io {

Micros monotonicNow() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return Micros(int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000);
}

Loop::Loop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  timerfd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (epfd_ < 0 || timerfd_ < 0)
    throw std::system_error(errno, std::generic_category(), "loop");
  watch(timerfd_, [this] {
    uint64_t n;
    while (::read(timerfd_, &n, sizeof n) == sizeof n) {
    }
    programmed_.reset();  // expired: the timerfd is disarmed now
    fire();
  });
  timers_[0] = {};
  eventfd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventfd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
  watch(eventfd_, [this] {
    uint64_t n;
    while (::read(eventfd_, &n, sizeof n) == sizeof n) {
    }
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(posted_mu_);
      batch.swap(posted_);
    }
    for (auto& f : batch)
      f();
  });
}

Loop::~Loop() {
  for (int fd : {epfd_, timerfd_, sigfd_, eventfd_}) {
    if (fd >= 0)
      ::close(fd);
  }
}

void Loop::watch(int fd, std::function<void()> on_readable) {
  watchEvents(fd, EPOLLIN, [f = std::move(on_readable)](uint32_t) { f(); });
}

void Loop::watchEvents(int fd, uint32_t events, std::function<void(uint32_t)> on_events) {
  handlers_[fd] = std::move(on_events);
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

void Loop::modifyEvents(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void Loop::unwatch(int fd) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

int Loop::addTimer(std::function<void()> f) {
  const int id = timers_.rbegin()->first + 1;
  timers_[id] = {std::nullopt, std::move(f)};
  return id;
}

void Loop::armTimer(int id, std::optional<Micros> at) {
  timers_[id].at = at;
  program();
}

void Loop::fire() {
  const auto now = monotonicNow();
  std::vector<int> due;
  for (auto& [id, slot] : timers_) {
    if (slot.at && *slot.at <= now)
      due.push_back(id);
  }
  for (int id : due) {
    auto& slot = timers_[id];
    slot.at.reset();  // one-shot: the owner re-arms from its callback
    if (slot.fn)
      slot.fn();
  }
  program();
}

void Loop::program() {
  std::optional<Micros> at;
  for (const auto& [id, slot] : timers_) {
    if (slot.at && (!at || *slot.at < *at))
      at = slot.at;
  }
  // Reprogramming an hrtimer is a costly syscall (it was 44% of the daemon's CPU with 1000
  // instances at 100 ms): only when the earliest deadline actually changes.
  if (at == programmed_)
    return;
  programmed_ = at;
  itimerspec its{};
  if (at) {
    // 0 would disarm: a deadline already due is set to the smallest future value.
    const int64_t us = std::max<int64_t>(at->count(), 1);
    its.it_value.tv_sec = us / 1'000'000;
    its.it_value.tv_nsec = (us % 1'000'000) * 1000;
  }
  ::timerfd_settime(timerfd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

void Loop::post(std::function<void()> f) {
  {
    std::lock_guard lock(posted_mu_);
    posted_.push_back(std::move(f));
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(eventfd_, &one, sizeof one);
}

void Loop::onSignals(const std::vector<int>& signals, std::function<void(int)> f) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals)
    sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  sigfd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  on_signal_ = std::move(f);
  watch(sigfd_, [this] {
    signalfd_siginfo si;
    while (::read(sigfd_, &si, sizeof si) == sizeof si)
      on_signal_(static_cast<int>(si.ssi_signo));
  });
}

void Loop::run() {
  running_ = true;
  epoll_event events[64];
  while (running_) {
    int n = ::epoll_wait(epfd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    for (int i = 0; i < n && running_; ++i) {
      auto it = handlers_.find(events[i].data.fd);
      if (it != handlers_.end()) {
        auto h = it->second;  // a handler may unwatch itself
        h(events[i].events);
      }
    }
  }
}

}  // namespace vipd::io
