#pragma once
// keepalived's ha_suspend (check_api.c, update_checker_activity): the checkers of a virtual
// server that has it run only while one of its addresses is on this host - on a VRRP
// backup, where the VIP is not, they wait and the real servers keep the state they had.
// The addresses are read once and then followed through rtnetlink address events.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "io/loop.h"
#include "sys/linux/netlink.h"

namespace vipd::daemon {

class HaSuspend {
 public:
  // Called with a virtual server's index when its checkers are suspended or resumed.
  using OnChange = std::function<void(size_t vs, bool active)>;

  explicit HaSuspend(io::Loop& loop) : loop_(loop) {}
  ~HaSuspend();
  HaSuspend(const HaSuspend&) = delete;
  HaSuspend& operator=(const HaSuspend&) = delete;

  // addresses[vs]: the addresses of each virtual server with ha_suspend (empty: always
  // active). Reports, through on_change, every virtual server that starts suspended.
  void configure(std::vector<std::vector<IpAddress>> addresses, OnChange on_change);
  bool suspended(size_t vs) const { return vs < active_.size() && !active_[vs]; }

 private:
  using Key = std::pair<Family, std::array<uint8_t, 16>>;
  static Key key(const IpAddress& a) { return {a.family(), a.bytes()}; }
  void onAddress(const sys::AddressEvent& e);
  void recompute();
  bool here(size_t vs) const;  // one of its addresses is on the host (or no ha_suspend)

  io::Loop& loop_;
  std::unique_ptr<sys::NetlinkMonitor> monitor_;
  std::map<Key, int> local_;  // an address on several interfaces counts each time
  std::vector<std::vector<IpAddress>> addresses_;
  std::vector<bool> active_;
  OnChange on_change_;
};

}  // namespace vipd::daemon
