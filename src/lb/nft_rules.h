#pragma once
// The nftables program for the virtual servers, as nft command text; pure, so unit tests
// read exactly what the kernel will be told (docs/design/load-balancing.md has the layout).
//
// Table `inet vipd_lb`, owned by vipd:
//   - nat_pre / nat_out (nat, prerouting / output): the first packet of a connection to a
//     front end is sent by a verdict map to its service's chain `vs_N`, which DNATs it to
//     one backend. Later packets follow conntrack: a change here never moves an
//     established connection.
//   - gate_pre / gate_out (filter, just before NAT): a service with no backend rejects new
//     connections (ICMP port unreachable, TCP reset), as IPVS does.
//   - persist (filter, just after NAT): a persistent service records client -> backend in
//     its map `p_N` (timeout = persistence_timeout, refreshed by each new connection);
//     `vs_N` looks there first.
//
// Tables `ip vipd_dr` / `ip6 vipd_dr` (filter, prerouting -140), for lb_kind DR: the packet
// is sent unchanged to the real server with `dup to` and the original dropped; f_N records
// each flow's backend (the director sees one direction only; conntrack cannot).
// Every change is one batch (one nft transaction): a packet sees the old or the new rules.

#include <cstdint>
#include <string>
#include <vector>

#include "lb/pool.h"
#include "lb/service.h"

namespace vipd::lb {

inline constexpr const char* kTable = "vipd_lb";
// Direct routing's tables, `ip vipd_dr` and `ip6 vipd_dr`.
inline constexpr const char* kDrTable = "vipd_dr";

// The table with its hook chains and dispatch maps (after a delete of any old one).
std::string tableCommands();
std::string deleteTableCommand();

// One service, identified by `id` (stable while the service lives).
std::string createService(uint32_t id, const ServiceSpec& s, const Pool& p);
// Its pool changed: its chain is rewritten; nothing else in the table is touched.
std::string updateService(uint32_t id, const ServiceSpec& s, const Pool& before, const Pool& after);
std::string deleteService(uint32_t id, const ServiceSpec& s, const Pool& last);

// The persist chain for every persistent service (after a config change).
struct Persistent {
  uint32_t id;
  const ServiceSpec* spec;
};
std::string persistCommands(const std::vector<Persistent>& services);

// Just the rule that picks a backend for `p` (also used by the tests).
std::string schedulerRule(const ServiceSpec& s, const Pool& p);

}  // namespace vipd::lb
