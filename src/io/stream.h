#pragma once
// Helpers for the services loop's short-lived stream connections (control socket, metrics
// HTTP, SMTP): a bounded blocking send for replies, and the sweep of per-connection
// deadlines that each server runs from its timer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "io/loop.h"

namespace vipd::io {

// Sends all of `data`, switching the socket to blocking with a send timeout: used only on
// the services loop, where waiting a bounded time delays no advert. False if cut short.
bool sendAllBounded(int fd, std::string_view data, std::chrono::seconds timeout);

// accept4 for a listening socket on a level-triggered epoll. When this process has no
// descriptor left, a pending connection cannot be accepted and epoll reports it again at
// once: the services thread would spin on a core. A spare descriptor, held from the start,
// is given up to accept the connection and close it at once (the client sees it closed, not
// a hang), then taken back. accept() returns the connection, or -1: nothing pending, or
// one was refused this way (logged at most every 10 s, with the count, as `what`).
class Acceptor {
 public:
  explicit Acceptor(const char* what);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;
  int accept(int listen_fd);
  uint64_t refused() const { return refused_; }

 private:
  const char* what_;
  int spare_ = -1;
  uint64_t refused_ = 0;
  std::optional<Micros> logged_;
};

// For a map fd -> connection: the fds whose deadline (`deadline_of(connection)`) has
// passed, and in `next` the earliest deadline still ahead (for the owner's timer).
template <class Map, class DeadlineOf>
std::vector<int> expired(const Map& conns, Micros now, std::optional<Micros>& next,
                         DeadlineOf deadline_of) {
  std::vector<int> out;
  next.reset();
  for (const auto& [fd, c] : conns) {
    const Micros at = deadline_of(c);
    if (at <= now)
      out.push_back(fd);
    else if (!next || at < *next)
      next = at;
  }
  return out;
}

}  // namespace vipd::io
