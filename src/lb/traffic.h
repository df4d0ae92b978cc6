#pragma once
// Traffic counters for the nftables data plane: what IPVS keeps per service and per
// destination (connections, packets and bytes in and out), which keepalived's exporter
// publishes as keepalived_lvs_vip_* and keepalived_lvs_rs_*. Pure: nft command text and
// the reader of nft's JSON listing.
//
// Layout (docs/design/load-balancing.md): every (virtual server, real server) pair has
// three named counters in table inet vipd_lb - `t<N>_i` (packets client -> real server),
// `t<N>_o` (replies) and `t<N>_n` (new connections). The chains `traffic_pre` and
// `traffic_out` (just after NAT, as the persist chain) look every translated packet up by
// its connection's tuple - the original destination (the front end) and the reply source
// (the real server the connection was sent to) - in objref maps naming the counter:
// nothing is kept per connection, and a connection is counted for as long as it lives,
// whatever the pools do meanwhile. A virtual server's totals are the sum of its pairs.
// Not counted: fwmark front ends (the mark is on the client's packets only, if at all) and
// direct routing (the director sees one direction only).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lb/service.h"

namespace vipd::lb {

// The maps and chains (part of the table, written with it).
std::string trafficTableCommands();

// Whether a service's traffic is counted: NAT, with at least one address front end.
bool counted(const ServiceSpec& s);

// The counters a service's real servers use (`numbers[i]` for real_servers[i], then the
// sorry server's), and the map elements that point its front ends at them. `verb` is
// "add" or "delete".
std::string trafficElements(const char* verb, const ServiceSpec& s,
                            const std::vector<uint32_t>& numbers);
std::string addCounters(uint32_t number);
std::string deleteCounters(uint32_t number);

// One pair's totals, as IPVS's ip_vs_stats.
struct Tally {
  uint64_t conns = 0, in_packets = 0, out_packets = 0, in_bytes = 0, out_bytes = 0;
  Tally& operator+=(const Tally& o);
};

// nft's JSON listing of the table's counters (`list counters table inet vipd_lb`) read
// into pair totals by counter number; nullopt when the text is not such a listing.
std::optional<std::map<uint32_t, Tally>> readCounters(const std::string& json);

}  // namespace vipd::lb
