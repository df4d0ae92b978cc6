#pragma once
// Effective priority from trackers, with keepalived's semantics (keepalived.conf(5) track_*):
//   - weight 0: a failed tracker puts the instance in FAULT;
//   - weight > 0: adds the weight while the tracker is up;
//   - weight < 0: adds the (negative) weight while it is down;
//   - reverse: the adjustment changes sign;
//   - track_file: adds weight x the file's value (weight 0: a non-zero value is a FAULT, and so
//     is an adjustment below -253);
//   - the result is clamped to 1..254; the address owner's 255 never changes (RFC 5798 6.1).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vipd::vrrp {

struct TrackerInput {
  std::string name;  // "script chk_nginx", "interface eth1", "file /run/prio"
  int weight = 0;
  bool reverse = false;
  bool up = true;                     // scripts, interfaces, processes
  std::optional<int64_t> file_value;  // track_file: the value read (replaces `up`)
};

struct EffectivePriority {
  int priority = 100;
  bool fault = false;
  std::vector<std::string> faulting;  // trackers that cause the fault, for the log and explain
};

EffectivePriority effectivePriority(int base, std::span<const TrackerInput> trackers);

}  // namespace vipd::vrrp
