#include "daemon/ha_suspend.h"

#include "base/log.h"

namespace vipd::daemon {

HaSuspend::~HaSuspend() {
  if (monitor_)
    loop_.unwatch(monitor_->fd());
}

void HaSuspend::configure(std::vector<std::vector<IpAddress>> addresses, OnChange on_change) {
  addresses_ = std::move(addresses);
  on_change_ = std::move(on_change);
  bool wanted = false;
  for (const auto& a : addresses_)
    wanted = wanted || !a.empty();
  if (!wanted) {
    if (monitor_)
      loop_.unwatch(monitor_->fd());
    monitor_.reset();
    local_.clear();
    active_.assign(addresses_.size(), true);
    return;
  }
  if (!monitor_) {
    // Subscribed before the dump: an address added in between is seen twice at worst,
    // never missed (a duplicate add only raises a count the dump then resets).
    try {
      monitor_ = std::make_unique<sys::NetlinkMonitor>();
      loop_.watch(monitor_->fd(), [this] {
        monitor_->drain([](const sys::LinkEvent&) {},
                        [this](const sys::AddressEvent& e) { onAddress(e); });
      });
      local_.clear();
      for (const auto& a : sys::Netlink().addresses())
        ++local_[key(a.prefix.addr)];
    } catch (const std::exception& e) {
      // Without the host's addresses, suspending could stop checks for good: run them.
      log::error("ha_suspend: cannot follow this host's addresses ({}); checkers run always",
                 e.what());
      monitor_.reset();
      addresses_.assign(addresses_.size(), {});
    }
  }
  // Every virtual server is reported afresh: suspended ones are said, active ones not.
  active_.assign(addresses_.size(), true);
  for (size_t vs = 0; vs < addresses_.size(); ++vs) {
    active_[vs] = here(vs);
    if (!active_[vs])
      on_change_(vs, false);
  }
}

bool HaSuspend::here(size_t vs) const {
  if (addresses_[vs].empty())
    return true;  // no ha_suspend
  for (const auto& a : addresses_[vs]) {
    if (local_.count(key(a)) > 0)
      return true;
  }
  return false;
}

void HaSuspend::onAddress(const sys::AddressEvent& e) {
  const Key k = key(e.address.prefix.addr);
  if (e.deleted) {
    auto it = local_.find(k);
    if (it != local_.end() && --it->second <= 0)
      local_.erase(it);
  } else {
    ++local_[k];
  }
  recompute();
}

void HaSuspend::recompute() {
  for (size_t vs = 0; vs < addresses_.size(); ++vs) {
    const bool now = here(vs);
    if (now != active_[vs]) {
      active_[vs] = now;
      on_change_(vs, now);
    }
  }
}

}  // namespace vipd::daemon
