#pragma once
// What IPVS must hold for a configuration and its real servers' health, as keepalived 2.2.7
// programs it (issue 15): one IPVS service per front end (an address and port, a firewall
// mark, or each address of a virtual_server_group entry), keepalived's scheduler name and
// flags verbatim (IPVS runs them all: nothing is mapped, unlike the nftables data plane),
// persistence with its netmask and engine, one-packet scheduling; per real server the
// forwarding method (tunnel type included), weight and connection thresholds. Pure: the
// IPVS writer turns the difference between two of these into netlink requests.
//
// The pool follows keepalived's rules (check/ipwrapper.c), checked against keepalived in a
// VM (tests/vm): a live real server at its current weight; a failed one removed, or kept at
// weight 0 with inhibit_on_failure; quorum lost with a sorry server: the sorry server alone
// (the failed-but-inhibited ones stay at 0); sorry_server_inhibit keeps the sorry server at
// weight 0 while it is not needed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "conf/model.h"
#include "lb/pool.h"
#include "lb/service.h"

namespace vipd::lb {

struct IpvsService {
  Front front;  // addr + port, or fwmark
  conf::L4Protocol protocol = conf::L4Protocol::kTcp;
  Family family = Family::kInet;
  std::string sched;         // lb_algo as written (default wlc)
  uint32_t sched_flags = 0;  // IP_VS_SVC_F_SCHED1..3 as bits 0..2 (sh-/mh-fallback, -port)
  bool ops = false;
  std::optional<uint32_t> persistence_s;
  int netmask_prefix = 32;  // persistence_granularity (32 / 128: none)
  std::string pe;           // persistence_engine ("" none)
  friend bool operator==(const IpvsService&, const IpvsService&) = default;
};

struct IpvsDest {
  IpAddress addr;
  int port = 0;
  char method = 'm';     // ipvsadm's -m (NAT), -g (DR), -i (TUN)
  std::string tun_type;  // TUN: ipip, gue, gre
  int tun_port = 0;      // gue
  std::string tun_csum;  // "", nocsum, csum, remcsum
  int64_t weight = 1;
  int uthreshold = 0, lthreshold = 0;
  friend bool operator==(const IpvsDest&, const IpvsDest&) = default;
};

struct IpvsVirtual {
  IpvsService service;
  std::vector<IpvsDest> dests;  // in configuration order, the sorry server last
  friend bool operator==(const IpvsVirtual&, const IpvsVirtual&) = default;
};

// The IPVS services of one virtual server (one per front end) with their real servers;
// `h` nullptr: every real server up at its configured weight.
std::vector<IpvsVirtual> ipvsRulesOf(const conf::VirtualServer& v, const ServiceSpec& spec,
                                     const ServiceHealth* h);

// Every IPVS service of the virtual servers that `specs` (makeServices) programs, with its
// real servers per `health` (one per virtual server, in configuration order).
std::vector<IpvsVirtual> ipvsRules(const conf::Config& cfg, const std::vector<ServiceSpec>& specs,
                                   const std::vector<ServiceHealth>& health);

// The rules as `ipvsadm -Sn` writes them (one -A line per service, one -a line per real
// server), for logs, vipctl and the comparison with keepalived (tests/vm).
std::vector<std::string> ipvsadmSave(const std::vector<IpvsVirtual>& rules);

}  // namespace vipd::lb
