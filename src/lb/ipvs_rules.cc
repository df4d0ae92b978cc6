#include "lb/ipvs_rules.h"

#include <fmt/format.h>

#include "base/text.h"

namespace vipd::lb {
namespace {

// keepalived's sched flag keywords as IP_VS_SVC_F_SCHED1..3 (include/uapi/linux/ip_vs.h:
// SCHED1 is sh-fallback / mh-fallback, SCHED2 sh-port / mh-port).
uint32_t flagBits(const std::vector<std::string>& words) {
  uint32_t bits = 0;
  for (const auto& w : words) {
    if (w == "flag-1" || w == "sh-fallback" || w == "mh-fallback")
      bits |= 1U;
    else if (w == "flag-2" || w == "sh-port" || w == "mh-port")
      bits |= 2U;
    else if (w == "flag-3")
      bits |= 4U;
  }
  return bits;
}

// ipvsadm names the flags after the scheduler that reads them.
std::string flagNames(const std::string& sched, uint32_t bits) {
  const bool sh = sched == "sh", mh = sched == "mh";
  static const char* const kGeneric[] = {"flag-1", "flag-2", "flag-3"};
  std::string out;
  for (int b = 0; b < 3; ++b) {
    if ((bits & (1U << b)) == 0)
      continue;
    const char* name = kGeneric[b];
    if (b == 0 && sh)
      name = "sh-fallback";
    else if (b == 1 && sh)
      name = "sh-port";
    else if (b == 0 && mh)
      name = "mh-fallback";
    else if (b == 1 && mh)
      name = "mh-port";
    out += (out.empty() ? "" : ",") + std::string(name);
  }
  return out;
}

void setMethod(const conf::ForwardingMethod& m, IpvsDest& d) {
  d.method = m.method == "DR" ? 'g' : m.method == "TUN" ? 'i' : 'm';
  if (d.method != 'i')
    return;
  d.tun_type = "ipip";
  // keepalived's `lb_kind TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`.
  for (size_t i = 0; i < m.options.size(); ++i) {
    const auto& w = m.options[i];
    if (w == "type" && i + 1 < m.options.size())
      d.tun_type = m.options[++i];
    else if (w == "port" && i + 1 < m.options.size())
      d.tun_port = static_cast<int>(parseInt(m.options[++i]).value_or(0));
    else if (w == "nocsum" || w == "csum" || w == "remcsum")
      d.tun_csum = w;
  }
}

std::string endpoint(const IpAddress& a, int port) {
  return a.isV4() ? fmt::format("{}:{}", a.str(), port) : fmt::format("[{}]:{}", a.str(), port);
}

std::string serviceId(const IpvsService& s) {
  if (s.front.fwmark != 0)
    return fmt::format("-f {}", s.front.fwmark);
  const char* opt = s.protocol == conf::L4Protocol::kUdp    ? "-u"
                    : s.protocol == conf::L4Protocol::kSctp ? "--sctp-service"
                                                            : "-t";
  return fmt::format("{} {}", opt, endpoint(*s.front.addr, s.front.port));
}

std::string dottedMask(int prefix) {
  const uint32_t m = prefix <= 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return fmt::format("{}.{}.{}.{}", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
}

}  // namespace

std::vector<IpvsVirtual> ipvsRulesOf(const conf::VirtualServer& v, const ServiceSpec& spec,
                                     const ServiceHealth* h) {
  std::vector<IpvsVirtual> out;
  {
    IpvsService svc;
    svc.protocol = spec.protocol;
    svc.family = spec.family;
    svc.sched = v.lb_algo.value_or("wlc");
    svc.sched_flags = flagBits(v.sched_flags);
    svc.ops = v.ops;
    if (v.persistence_timeout)
      svc.persistence_s = static_cast<uint32_t>(v.persistence_timeout->count() / 1'000'000);
    const int full = spec.family == Family::kInet ? 32 : 128;
    svc.netmask_prefix = full;
    if (svc.persistence_s && v.persistence_granularity)
      svc.netmask_prefix =
          granularityPrefix(*v.persistence_granularity, spec.family).value_or(full);
    svc.pe = v.persistence_engine.value_or("");

    std::vector<IpvsDest> dests;
    const bool quorum_up = !h || h->quorum_up;
    const bool sorry_alone = !quorum_up && v.sorry_server;
    for (size_t r = 0; r < v.real_servers.size(); ++r) {
      const auto& rs = v.real_servers[r];
      const bool alive = !h || r >= h->real_servers.size() || h->real_servers[r].alive;
      const int64_t weight =
          h && r < h->real_servers.size() ? h->real_servers[r].weight : rs.weight;
      const bool inhibit = rs.inhibit_on_failure.value_or(v.inhibit_on_failure);
      IpvsDest d;
      d.addr = rs.addr;
      d.port = rs.port.value_or(v.port.value_or(0));
      setMethod(rs.lvs_method.value_or(v.lvs_method), d);
      d.uthreshold = rs.uthreshold;
      d.lthreshold = rs.lthreshold;
      if (alive && !sorry_alone) {
        d.weight = weight;
      } else if (!alive && inhibit) {
        d.weight = 0;
      } else {
        continue;
      }
      dests.push_back(d);
    }
    if (v.sorry_server && (sorry_alone || v.sorry_server_inhibit)) {
      IpvsDest d;
      d.addr = v.sorry_server->addr;
      d.port = v.sorry_server->port.value_or(v.port.value_or(0));
      setMethod(v.sorry_server_lvs_method.value_or(v.lvs_method), d);
      d.weight = sorry_alone ? 1 : 0;
      dests.push_back(d);
    }
    for (const auto& f : spec.fronts) {
      IpvsVirtual iv;
      iv.service = svc;
      iv.service.front = f;
      iv.dests = dests;
      out.push_back(std::move(iv));
    }
  }
  return out;
}

std::vector<IpvsVirtual> ipvsRules(const conf::Config& cfg, const std::vector<ServiceSpec>& specs,
                                   const std::vector<ServiceHealth>& health) {
  std::vector<IpvsVirtual> out;
  for (size_t i = 0; i < specs.size() && i < cfg.virtual_servers.size(); ++i) {
    auto one =
        ipvsRulesOf(cfg.virtual_servers[i], specs[i], i < health.size() ? &health[i] : nullptr);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

std::vector<std::string> ipvsadmSave(const std::vector<IpvsVirtual>& rules) {
  std::vector<std::string> out;
  for (const auto& iv : rules) {
    const auto& s = iv.service;
    const std::string id = serviceId(s);
    std::string line = fmt::format("-A {} -s {}", id, s.sched);
    if (s.sched_flags != 0)
      line += " -b " + flagNames(s.sched, s.sched_flags);
    if (s.persistence_s) {
      line += fmt::format(" -p {}", *s.persistence_s);
      const int full = s.family == Family::kInet ? 32 : 128;
      if (s.netmask_prefix != full)
        line += " -M " + (s.family == Family::kInet ? dottedMask(s.netmask_prefix)
                                                    : std::to_string(s.netmask_prefix));
    }
    if (s.ops)
      line += " -o";
    if (!s.pe.empty())
      line += " --pe " + s.pe;
    out.push_back(line);
    for (const auto& d : iv.dests) {
      std::string dl =
          fmt::format("-a {} -r {} -{} -w {}", id, endpoint(d.addr, d.port), d.method, d.weight);
      if (d.method == 'i') {
        dl += " --tun-type " + d.tun_type;
        if (d.tun_type == "gue")
          dl += fmt::format(" --tun-port {}", d.tun_port);
        if (!d.tun_csum.empty())
          dl += " --tun-" + d.tun_csum;
      }
      out.push_back(dl);
    }
  }
  return out;
}

}  // namespace vipd::lb
