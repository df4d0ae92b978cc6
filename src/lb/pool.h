#pragma once
// The desired state of one virtual server: which real servers get new connections, and
// with what weight, from its configuration and its real servers' health. Pure. keepalived's
// rules (ipwrapper.c: perform_svr_state, update_quorum_state):
//   - with quorum (or with no sorry server), the live real servers at their current weight;
//     a failed one is removed, or kept at weight 0 with inhibit_on_failure - either way it
//     gets no new connection;
//   - without quorum and with a sorry server, the sorry server alone;
//   - without quorum and without one, the live real servers stay.
// A weight of 0 takes no new connection (IPVS's quiescent server); established
// connections are the kernel's (conntrack) and are never touched by a change here.

#include <cstdint>
#include <string>
#include <vector>

#include "lb/service.h"

namespace vipd::lb {

struct RealServerHealth {
  bool alive = true;
  int64_t weight = 1;  // after misc_dynamic / FILE_CHECK
};

struct ServiceHealth {
  bool quorum_up = true;
  std::vector<RealServerHealth> real_servers;  // as ServiceSpec::real_servers
};

struct Backend {
  IpAddress addr;
  int port = 0;
  int64_t weight = 1;
  friend bool operator==(const Backend&, const Backend&) = default;
};

struct Pool {
  std::vector<Backend> backends;  // weight > 0 only, in configuration order
  bool sorry = false;             // the sorry server stands in
  friend bool operator==(const Pool&, const Pool&) = default;
};

Pool desiredPool(const ServiceSpec& spec, const ServiceHealth& health);

}  // namespace vipd::lb
