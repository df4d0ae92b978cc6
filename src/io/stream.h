#pragma once
// Helpers for the services loop's short-lived stream connections (control socket, metrics
// HTTP, SMTP): a bounded blocking send for replies, and the sweep of per-connection
// deadlines that each server runs from its timer.

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "io/loop.h"

namespace vipd::io {

// Sends all of `data`, switching the socket to blocking with a send timeout: used only on
// the services loop, where waiting a bounded time delays no advert. False if cut short.
bool sendAllBounded(int fd, std::string_view data, std::chrono::seconds timeout);

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
