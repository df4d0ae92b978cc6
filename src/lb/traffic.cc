#include "lb/traffic.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "lb/nft_rules.h"

namespace vipd::lb {
namespace {

// The three sets of a form: "i" client -> real server, "o" replies, "n" new connections.
constexpr const char* kKinds[] = {"i", "o", "n"};

struct Form {
  const char* name;  // "4p", ...
  const char* ip;    // "ip" / "ip6"
  const char* addr;  // nft's address type
  bool with_port;
};
constexpr Form kForms[] = {{"4p", "ip", "ipv4_addr", true},
                           {"4a", "ip", "ipv4_addr", false},
                           {"6p", "ip6", "ipv6_addr", true},
                           {"6a", "ip6", "ipv6_addr", false}};

// The connection's front end and real server, as the kernel's conntrack entry says: the
// original destination, and (after DNAT) the reply's source.
std::string tupleKey(const Form& f) {
  if (f.with_port)
    return fmt::format(
        "ct original {0} daddr . meta l4proto . ct original proto-dst . ct reply {0} saddr . "
        "ct reply proto-src",
        f.ip);
  return fmt::format("ct original {0} daddr . meta l4proto . ct reply {0} saddr", f.ip);
}

}  // namespace

std::string trafficTableCommands() {
  std::string out;
  for (const Form& f : kForms) {
    const std::string type = f.with_port ? fmt::format(
                                               "{0} . inet_proto . inet_service . {0} . "
                                               "inet_service",
                                               f.addr)
                                         : fmt::format("{0} . inet_proto . {0}", f.addr);
    for (const char* kind : kKinds)
      out += fmt::format("add set inet {} t{}_{} {{ type {}; counter; }}\n", kTable, f.name, kind,
                         type);
  }
  // One chain per family, protocol and direction: nft types `ct ... proto-dst` only once
  // the transport protocol is known (hence also the l4proto guard in each rule), and a
  // packet then meets one lookup: its pair's element, after which it returns.
  std::string dispatch;
  for (const char* fam : {"4", "6"}) {
    for (const char* proto : {"tcp", "udp", "sctp"}) {
      for (const char* dir : {"original", "reply"}) {
        const std::string chain = fmt::format("t{}_{}_{}", fam, proto, dir);
        out += fmt::format("add chain inet {} {}\n", kTable, chain);
        dispatch += fmt::format("{}ipv{} . {} . {} : goto {}", dispatch.empty() ? "" : ", ", fam,
                                proto, dir, chain);
        for (const Form& f : kForms) {
          if (f.name[0] != fam[0])
            continue;
          const std::string match =
              (f.with_port ? fmt::format("meta l4proto {} ", proto) : std::string()) + tupleKey(f);
          if (std::string(dir) == "original")
            out += fmt::format(
                "add rule inet {0} {1} ct state new {2} @t{3}_n\n"
                "add rule inet {0} {1} {2} @t{3}_i return\n",
                kTable, chain, match, f.name);
          else
            out += fmt::format("add rule inet {0} {1} {2} @t{3}_o return\n", kTable, chain, match,
                               f.name);
        }
      }
    }
  }
  // Just after NAT (-100), where the first packet's connection already names its real
  // server; the local output hook for connections the director itself opens.
  for (const auto& [chain, hook] :
       {std::pair{"traffic_pre", "prerouting"}, std::pair{"traffic_out", "output"}}) {
    out += fmt::format(
        "add chain inet {0} {1} {{ type filter hook {2} priority -98; policy accept; }}\n"
        "add rule inet {0} {1} ct status dnat meta nfproto . meta l4proto . ct direction vmap "
        "{{ {3} }}\n",
        kTable, chain, hook, dispatch);
  }
  return out;
}

std::vector<std::string> trafficSets() {
  std::vector<std::string> out;
  for (const Form& f : kForms) {
    for (const char* kind : kKinds)
      out.push_back(fmt::format("t{}_{}", f.name, kind));
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

std::vector<TrafficPair> trafficPairs(const ServiceSpec& s) {
  std::vector<TrafficPair> out;
  if (!counted(s))
    return out;
  std::vector<const RealServerSpec*> servers;
  for (const auto& r : s.real_servers)
    servers.push_back(&r);
  if (s.sorry)
    servers.push_back(&*s.sorry);
  const char* fam = s.family == Family::kInet ? "4" : "6";
  const char* proto = protoName(s.protocol);
  for (const auto& f : s.fronts) {
    if (!f.addr)
      continue;
    for (size_t i = 0; i < servers.size(); ++i) {
      const RealServerSpec& r = *servers[i];
      // A real server without a port keeps the client's destination port.
      if (f.port)
        out.push_back({fmt::format("{}p", fam),
                       fmt::format("{} . {} . {} . {} . {}", f.addr->str(), proto, f.port,
                                   r.addr.str(), r.port ? r.port : f.port),
                       i});
      else
        out.push_back({fmt::format("{}a", fam),
                       fmt::format("{} . {} . {}", f.addr->str(), proto, r.addr.str()), i});
    }
  }
  return out;
}

std::string trafficElements(const char* verb, const std::vector<TrafficPair>& pairs) {
  std::map<std::string, std::string> keys;  // by form: "k1, k2, ..."
  for (const auto& p : pairs) {
    std::string& k = keys[p.form];
    if (!k.empty())
      k += ", ";
    k += p.key;
  }
  std::string out;
  for (const auto& [form, list] : keys) {
    for (const char* kind : kKinds)
      out += fmt::format("{} element inet {} t{}_{} {{ {} }}\n", verb, kTable, form, kind, list);
  }
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

std::optional<std::map<std::string, Count>> readSetCounters(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array())
    return std::nullopt;
  std::optional<std::map<std::string, Count>> out;
  for (const auto& item : j["nftables"]) {
    if (!item.is_object() || !item.contains("set") || !item["set"].is_object())
      continue;
    out.emplace();
    const auto& set = item["set"];
    if (!set.contains("elem") || !set["elem"].is_array())
      continue;  // an empty set has no "elem"
    for (const auto& e : set["elem"]) {
      if (!e.is_object() || !e.contains("elem") || !e["elem"].is_object())
        continue;
      const auto& el = e["elem"];
      if (!el.contains("val") || !el["val"].is_object() || !el["val"].contains("concat") ||
          !el["val"]["concat"].is_array() || !el.contains("counter") || !el["counter"].is_object())
        continue;
      std::string key;
      bool ok = true;
      for (const auto& part : el["val"]["concat"]) {
        if (!key.empty())
          key += " . ";
        if (part.is_string())
          key += part.get<std::string>();
        else if (part.is_number_unsigned())
          key += std::to_string(part.get<uint64_t>());
        else
          ok = false;
      }
      const auto& c = el["counter"];
      const auto packets = c.value("packets", nlohmann::json());
      const auto bytes = c.value("bytes", nlohmann::json());
      if (!ok || !packets.is_number_unsigned() || !bytes.is_number_unsigned())
        continue;
      (*out)[key] = Count{packets.get<uint64_t>(), bytes.get<uint64_t>()};
    }
  }
  return out;
}

}  // namespace vipd::lb
