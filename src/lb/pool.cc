#include "lb/pool.h"

namespace vipd::lb {

Pool desiredPool(const ServiceSpec& spec, const ServiceHealth& health) {
  Pool p;
  if (!health.quorum_up && spec.sorry) {
    p.sorry = true;
    p.backends.push_back({spec.sorry->addr, spec.sorry->port, 1});
    return p;
  }
  for (size_t i = 0; i < spec.real_servers.size(); ++i) {
    const auto& r = spec.real_servers[i];
    const RealServerHealth h =
        i < health.real_servers.size() ? health.real_servers[i] : RealServerHealth{true, r.weight};
    if (h.alive && h.weight > 0)
      p.backends.push_back({r.addr, r.port, h.weight});
  }
  return p;
}

}  // namespace vipd::lb
