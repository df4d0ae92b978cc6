#pragma once
// What the kernel is asked to do for one virtual server, from the configuration alone: its
// front ends (address and port, fwmark, or a virtual_server_group's entries), the scheduler
// the data plane really runs, persistence, the forwarding method and the real servers'
// configured weights. Pure: no I/O, no health. `makeServices` also says, at the virtual
// server's line, wherever the nftables data plane cannot do exactly what a keyword means
// (docs/design/load-balancing.md): a different algorithm is never chosen silently.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/diag.h"
#include "base/ip_address.h"
#include "conf/model.h"

namespace vipd::lb {

// The schedulers nftables can run exactly (docs/design/load-balancing.md has the table of
// keepalived's lb_algo values and what each one becomes).
enum class Sched {
  kRr,   // numgen inc over the live real servers
  kWrr,  // numgen inc over IPVS's interleaved weighted sequence
  kSh,   // jhash of the source (and source port) over IPVS's 256-bucket weighted table
  kDh,   // jhash of the destination over the same table
  kMh,   // jhash over a Maglev lookup table (prime size, as IPVS's mh)
  kFo,   // the live real server of highest weight (IPVS fo)
};

struct SchedChoice {
  Sched sched = Sched::kWrr;
  bool hash_port = false;  // sh-port / mh-port: the source port is hashed too
  std::string asked;       // the lb_algo written (or keepalived's default, wlc)
  std::string inexact;     // why the kernel cannot do what `asked` means; "" = exact
};

// keepalived's lb_algo (and sched flags) mapped to the nftables data plane.
SchedChoice chooseScheduler(const std::optional<std::string>& lb_algo,
                            const std::vector<std::string>& sched_flags);

enum class Method { kNat, kDr, kTun };

// Lower-case names as nft and vipctl write them: "tcp", "udp", "sctp"; "rr", "wrr", ...;
// keepalived's "NAT", "DR", "TUN".
const char* protoName(conf::L4Protocol p);
const char* schedName(Sched s);
const char* methodName(Method m);

// Where new connections arrive: an address (port 0 = every port of the protocol, as IPVS
// with persistence) or a firewall mark.
struct Front {
  std::optional<IpAddress> addr;
  int port = 0;
  uint32_t fwmark = 0;
  friend bool operator==(const Front&, const Front&) = default;
};

struct RealServerSpec {
  IpAddress addr;
  int port = 0;  // 0: the client's destination port is kept
  int weight = 1;
  friend bool operator==(const RealServerSpec&, const RealServerSpec&) = default;
};

struct ServiceSpec {
  std::string key;  // keepalived's name of the virtual server, as the checkers use it
  conf::L4Protocol protocol = conf::L4Protocol::kTcp;
  Family family = Family::kInet;
  std::vector<Front> fronts;
  SchedChoice sched;
  std::optional<uint32_t> persistence_s;  // persistence_timeout in seconds
  int persistence_prefix = 32;            // persistence_granularity as a prefix length
  Method method = Method::kNat;
  bool programmed = true;  // false: nothing is written for it (said by makeServices)
  std::vector<RealServerSpec> real_servers;  // in configuration order, as the checkers'
  std::optional<RealServerSpec> sorry;
  friend bool operator==(const ServiceSpec& a, const ServiceSpec& b) {
    return a.key == b.key && a.protocol == b.protocol && a.family == b.family &&
           a.fronts == b.fronts && a.sched.sched == b.sched.sched &&
           a.sched.hash_port == b.sched.hash_port && a.persistence_s == b.persistence_s &&
           a.persistence_prefix == b.persistence_prefix && a.method == b.method &&
           a.programmed == b.programmed && a.real_servers == b.real_servers && a.sorry == b.sorry;
  }
};

// One spec per virtual server, in configuration order (the checkers' order). Errors and
// warnings about what the data plane can do go to `d` at the virtual server's line.
std::vector<ServiceSpec> makeServices(const conf::Config& cfg, Diagnostics& d);

// keepalived's persistence_granularity ("255.255.255.0", or a prefix length for IPv6) as a
// prefix length; nullopt when it is not a contiguous mask of the family.
std::optional<int> granularityPrefix(const std::string& text, Family f);

}  // namespace vipd::lb
