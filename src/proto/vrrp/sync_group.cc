#include "proto/vrrp/sync_group.h"

#include <algorithm>

namespace vipd::vrrp {

std::vector<SyncOrder> SyncGroup::onTransition(size_t i, const Transition& t,
                                               const std::vector<State>& states) {
  std::vector<SyncOrder> out;
  // A transition the group itself caused must not echo back through the group.
  if (t.reason == Reason::kSyncGroup)
    return out;
  if (t.to != State::kMaster && t.to != State::kBackup)
    return out;
  const std::string why = "sync group " + name_ + ": member " + std::to_string(i) + " became " +
                          std::string(toString(t.to));
  for (size_t m = 0; m < states.size(); ++m) {
    if (m == i)
      continue;
    const bool follow = (t.to == State::kMaster && states[m] == State::kBackup) ||
                        (t.to == State::kBackup && states[m] == State::kMaster);
    if (follow)
      out.push_back({m, SyncTo{t.to, why}});
  }
  return out;
}

std::vector<SyncOrder> SyncGroup::onMemberFault(size_t i, bool fault, const std::string& why) {
  const bool was = std::any_of(faults_.begin(), faults_.end(), [](bool f) { return f; });
  faults_.at(i) = fault;
  const bool is = std::any_of(faults_.begin(), faults_.end(), [](bool f) { return f; });
  std::vector<SyncOrder> out;
  if (was == is)
    return out;
  const std::string text = is ? "sync group " + name_ + ": " + why : "sync group " + name_ + " ok";
  for (size_t m = 0; m < faults_.size(); ++m)
    out.push_back({m, FaultChanged{is, text}});
  return out;
}

}  // namespace vipd::vrrp
