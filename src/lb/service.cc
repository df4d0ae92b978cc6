#include "lb/service.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "check/plan.h"

namespace vipd::lb {
namespace {

constexpr size_t kMaxGroupAddresses = 4096;

std::optional<int> parseInt(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

// One `virtual_server_group` entry: `IP[-END|/LEN] [PORT]` or `fwmark N [inet|inet6]`.
// Ranges name the last byte (IPv4) or the last group (IPv6) of the end address, as
// keepalived reads them.
void expandEntry(const conf::VirtualServerGroupEntry& e, std::vector<Front>& out, Diagnostics& d) {
  const auto& w = e.words;
  if (w.empty())
    return;
  if (w[0] == "fwmark") {
    auto mark = w.size() > 1 ? parseInt(w[1]) : std::nullopt;
    if (!mark || *mark <= 0) {
      d.error(e.loc, "virtual_server_group: fwmark needs a positive number");
      return;
    }
    out.push_back({std::nullopt, 0, static_cast<uint32_t>(*mark)});
    return;
  }
  int port = 0;
  if (w.size() > 1) {
    auto p = parseInt(w[1]);
    if (!p || *p < 0 || *p > 65535) {
      d.error(e.loc, "virtual_server_group: bad port '" + w[1] + "'");
      return;
    }
    port = *p;
  }
  const std::string& a = w[0];
  auto dash = a.find('-');
  auto slash = a.find('/');
  std::string first = a.substr(0, std::min(dash, slash));
  auto base = IpAddress::parse(first);
  if (!base) {
    d.error(e.loc, "virtual_server_group: bad address '" + a + "'");
    return;
  }
  uint64_t count = 1;
  if (dash != std::string::npos) {
    const std::string end_text = a.substr(dash + 1);
    auto end = base->isV4() ? parseInt(end_text) : std::nullopt;
    int last = 0;
    if (base->isV4()) {
      last = base->bytes()[3];
    } else {
      // IPv6: the end is the last 16-bit group, in hex.
      unsigned v = 0;
      auto [p, ec] = std::from_chars(end_text.data(), end_text.data() + end_text.size(), v, 16);
      if (ec == std::errc() && p == end_text.data() + end_text.size() && v <= 0xffff)
        end = static_cast<int>(v);
      last = base->bytes()[14] << 8 | base->bytes()[15];
    }
    if (!end || *end < last || *end > (base->isV4() ? 255 : 0xffff)) {
      d.error(e.loc, "virtual_server_group: bad range '" + a + "'");
      return;
    }
    count = static_cast<uint64_t>(*end - last) + 1;
  } else if (slash != std::string::npos) {
    auto len = parseInt(a.substr(slash + 1));
    if (!len || *len < 0 || *len > base->maxPrefix()) {
      d.error(e.loc, "virtual_server_group: bad prefix '" + a + "'");
      return;
    }
    const int host_bits = base->maxPrefix() - *len;
    count = host_bits >= 20 ? kMaxGroupAddresses + 1 : uint64_t{1} << host_bits;
  }
  if (count > kMaxGroupAddresses) {
    d.error(e.loc, fmt::format("virtual_server_group: '{}' names more than {} addresses", a,
                               kMaxGroupAddresses));
    return;
  }
  for (uint64_t i = 0; i < count; ++i) {
    auto bytes = base->bytes();
    // Add i to the address (with carry), starting at its last byte.
    uint64_t carry = i;
    for (int k = base->isV4() ? 3 : 15; k >= 0 && carry; --k) {
      const uint64_t sum = bytes[static_cast<size_t>(k)] + (carry & 0xff);
      bytes[static_cast<size_t>(k)] = static_cast<uint8_t>(sum & 0xff);
      carry = (carry >> 8) + (sum >> 8);
    }
    IpAddress addr = base->isV4() ? IpAddress::v4(static_cast<uint32_t>(bytes[0]) << 24 |
                                                  static_cast<uint32_t>(bytes[1]) << 16 |
                                                  static_cast<uint32_t>(bytes[2]) << 8 | bytes[3])
                                  : IpAddress::v6(bytes);
    out.push_back({addr, port, 0});
  }
}

}  // namespace

const char* protoName(conf::L4Protocol p) {
  switch (p) {
    case conf::L4Protocol::kUdp:
      return "udp";
    case conf::L4Protocol::kSctp:
      return "sctp";
    default:
      return "tcp";
  }
}

const char* schedName(Sched s) {
  switch (s) {
    case Sched::kRr:
      return "rr";
    case Sched::kWrr:
      return "wrr";
    case Sched::kSh:
      return "sh";
    case Sched::kDh:
      return "dh";
    case Sched::kMh:
      return "mh";
    default:
      return "fo";
  }
}

const char* methodName(Method m) {
  switch (m) {
    case Method::kDr:
      return "DR";
    case Method::kTun:
      return "TUN";
    default:
      return "NAT";
  }
}

namespace {

Method methodOf(const conf::ForwardingMethod& m) {
  if (m.method == "DR")
    return Method::kDr;
  if (m.method == "TUN")
    return Method::kTun;
  return Method::kNat;
}

}  // namespace

SchedChoice chooseScheduler(const std::optional<std::string>& lb_algo,
                            const std::vector<std::string>& sched_flags) {
  SchedChoice c;
  c.asked = lb_algo.value_or("wlc");
  auto has = [&](const char* f) {
    return std::find(sched_flags.begin(), sched_flags.end(), f) != sched_flags.end();
  };
  const std::string& a = c.asked;
  const std::string counts =
      "nftables keeps no per-real-server connection count to choose by, so new connections "
      "are spread by ";
  if (a == "rr") {
    c.sched = Sched::kRr;
  } else if (a == "wrr") {
    c.sched = Sched::kWrr;
  } else if (a == "sh") {
    c.sched = Sched::kSh;
    c.hash_port = has("sh-port") || has("flag-2");
  } else if (a == "dh") {
    c.sched = Sched::kDh;
  } else if (a == "mh") {
    c.sched = Sched::kMh;
    c.hash_port = has("mh-port") || has("flag-2");
  } else if (a == "fo") {
    c.sched = Sched::kFo;
  } else if (a == "lc") {
    c.sched = Sched::kRr;
    c.inexact = counts + "round robin (rr)";
  } else if (a == "wlc" || a == "sed" || a == "nq") {
    c.sched = Sched::kWrr;
    c.inexact = counts + "weighted round robin (wrr)";
  } else if (a == "lblc" || a == "lblcr") {
    c.sched = Sched::kDh;
    c.inexact = counts + "destination hashing (dh), the locality without the overload check";
  } else if (a == "ovf") {
    c.sched = Sched::kFo;
    c.inexact = counts + "weighted failover (fo): the highest weight server takes them all";
  } else if (a == "twos") {
    c.sched = Sched::kWrr;
    c.inexact = counts + "weighted round robin (wrr)";
  } else {
    c.sched = Sched::kWrr;
    c.inexact = "unknown scheduler; new connections are spread by weighted round robin (wrr)";
  }
  return c;
}

std::optional<int> granularityPrefix(const std::string& text, Family f) {
  if (f == Family::kInet6) {
    auto v = parseInt(text);
    if (v && *v >= 1 && *v <= 128)
      return v;
    return std::nullopt;
  }
  auto a = IpAddress::parse(text);
  if (!a || !a->isV4())
    return std::nullopt;
  const uint32_t m = a->v4HostOrder();
  const uint32_t inv = ~m;
  if ((inv & (inv + 1)) != 0)  // not of the form 1...10...0
    return std::nullopt;
  int len = 0;
  for (uint32_t x = m; x & 0x80000000u; x <<= 1)
    ++len;
  return len;
}

std::vector<ServiceSpec> makeServices(const conf::Config& cfg, Diagnostics& d) {
  std::vector<ServiceSpec> out;
  out.reserve(cfg.virtual_servers.size());
  for (const auto& v : cfg.virtual_servers) {
    ServiceSpec s;
    // keepalived's default for an address service is UDP (as the checkers' plan); an fwmark
    // service matches every protocol, and the protocol only names its ports.
    s.protocol = v.protocol.value_or(v.fwmark ? conf::L4Protocol::kTcp : conf::L4Protocol::kUdp);
    s.key = check::virtualServerKey(v, s.protocol);
    s.method = methodOf(v.lvs_method);
    s.sched = chooseScheduler(v.lb_algo, v.sched_flags);
    if (!s.sched.inexact.empty())
      d.warning(v.loc, fmt::format("lb_algo {}{}: {}", s.sched.asked,
                                   v.lb_algo ? "" : " (keepalived's default)", s.sched.inexact));
    // Front ends.
    if (v.group) {
      const conf::VirtualServerGroup* g = nullptr;
      for (const auto& x : cfg.virtual_server_groups)
        g = x.name == *v.group ? &x : g;
      if (!g) {
        d.error(v.loc,
                "virtual_server group " + *v.group + ": no virtual_server_group of that name");
        s.programmed = false;
      } else {
        for (const auto& e : g->entries)
          expandEntry(e, s.fronts, d);
      }
    } else if (v.fwmark) {
      s.fronts.push_back({std::nullopt, 0, *v.fwmark});
    } else if (v.addr) {
      s.fronts.push_back({v.addr, v.port.value_or(0), 0});
    }
    // The family: the addresses', else ip_family, else the real servers'.
    std::optional<Family> fam;
    for (const auto& f : s.fronts) {
      if (f.addr && !fam)
        fam = f.addr->family();
      if (f.addr && fam != f.addr->family()) {
        d.error(v.loc, "virtual_server: IPv4 and IPv6 front ends in one virtual server");
        s.programmed = false;
      }
    }
    if (!fam && v.ip_family)
      fam = *v.ip_family == "inet6" ? Family::kInet6 : Family::kInet;
    if (!fam && !v.real_servers.empty())
      fam = v.real_servers.front().addr.family();
    s.family = fam.value_or(Family::kInet);
    for (const auto& r : v.real_servers) {
      if (r.addr.family() != s.family) {
        d.error(r.loc, "real_server " + r.addr.str() +
                           ": not of the virtual server's address family (the nftables data "
                           "plane translates within one family)");
        s.programmed = false;
      }
      // A real server without a port takes the virtual server's (0 for fwmark services:
      // the client's port is kept).
      s.real_servers.push_back({r.addr, r.port.value_or(v.port.value_or(0)), r.weight});
      if (r.lvs_method && methodOf(*r.lvs_method) != s.method)
        d.warning(r.loc,
                  "lb_kind of a real_server differs from its virtual server's: the "
                  "nftables data plane forwards a virtual server's real servers one way "
                  "(the virtual server's)");
      if (r.uthreshold || r.lthreshold)
        d.warning(r.loc,
                  "uthreshold/lthreshold: the nftables data plane does not cap a real "
                  "server's connections; not applied");
    }
    if (v.sorry_server) {
      s.sorry = RealServerSpec{v.sorry_server->addr,
                               v.sorry_server->port.value_or(v.port.value_or(0)), 1};
      if (v.sorry_server_lvs_method && methodOf(*v.sorry_server_lvs_method) != s.method)
        d.warning(v.loc,
                  "sorry_server_lvs_method: the sorry server is reached with the virtual "
                  "server's lb_kind on the nftables data plane; not applied");
      if (v.sorry_server->addr.family() != s.family) {
        d.error(v.loc, "sorry_server: not of the virtual server's address family");
        s.programmed = false;
      }
    }
    if (v.persistence_timeout) {
      s.persistence_s = static_cast<uint32_t>(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(*v.persistence_timeout).count()));
    }
    s.persistence_prefix = s.family == Family::kInet ? 32 : 128;
    if (v.persistence_granularity) {
      if (auto len = granularityPrefix(*v.persistence_granularity, s.family))
        s.persistence_prefix = *len;
      else
        d.error(v.loc, "persistence_granularity '" + *v.persistence_granularity +
                           "': not a netmask of the virtual server's family");
    }
    if (v.persistence_engine)
      d.warning(v.loc, "persistence_engine " + *v.persistence_engine +
                           ": not supported by the nftables data plane; persistence is by "
                           "client address");
    if (v.ops)
      d.warning(v.loc,
                "ops: the nftables data plane schedules UDP per flow (conntrack), not "
                "per datagram");
    for (const auto& f : s.fronts) {
      if (f.addr && f.port == 0 && !s.persistence_s && s.method == Method::kNat)
        d.warning(v.loc,
                  "virtual_server with port 0 and no persistence_timeout: every port "
                  "of the address is balanced, each connection on its own");
    }
    if (s.method == Method::kTun) {
      d.error(v.loc,
              "lb_kind TUN: the nftables data plane cannot tunnel (this kernel has no "
              "ipip); use NAT or DR, or IPVS where the kernel has it");
      s.programmed = false;
    } else if (s.method == Method::kDr) {
      // The packet reaches the real server unchanged: its port cannot differ (IPVS ignores it too).
      for (const auto& r : s.real_servers) {
        for (const auto& f : s.fronts) {
          if (f.addr && f.port != 0 && r.port != 0 && r.port != f.port) {
            d.warning(v.loc, fmt::format("lb_kind DR keeps the destination port: real server "
                                         "{} gets connections on port {}, not {}",
                                         r.addr.str(), f.port, r.port));
            break;
          }
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace vipd::lb
