#pragma once
// Traffic counters for the nftables data plane: what IPVS keeps per service and per
// destination (connections, packets and bytes in and out), which keepalived's exporter
// publishes as keepalived_lvs_vip_* and keepalived_lvs_rs_*. Pure: nft command text and
// the reader of nft's JSON listing.
//
// Layout (docs/design/load-balancing.md): sets with a counter on each element, one element
// per (front end, real server) pair, keyed by the connection's tuple as conntrack has it -
// the original destination (the front end) and the reply's source (the real server the
// connection was sent to). The chains `traffic_pre` / `traffic_out` (just after NAT) look
// every translated packet up in `t4p_i` (client -> real server), `t4p_o` (replies) and
// `t4p_n` (a connection's first packet); `p` for front ends with a port, `a` for port 0,
// `6` for IPv6. Nothing is kept per connection; a connection is counted for as long as
// it lives, whatever the pools do meanwhile; an element (and its count) stays for as long
// as its pair is configured. Counters live in set elements rather than named counter
// objects because libnftables reads every object of the ruleset before each transaction:
// 30,000 counter objects made each pool change cost ~90 ms.
// Not counted: fwmark front ends (the mark is on the client's packets only, if at all) and
// direct routing (the director sees one direction only).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lb/service.h"

namespace vipd::lb {

// The sets and chains (part of the table, written with it).
std::string trafficTableCommands();
// The sets to list for a reading.
std::vector<std::string> trafficSets();

// Whether a service's traffic is counted: NAT, with at least one address front end.
bool counted(const ServiceSpec& s);

// One (front end, real server) pair: its key in the sets of `form` ("4p", "4a", "6p",
// "6a"), and the server (index in real_servers; real_servers.size() for the sorry server).
struct TrafficPair {
  std::string form, key;
  size_t server = 0;
  friend auto operator<=>(const TrafficPair&, const TrafficPair&) = default;
};
std::vector<TrafficPair> trafficPairs(const ServiceSpec& s);

// The elements of `pairs` added to (verb "add") or deleted from ("delete") the three sets
// of their form, one command per set.
std::string trafficElements(const char* verb, const std::vector<TrafficPair>& pairs);

// One pair's totals, as IPVS's ip_vs_stats.
struct Tally {
  uint64_t conns = 0, in_packets = 0, out_packets = 0, in_bytes = 0, out_bytes = 0;
  Tally& operator+=(const Tally& o);
};

struct Count {
  uint64_t packets = 0, bytes = 0;
};
// nft's JSON listing of one counted set (`list set inet vipd_lb t4p_i`): each element's
// key, written as trafficPairs writes it, and its counter; nullopt when the text is not
// such a listing.
std::optional<std::map<std::string, Count>> readSetCounters(const std::string& json);

}  // namespace vipd::lb
