#include "lb/nft_rules.h"

#include <fmt/format.h>

#include <tuple>

#include "lb/slots.h"

namespace vipd::lb {
namespace {

bool v4(const ServiceSpec& s) {
  return s.family == Family::kInet;
}
const char* ipWord(const ServiceSpec& s) {
  return v4(s) ? "ip" : "ip6";
}
bool dr(const ServiceSpec& s) {
  return s.method == Method::kDr;
}
// The table a service's rules live in: "inet vipd_lb" (NAT) or "ip vipd_dr" / "ip6 vipd_dr".
std::string tableOf(const ServiceSpec& s) {
  return dr(s) ? fmt::format("{} {}", ipWord(s), kDrTable) : fmt::format("inet {}", kTable);
}

// The dispatch map a front end belongs to, and its key.
struct Dispatch {
  std::string map;  // without the svc_/gate_ prefix: "4", "6", "4a", "6a", "4m", "6m"
  std::string key;
};

Dispatch dispatchOf(const ServiceSpec& s, const Front& f) {
  const std::string fam = v4(s) ? "4" : "6";
  if (!f.addr)
    return {fam + "m", fmt::format("{}", f.fwmark)};
  if (f.port == 0)
    return {fam + "a", fmt::format("{} . {}", f.addr->str(), protoName(s.protocol))};
  return {fam, fmt::format("{} . {} . {}", f.addr->str(), protoName(s.protocol), f.port)};
}

std::string dispatchElements(const char* verb, const char* prefix, const ServiceSpec& s,
                             const std::string& verdict) {
  std::string out;
  for (const auto& f : s.fronts) {
    const auto d = dispatchOf(s, f);
    out += fmt::format("{} element {} {}_{} {{ {}{} }}\n", verb, tableOf(s), prefix, d.map, d.key,
                       verdict.empty() ? "" : " : " + verdict);
  }
  return out;
}

// A NAT target with a port needs the transport protocol known to nft; a portless one (an
// fwmark service keeping the client's port) must not narrow the service to one protocol.
std::string l4Guard(const ServiceSpec& s, bool with_port) {
  return with_port ? fmt::format("meta l4proto {} ", protoName(s.protocol)) : "";
}

bool portless(const Pool& p) {
  for (const auto& b : p.backends) {
    if (b.port != 0)
      return false;
  }
  return true;
}

// A backend as a NAT target: "10.0.0.1 . 80" in a map, "10.0.0.1:80" alone.
std::string target(const ServiceSpec& s, const Backend& b, bool in_map, bool with_port) {
  const std::string a = v4(s) ? b.addr.str() : "[" + b.addr.str() + "]";
  if (!with_port)
    return v4(s) || in_map ? b.addr.str() : a;
  return in_map ? fmt::format("{} . {}", a, b.port) : fmt::format("{}:{}", a, b.port);
}

std::string maskText(const ServiceSpec& s) {
  const int len = s.persistence_prefix;
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < len; ++i)
    bytes[static_cast<size_t>(i / 8)] |= static_cast<uint8_t>(0x80 >> (i % 8));
  if (v4(s))
    return IpAddress::v4(static_cast<uint32_t>(bytes[0]) << 24 |
                         static_cast<uint32_t>(bytes[1]) << 16 |
                         static_cast<uint32_t>(bytes[2]) << 8 | bytes[3])
        .str();
  return IpAddress::v6(bytes).str();
}

// "ip saddr & 255.255.255.0" (the mask left out at full length).
std::string clientKey(const ServiceSpec& s) {
  const std::string base = fmt::format("{} saddr", ipWord(s));
  if (s.persistence_prefix == (v4(s) ? 32 : 128))
    return base;
  return base + " & " + maskText(s);
}

// IPv6 persistence stores the backend's address only (nft 1.0.6 cannot update a map whose
// value is an IPv6 address with a port), so it needs one port for every backend.
bool persistentHere(const ServiceSpec& s) {
  if (!s.persistence_s || dr(s))
    return false;
  if (v4(s))
    return true;
  int port = -1;
  for (const auto& r : s.real_servers) {
    if (port >= 0 && r.port != port)
      return false;
    port = r.port;
  }
  return !s.sorry || port < 0 || s.sorry->port == port;
}

int commonPort(const ServiceSpec& s) {
  return s.real_servers.empty() ? (s.sorry ? s.sorry->port : 0) : s.real_servers.front().port;
}

std::string persistMapDecl(uint32_t id, const ServiceSpec& s) {
  const char* addr = v4(s) ? "ipv4_addr" : "ipv6_addr";
  const bool with_port = v4(s) && commonPort(s) != 0;
  return fmt::format(
      "add map inet {} p_{} {{ type {} : {}{}; flags dynamic,timeout; timeout {}s; size 65536; "
      "}}\n",
      kTable, id, addr, addr, with_port ? " . inet_service" : "", *s.persistence_s);
}

std::string chainRules(uint32_t id, const ServiceSpec& s, const Pool& p) {
  if (p.backends.empty())
    return "";
  std::string out;
  if (persistentHere(s)) {
    const int port = commonPort(s);
    std::string lookup = fmt::format("{} map @p_{}", clientKey(s), id);
    if (!v4(s) && port != 0)
      lookup += fmt::format(" : {}", port);
    out += fmt::format("add rule inet {} vs_{} {}dnat {} to {}\n", kTable, id,
                       l4Guard(s, port != 0), ipWord(s), lookup);
  }
  out += fmt::format("add rule inet {} vs_{} {}\n", kTable, id, schedulerRule(s, p));
  return out;
}

}  // namespace

std::string tableCommands() {
  std::string out = fmt::format("add table inet {}\n", kTable);
  const char* types[][2] = {{"4", "ipv4_addr . inet_proto . inet_service"},
                            {"6", "ipv6_addr . inet_proto . inet_service"},
                            {"4a", "ipv4_addr . inet_proto"},
                            {"6a", "ipv6_addr . inet_proto"},
                            {"4m", "mark"},
                            {"6m", "mark"}};
  for (const char* prefix : {"svc", "gate"}) {
    for (const auto& t : types)
      out += fmt::format("add map inet {} {}_{} {{ type {} : verdict; }}\n", kTable, prefix, t[0],
                         t[1]);
  }
  const std::string lookups[] = {
      "ip daddr . meta l4proto . th dport vmap @{0}_4",
      "ip6 daddr . meta l4proto . th dport vmap @{0}_6",
      "ip daddr . meta l4proto vmap @{0}_4a",
      "ip6 daddr . meta l4proto vmap @{0}_6a",
      "meta mark != 0 meta nfproto ipv4 meta mark vmap @{0}_4m",
      "meta mark != 0 meta nfproto ipv6 meta mark vmap @{0}_6m",
  };
  struct Hook {
    const char* chain;
    const char* type;
    const char* hook;
    int priority;
    const char* prefix;
    const char* guard;
  };
  const Hook hooks[] = {{"nat_pre", "nat", "prerouting", -100, "svc", ""},
                        {"nat_out", "nat", "output", -100, "svc", ""},
                        {"gate_pre", "filter", "prerouting", -101, "gate", "ct state new "},
                        {"gate_out", "filter", "output", -101, "gate", "ct state new "}};
  out += fmt::format("add chain inet {} reject_new\n", kTable);
  out += fmt::format("add rule inet {} reject_new reject with icmpx port-unreachable\n", kTable);
  for (const auto& h : hooks) {
    out += fmt::format("add chain inet {} {} {{ type {} hook {} priority {}; policy accept; }}\n",
                       kTable, h.chain, h.type, h.hook, h.priority);
    for (const auto& l : lookups)
      out += fmt::format("add rule inet {} {} {}{}\n", kTable, h.chain, h.guard,
                         fmt::format(fmt::runtime(l), h.prefix));
  }
  // Persistence is recorded after NAT, from the connection's original destination.
  out += fmt::format("add chain inet {} persist\n", kTable);
  for (const auto& [chain, hook] :
       {std::pair{"persist_pre", "prerouting"}, std::pair{"persist_out", "output"}}) {
    out += fmt::format(
        "add chain inet {0} {1} {{ type filter hook {2} priority -99; policy accept; }}\n"
        "add rule inet {0} {1} ct state new ct status dnat jump persist\n",
        kTable, chain, hook);
  }
  // Direct routing has a table per family (nft's dup is per family), hooked after mangle
  // (-150, where fwmarks are set) and before NAT.
  for (const auto& [fam, n, addr] :
       {std::tuple{"ip", "4", "ipv4_addr"}, std::tuple{"ip6", "6", "ipv6_addr"}}) {
    out += fmt::format(
        "add table {0} {1}\n"
        "add map {0} {1} svc_{2} {{ type {3} . inet_proto . inet_service : verdict; }}\n"
        "add map {0} {1} svc_{2}a {{ type {3} . inet_proto : verdict; }}\n"
        "add map {0} {1} svc_{2}m {{ type mark : verdict; }}\n"
        "add chain {0} {1} pre {{ type filter hook prerouting priority -140; policy accept; }}\n"
        "add rule {0} {1} pre {0} daddr . meta l4proto . th dport vmap @svc_{2}\n"
        "add rule {0} {1} pre {0} daddr . meta l4proto vmap @svc_{2}a\n"
        "add rule {0} {1} pre meta mark != 0 meta mark vmap @svc_{2}m\n",
        fam, kDrTable, n, addr);
  }
  return out;
}

// `add` first: a delete of a missing table would fail the whole batch.
std::string deleteTableCommand() {
  return fmt::format(
      "add table inet {0}\ndelete table inet {0}\n"
      "add table ip {1}\ndelete table ip {1}\nadd table ip6 {1}\ndelete table ip6 {1}\n",
      kTable, kDrTable);
}

namespace {

// How a new connection picks a backend: a selector expression (numgen or jhash) indexing a
// slot table, or, with one backend (or fo), that backend outright.
struct Pick {
  std::string selector;  // "" : `only`
  std::vector<uint32_t> slots;
  uint32_t only = 0;
};

Pick pick(const ServiceSpec& s, const Pool& p) {
  Pick out;
  if (p.backends.size() == 1 || s.sched.sched == Sched::kFo) {
    out.only = p.backends.size() == 1 ? 0 : failoverChoice(p.backends);
    return out;
  }
  const std::string src =
      fmt::format("{} saddr{}", ipWord(s), s.sched.hash_port ? " . th sport" : "");
  switch (s.sched.sched) {
    case Sched::kRr:
      for (uint32_t i = 0; i < p.backends.size(); ++i)
        out.slots.push_back(i);
      out.selector = fmt::format("numgen inc mod {}", out.slots.size());
      break;
    case Sched::kWrr:
      out.slots = wrrSequence(p.backends);
      out.selector = fmt::format("numgen inc mod {}", out.slots.size());
      break;
    case Sched::kSh:
      out.slots = hashBuckets(p.backends);
      out.selector = fmt::format("jhash {} mod {} seed 0x5eed", src, out.slots.size());
      break;
    case Sched::kDh:
      out.slots = hashBuckets(p.backends);
      out.selector = fmt::format("jhash {} daddr mod {} seed 0x5eed", ipWord(s), out.slots.size());
      break;
    case Sched::kMh:
      out.slots = maglevTable(p.backends);
      out.selector = fmt::format("jhash {} mod {} seed 0x5eed", src, out.slots.size());
      break;
    case Sched::kFo:
      break;  // handled above
  }
  return out;
}

// "numgen inc mod 3 map { 0 : A, 1-2 : B }", or "A" alone.
template <typename Value>
std::string pickExpression(const ServiceSpec& s, const Pool& p, Value value) {
  const Pick k = pick(s, p);
  if (k.selector.empty())
    return value(p.backends[k.only]);
  std::string elems;
  for (const auto& r : slotRanges(k.slots)) {
    if (!elems.empty())
      elems += ", ";
    elems += r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}-{}", r.first, r.last);
    elems += " : " + value(p.backends[r.backend]);
  }
  return k.selector + " map { " + elems + " }";
}

}  // namespace

std::string schedulerRule(const ServiceSpec& s, const Pool& p) {
  const bool with_port = !portless(p);
  const std::string head = l4Guard(s, with_port) + fmt::format("dnat {} to ", ipWord(s));
  if (pick(s, p).selector.empty())
    return head +
           pickExpression(s, p, [&](const Backend& b) { return target(s, b, false, with_port); });
  return head +
         pickExpression(s, p, [&](const Backend& b) { return target(s, b, true, with_port); });
}

namespace {

// Direct routing (lb_kind DR). IPVS sends the client's packet unchanged to the real
// server's MAC, found by a route lookup to the real server (ip_vs_xmit.c, ip_vs_dr_xmit);
// `dup to <real server>` does the same (the kernel routes the copy with the real server
// as next hop and its neighbour table gives the MAC), and the original is dropped. The
// director sees one direction only, so conntrack cannot hold the flow: each flow's backend
// is recorded in f_N (client address . port -> backend index; with persistence, the
// client's address at the granularity), refreshed by each packet. be_N maps the index of
// every configured server to its address and never changes while the service lives, so a
// flow keeps its backend through any pool change, as conntrack keeps a NAT connection's.

uint32_t drIndex(const ServiceSpec& s, const Pool& p, const Backend& b) {
  if (p.sorry)
    return static_cast<uint32_t>(s.real_servers.size()) + 1;
  for (size_t i = 0; i < s.real_servers.size(); ++i) {
    if (s.real_servers[i].addr == b.addr && s.real_servers[i].port == b.port)
      return static_cast<uint32_t>(i) + 1;
  }
  return 0;  // not reached: a pool holds configured servers only
}

// IPv6 records the client's address only, so all of a client's connections share one
// backend while it is active: nft 1.0.6 aborts (libnftables assertion) on a map update
// whose key is an IPv6 address . port, and crashes listing a map keyed by a hash.
std::string drKey(const ServiceSpec& s) {
  if (s.persistence_s || !v4(s))
    return clientKey(s);
  return "ip saddr . th sport";
}

// IPVS's idle timeouts: 900 s for an established TCP connection, 300 s for UDP.
uint32_t drFlowTimeout(const ServiceSpec& s) {
  if (s.persistence_s)
    return *s.persistence_s;
  return s.protocol == conf::L4Protocol::kUdp ? 300 : 900;
}

std::string drMaps(uint32_t id, const ServiceSpec& s) {
  const char* addr = v4(s) ? "ipv4_addr" : "ipv6_addr";
  std::string elems;
  auto add = [&](size_t index, const IpAddress& a) {
    elems += fmt::format("{}{} : {}", elems.empty() ? "" : ", ", index, a.str());
  };
  for (size_t i = 0; i < s.real_servers.size(); ++i)
    add(i + 1, s.real_servers[i].addr);
  if (s.sorry)
    add(s.real_servers.size() + 1, s.sorry->addr);
  std::string out = fmt::format("add map {} be_{} {{ type mark : {}; {}}}\n", tableOf(s), id, addr,
                                elems.empty() ? "" : "elements = { " + elems + " }; ");
  const bool per_flow = !s.persistence_s && v4(s);
  const std::string type = fmt::format("type {}{} : mark", addr, per_flow ? " . inet_service" : "");
  out +=
      fmt::format("add map {} f_{} {{ {}; flags dynamic,timeout; timeout {}s; size 1048576; }}\n",
                  tableOf(s), id, type, drFlowTimeout(s));
  return out;
}

std::string drRules(uint32_t id, const ServiceSpec& s, const Pool& p) {
  const std::string t = tableOf(s), key = drKey(s);
  const std::string send = fmt::format("dup to meta mark map @be_{} drop", id);
  std::string out = fmt::format(
      "add rule {0} vs_{1} meta mark set {2} map @f_{1} dup to meta mark map @be_{1} update "
      "@f_{1} {{ {2} : meta mark }} drop\n",
      t, id, key);
  if (p.backends.empty())
    return out + fmt::format("add rule {} vs_{} reject\n", t, id);
  const std::string choose =
      pickExpression(s, p, [&](const Backend& b) { return std::to_string(drIndex(s, p, b)); });
  return out + fmt::format(
                   "add rule {0} vs_{1} meta mark set {2} update @f_{1} {{ {3} : meta "
                   "mark }} {4}\n",
                   t, id, choose, key, send);
}

bool backendLeft(const Pool& before, const Pool& after) {
  for (const auto& b : before.backends) {
    bool still = false;
    for (const auto& a : after.backends)
      still = still || (a.addr == b.addr && a.port == b.port);
    if (!still)
      return true;
  }
  return false;
}

}  // namespace

std::string createService(uint32_t id, const ServiceSpec& s, const Pool& p) {
  if (dr(s))
    return fmt::format("add chain {} vs_{}\n", tableOf(s), id) + drMaps(id, s) + drRules(id, s, p) +
           dispatchElements("add", "svc", s, fmt::format("jump vs_{}", id));
  std::string out = fmt::format("add chain inet {} vs_{}\n", kTable, id);
  if (persistentHere(s))
    out += persistMapDecl(id, s);
  out += chainRules(id, s, p);
  out += dispatchElements("add", "svc", s, fmt::format("jump vs_{}", id));
  if (p.backends.empty())
    out += dispatchElements("add", "gate", s, "jump reject_new");
  return out;
}

std::string updateService(uint32_t id, const ServiceSpec& s, const Pool& before,
                          const Pool& after) {
  if (dr(s)) {
    std::string out = fmt::format("flush chain {} vs_{}\n", tableOf(s), id) + drRules(id, s, after);
    // A persistent client pinned to a backend that left is scheduled afresh (the whole
    // map is emptied: nft cannot delete elements by value).
    if (s.persistence_s && backendLeft(before, after))
      out += fmt::format("flush map {} f_{}\n", tableOf(s), id);
    return out;
  }
  std::string out = fmt::format("flush chain inet {} vs_{}\n", kTable, id);
  out += chainRules(id, s, after);
  if (before.backends.empty() != after.backends.empty())
    out += dispatchElements(after.backends.empty() ? "add" : "delete", "gate", s,
                            after.backends.empty() ? "jump reject_new" : "");
  // A client pinned to a backend that left is scheduled afresh on its next connection.
  // (The whole map is emptied: nft cannot delete elements by value.)
  if (persistentHere(s) && backendLeft(before, after))
    out += fmt::format("flush map inet {} p_{}\n", kTable, id);
  return out;
}

std::string deleteService(uint32_t id, const ServiceSpec& s, const Pool& last) {
  if (dr(s))
    return dispatchElements("delete", "svc", s, "") +
           fmt::format("delete chain {0} vs_{1}\ndelete map {0} be_{1}\ndelete map {0} f_{1}\n",
                       tableOf(s), id);
  std::string out = dispatchElements("delete", "svc", s, "");
  if (last.backends.empty())
    out += dispatchElements("delete", "gate", s, "");
  out += fmt::format("delete chain inet {} vs_{}\n", kTable, id);
  if (persistentHere(s))
    out += fmt::format("delete map inet {} p_{}\n", kTable, id);
  return out;
}

std::string persistCommands(const std::vector<Persistent>& services) {
  std::string out = fmt::format("flush chain inet {} persist\n", kTable);
  for (const auto& ps : services) {
    const ServiceSpec& s = *ps.spec;
    if (!persistentHere(s))
      continue;
    const bool with_port = v4(s) && commonPort(s) != 0;
    const std::string value = fmt::format("{} daddr{}", ipWord(s), with_port ? " . th dport" : "");
    for (const auto& f : s.fronts) {
      std::string match;
      if (!f.addr)
        match = fmt::format("meta mark {} meta nfproto {}{}", f.fwmark, v4(s) ? "ipv4" : "ipv6",
                            with_port ? " " + l4Guard(s, true) : "");
      else
        match = fmt::format("ct original {} daddr {} meta l4proto {}{}", ipWord(s), f.addr->str(),
                            protoName(s.protocol),
                            f.port ? fmt::format(" ct original proto-dst {}", f.port) : "");
      out += fmt::format("add rule inet {} persist {} update @p_{} {{ {} : {} }}\n", kTable, match,
                         ps.id, clientKey(s), value);
    }
  }
  return out;
}

}  // namespace vipd::lb
