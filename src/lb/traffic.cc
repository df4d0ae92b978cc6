#include "lb/traffic.h"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <tuple>

#include "lb/nft_rules.h"

namespace vipd::lb {
namespace {

// The three counters of a pair, and the maps that name them: "i" client -> real server,
// "o" replies, "n" new connections. `p`: front ends with a port; `a`: every port (port 0).
constexpr const char* kKinds[] = {"i", "o", "n"};

// The connection's front end and real server, as the kernel's conntrack entry says: the
// original destination, and (after DNAT) the reply's source. nft only types `ct ...
// proto-dst` once the transport protocol is known, hence one chain per protocol.
std::string tupleKey(const char* ip, bool with_port) {
  if (with_port)
    return fmt::format(
        "ct original {0} daddr . meta l4proto . ct original proto-dst . ct reply {0} saddr . "
        "ct reply proto-src",
        ip);
  return fmt::format("ct original {0} daddr . meta l4proto . ct reply {0} saddr", ip);
}

}  // namespace

std::string trafficTableCommands() {
  std::string out;
  for (const auto& [fam, ip, addr] :
       {std::tuple{"4", "ip", "ipv4_addr"}, std::tuple{"6", "ip6", "ipv6_addr"}}) {
    for (const char* kind : kKinds) {
      out += fmt::format(
          "add map inet {0} t{1}p_{2} {{ type {3} . inet_proto . inet_service . {3} . "
          "inet_service : counter; }}\n"
          "add map inet {0} t{1}a_{2} {{ type {3} . inet_proto . {3} : counter; }}\n",
          kTable, fam, kind, addr);
    }
    for (const char* proto : {"tcp", "udp", "sctp"}) {
      const std::string chain = fmt::format("t{}_{}", fam, proto);
      out += fmt::format("add chain inet {} {}\n", kTable, chain);
      for (const auto& [form, with_port] : {std::pair{"p", true}, std::pair{"a", false}}) {
        // The chain is the protocol's already; nft must still be told, to type proto-dst.
        const std::string guard = with_port ? fmt::format("meta l4proto {} ", proto) : "";
        const std::string key = tupleKey(ip, with_port);
        out += fmt::format(
            "add rule inet {0} {1} ct state new ct direction original {5}{2}\n"
            "add rule inet {0} {1} ct direction original {5}{3}\n"
            "add rule inet {0} {1} ct direction reply {5}{4}\n",
            kTable, chain, fmt::format("counter name {} map @t{}{}_n", key, fam, form),
            fmt::format("counter name {} map @t{}{}_i", key, fam, form),
            fmt::format("counter name {} map @t{}{}_o", key, fam, form), guard);
      }
    }
  }
  // Just after NAT (-100), where the first packet's connection already names its real
  // server; the local output hook for connections the director itself opens.
  for (const auto& [chain, hook] :
       {std::pair{"traffic_pre", "prerouting"}, std::pair{"traffic_out", "output"}}) {
    out += fmt::format(
        "add chain inet {0} {1} {{ type filter hook {2} priority -98; policy accept; }}\n"
        "add rule inet {0} {1} ct status dnat meta nfproto . meta l4proto vmap {{ "
        "ipv4 . tcp : goto t4_tcp, ipv4 . udp : goto t4_udp, ipv4 . sctp : goto t4_sctp, "
        "ipv6 . tcp : goto t6_tcp, ipv6 . udp : goto t6_udp, ipv6 . sctp : goto t6_sctp }}\n",
        kTable, chain, hook);
  }
  return out;
}

bool counted(const ServiceSpec& s) {
  if (s.method != Method::kNat || !s.programmed)
    return false;
  for (const auto& f : s.fronts) {
    if (f.addr)
      return true;
  }
  return false;
}

std::string trafficElements(const char* verb, const ServiceSpec& s,
                            const std::vector<uint32_t>& numbers) {
  if (!counted(s))
    return "";
  std::vector<const RealServerSpec*> servers;
  for (const auto& r : s.real_servers)
    servers.push_back(&r);
  if (s.sorry)
    servers.push_back(&*s.sorry);
  const bool add = std::string(verb) == "add";
  if (add && numbers.size() < servers.size())
    return "";  // not reached: the shell numbers every server
  const char* fam = s.family == Family::kInet ? "4" : "6";
  const char* proto = protoName(s.protocol);
  std::string out;
  for (const auto& f : s.fronts) {
    if (!f.addr)
      continue;
    for (size_t i = 0; i < servers.size(); ++i) {
      const RealServerSpec& r = *servers[i];
      // A real server without a port keeps the client's destination port.
      const std::string key = f.port
                                  ? fmt::format("{} . {} . {} . {} . {}", f.addr->str(), proto,
                                                f.port, r.addr.str(), r.port ? r.port : f.port)
                                  : fmt::format("{} . {} . {}", f.addr->str(), proto, r.addr.str());
      for (const char* kind : kKinds) {
        out += fmt::format("{} element inet {} t{}{}_{} {{ {}{} }}\n", verb, kTable, fam,
                           f.port ? "p" : "a", kind, key,
                           add ? fmt::format(" : \"t{}_{}\"", numbers[i], kind) : "");
      }
    }
  }
  return out;
}

std::string addCounters(uint32_t number) {
  std::string out;
  for (const char* kind : kKinds)
    out += fmt::format("add counter inet {} t{}_{}\n", kTable, number, kind);
  return out;
}

std::string deleteCounters(uint32_t number) {
  std::string out;
  for (const char* kind : kKinds)
    out += fmt::format("delete counter inet {} t{}_{}\n", kTable, number, kind);
  return out;
}

Tally& Tally::operator+=(const Tally& o) {
  conns += o.conns;
  in_packets += o.in_packets;
  out_packets += o.out_packets;
  in_bytes += o.in_bytes;
  out_bytes += o.out_bytes;
  return *this;
}

std::optional<std::map<uint32_t, Tally>> readCounters(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array())
    return std::nullopt;
  std::map<uint32_t, Tally> out;
  for (const auto& item : j["nftables"]) {
    if (!item.is_object() || !item.contains("counter"))
      continue;
    const auto& c = item["counter"];
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
      continue;
    const std::string name = c["name"].get<std::string>();
    // "t<N>_<kind>"; any other counter in the table is not ours to read.
    unsigned number = 0;
    char kind = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "t%u_%c%n", &number, &kind, &used) != 2 ||
        static_cast<size_t>(used) != name.size())
      continue;
    const auto packets = c.value("packets", nlohmann::json(0));
    const auto bytes = c.value("bytes", nlohmann::json(0));
    if (!packets.is_number_unsigned() || !bytes.is_number_unsigned())
      continue;
    Tally& t = out[number];
    switch (kind) {
      case 'i':
        t.in_packets = packets.get<uint64_t>();
        t.in_bytes = bytes.get<uint64_t>();
        break;
      case 'o':
        t.out_packets = packets.get<uint64_t>();
        t.out_bytes = bytes.get<uint64_t>();
        break;
      case 'n':
        t.conns = packets.get<uint64_t>();
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace vipd::lb
