#pragma once
// The kernel's process connector (NETLINK_CONNECTOR, CN_IDX_PROC): an event for every exec,
// comm change and exit on the machine, so vrrp_track_process reacts at once instead of
// polling. Needs CAP_NET_ADMIN. Events carry only pids; the tracker reads /proc itself.
// The kernel serves the connector in the initial network namespace only: a daemon started
// with `-s NAME` opens the socket before it enters NAME (openEarly); one started inside a
// namespace gets std::system_error and the tracker falls back to scanning /proc.

#include <sys/types.h>

#include <functional>

namespace vipd::sys {

struct ProcEvent {
  enum class Kind { kFork, kExec, kComm, kExit } kind = Kind::kExec;
  pid_t pid = 0;  // the process (thread group) concerned; thread events are filtered out
};

class ProcEvents {
 public:
  ProcEvents();  // throws std::system_error when the connector is unavailable
  // Binds a connector socket now (in the current network namespace) for a later ProcEvents
  // to use. Failure is silent: the later constructor reports it.
  static void openEarly();
  ~ProcEvents();
  ProcEvents(const ProcEvents&) = delete;
  ProcEvents& operator=(const ProcEvents&) = delete;

  int fd() const { return fd_; }
  // Reads every pending event. Returns false when events were lost (receive buffer
  // overrun): the caller must rescan /proc.
  bool drain(const std::function<void(const ProcEvent&)>& f);

 private:
  int fd_ = -1;
};

}  // namespace vipd::sys
