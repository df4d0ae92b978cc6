#pragma once
// Processes that scripts left behind and vipd adopted as their subreaper
// (sys/linux/child_process.h): each is logged when first seen, reaped when it exits, and
// stopped when vipd stops. The scan runs on the VRRP loop after a SIGCHLD, at most once a
// second (it reads /proc/N/stat for every process on the machine), so a zombie lives at most
// about a second and a script run every second costs one scan, not one per exit.

#include <chrono>
#include <optional>

#include "io/loop.h"

namespace vipd::daemon {

class Adoption {
 public:
  explicit Adoption(io::Loop& loop);
  ~Adoption();
  Adoption(const Adoption&) = delete;
  Adoption& operator=(const Adoption&) = delete;
  // A SIGCHLD arrived: a script or an adopted process has exited, or a script has exited and
  // left something to adopt.
  void onChildSignal();
  // At exit, after the scripts are finished: stops what is left, logging each.
  static void stopAll(std::chrono::milliseconds grace);

 private:
  void scan();
  io::Loop& loop_;
  int timer_ = -1;
  std::optional<io::Micros> last_scan_;
  bool armed_ = false;
};

}  // namespace vipd::daemon
