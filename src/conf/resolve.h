#pragma once
// keepalived's inherited and derived defaults, in one place. The model keeps what the
// operator wrote; these answer "what does it mean" for the engines and for `vipd -t`.

#include "conf/model.h"

namespace vipd::conf {

// `state MASTER` without `priority` means 255 (keepalived's vrrp.c); otherwise 100.
inline int effectivePriority(const VrrpInstance& i) {
  if (i.priority)
    return *i.priority;
  return i.state == InitialState::kMaster ? 255 : 100;
}

// The address family of an instance: of its first VIP, else its source or first peer.
inline Family instanceFamily(const VrrpInstance& i) {
  if (!i.virtual_ipaddress.empty())
    return i.virtual_ipaddress.front().prefix.addr.family();
  if (i.src_ip)
    return i.src_ip->family();
  if (!i.unicast_peer.empty())
    return i.unicast_peer.front().addr.family();
  return i.native_ipv6 ? Family::kInet6 : Family::kInet;
}

// IPv6 is always VRRPv3 (RFC 5798); otherwise the instance's, else the global version.
inline int effectiveVersion(const VrrpInstance& i, const GlobalDefs& g) {
  if (instanceFamily(i) == Family::kInet6)
    return 3;
  return i.version.value_or(g.vrrp_version);
}

inline Micros effectiveAdvertInt(const VrrpInstance& i) {
  return i.advert_int.value_or(seconds(1));
}

inline bool strictMode(const VrrpInstance& i, const GlobalDefs& g) {
  return i.strict_mode.value_or(g.vrrp_strict);
}

// Accept_Mode (RFC 5798 6.1): keepalived accepts unless strict mode is on; the address
// owner always accepts (the addresses are its own).
inline bool acceptMode(const VrrpInstance& i, const GlobalDefs& g) {
  return i.accept.value_or(effectivePriority(i) == 255 || !strictMode(i, g));
}

inline int downTimerAdverts(const VrrpInstance& i, const GlobalDefs& g) {
  return i.down_timer_adverts.value_or(g.vrrp_down_timer_adverts);
}

inline bool isUnicast(const VrrpInstance& i) {
  return !i.unicast_peer.empty();
}

}  // namespace vipd::conf
