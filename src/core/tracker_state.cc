#include "core/tracker_state.h"

namespace vipd::core {

bool RiseFall::record(bool ok) {
  if (first_) {
    first_ = false;
    const bool changed = up_ != std::optional<bool>(ok);
    up_ = ok;
    streak_ = 0;
    return changed;
  }
  if (ok == *up_) {
    streak_ = 0;
    return false;
  }
  if (++streak_ < (ok ? rise_ : fall_))
    return false;
  up_ = ok;
  streak_ = 0;
  return true;
}

}  // namespace vipd::core
