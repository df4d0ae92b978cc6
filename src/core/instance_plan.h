#pragma once
// From one configured vrrp_instance to what the protocol engine and the receive checks need:
// keepalived's inheritance (instance keyword, else global_defs, else built-in default) is
// resolved here, once, so that the engine never sees an optional.

#include <vector>

#include "base/ip_address.h"
#include "conf/model.h"
#include "proto/vrrp/fsm.h"
#include "proto/vrrp/receive.h"

namespace vipd::core {

struct InstancePlan {
  vrrp::RouterParams params;
  vrrp::InstanceRxConfig rx;  // receive checks; rx.addrs are the advertised VIPs
  bool v3_checksum_as_v2 = false;
};

// `primary` is the instance's source address: unicast_src_ip / mcast_src_ip when configured,
// else the interface's primary address (the data plane knows it; the simulator assigns it).
InstancePlan planInstance(const conf::VrrpInstance& i, const conf::GlobalDefs& g,
                          const IpAddress& primary);

}  // namespace vipd::core
