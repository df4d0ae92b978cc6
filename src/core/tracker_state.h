#pragma once
// Pure state of the trackers, with keepalived's semantics (verified against keepalived 2.2.7
// in a namespace: a script's first result takes effect at once whatever rise/fall say;
// later a change needs `rise` consecutive successes or `fall` consecutive failures).

#include <cstdint>
#include <optional>

namespace vipd::core {

// A vrrp_script's verdict from its exit statuses.
class RiseFall {
 public:
  RiseFall(int rise, int fall, bool init_fail)
      : rise_(rise < 1 ? 1 : rise), fall_(fall < 1 ? 1 : fall) {
    if (init_fail) {  // known to be failing from the start: it must rise
      up_ = false;
      first_ = false;
    }
  }
  // Records one run; returns true when the verdict changed (or became known).
  bool record(bool ok);
  bool known() const { return up_.has_value(); }
  bool up() const { return up_.value_or(true); }  // unknown counts as up for weights

 private:
  int rise_, fall_;
  std::optional<bool> up_;
  bool first_ = true;  // no result yet: the first one decides
  int streak_ = 0;     // consecutive results contradicting the verdict
};

// vrrp_track_process: enough matching processes, and not too many.
inline bool quorumHolds(int64_t count, int quorum, std::optional<int> quorum_max) {
  return count >= quorum && (!quorum_max || count <= *quorum_max);
}

}  // namespace vipd::core
