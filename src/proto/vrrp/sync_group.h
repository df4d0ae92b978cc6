#pragma once
// vrrp_sync_group: members move together (keepalived.conf(5) vrrp_sync_group). When one
// member becomes master the others in backup follow; when one falls back to backup the
// masters follow; while any member is in FAULT every member is held in FAULT.
// Pure: transitions in, the events to feed the other members out.

#include <string>
#include <vector>

#include "proto/vrrp/fsm.h"

namespace vipd::vrrp {

struct SyncOrder {
  size_t member = 0;  // index into the group's members
  Event event;
};

class SyncGroup {
 public:
  SyncGroup(std::string name, size_t members) : name_(std::move(name)), faults_(members, false) {}

  // Member `i` made transition `t`; `states` are all members' states after it.
  std::vector<SyncOrder> onTransition(size_t i, const Transition& t,
                                      const std::vector<State>& states);
  // Member `i`'s own fault input changed (its trackers); returns what every member gets.
  std::vector<SyncOrder> onMemberFault(size_t i, bool fault, const std::string& why);

 private:
  std::string name_;
  std::vector<bool> faults_;
};

}  // namespace vipd::vrrp
