#include "conf/entries.h"

#include <set>

namespace vipd::conf {
namespace {

// `ip route` keywords that take one value, and those whose value is an address.
const std::set<std::string_view> kRouteValueWords = {
    "src",      "to",         "from",          "via",         "gw",
    "or",       "dev",        "oif",           "table",       "metric",
    "priority", "preference", "scope",         "protocol",    "proto",
    "tos",      "dsfield",    "vrf",           "weight",      "mtu",
    "advmss",   "rtt",        "rttvar",        "reordering",  "window",
    "cwnd",     "ssthresh",   "realms",        "realm",       "rto_min",
    "initcwnd", "initrwnd",   "features",      "congctl",     "hoplimit",
    "pref",     "expires",    "ttl-propagate", "track_group", "fastopen_no_cookie",
    "quickack", "nhid"};
const std::set<std::string_view> kRouteAddressWords = {"src", "to", "from", "via", "gw", "or"};
const std::set<std::string_view> kRouteFlagWords = {"onlink", "append",   "prepend", "inet",
                                                    "inet6",  "no_track", "nexthop", "pervasive"};
const std::set<std::string_view> kRouteTypes = {"unicast", "local",       "broadcast", "multicast",
                                                "throw",   "unreachable", "prohibit",  "blackhole",
                                                "nat",     "anycast"};
const std::set<std::string_view> kRouteMetrics = {
    "mtu",      "advmss",  "rtt",      "rttvar",   "reordering", "window", "cwnd",
    "ssthresh", "rto_min", "initcwnd", "initrwnd", "hoplimit",   "congctl"};

const std::set<std::string_view> kRuleValueWords = {"from",
                                                    "to",
                                                    "table",
                                                    "lookup",
                                                    "iif",
                                                    "iifname",
                                                    "oif",
                                                    "oifname",
                                                    "tos",
                                                    "dsfield",
                                                    "fwmark",
                                                    "preference",
                                                    "priority",
                                                    "order",
                                                    "pref",
                                                    "realms",
                                                    "goto",
                                                    "suppress_prefixlength",
                                                    "suppress_ifgroup",
                                                    "uidrange",
                                                    "protocol",
                                                    "ipproto",
                                                    "sport",
                                                    "dport",
                                                    "tunnel-id",
                                                    "type",
                                                    "track_group",
                                                    "nat",
                                                    "map-to"};
const std::set<std::string_view> kRuleAddressWords = {"from", "to"};
const std::set<std::string_view> kRuleFlagWords = {
    "not",      "nop",     "l3mdev",    "inet",        "inet6",
    "no_track", "unicast", "blackhole", "unreachable", "prohibit"};

bool validPrefixWord(const std::string& w) {
  return w == "default" || w == "all" || w == "any" || IpPrefix::parse(w).has_value();
}

}  // namespace

std::optional<Weight> parseWeight(const Node& n, size_t first, int limit, Ctx& ctx) {
  if (first >= n.args.size() || n.args[first].text != "weight") {
    if (first < n.args.size())
      ctx.bad(n.args[first], "expected 'weight N [reverse]'");
    return std::nullopt;
  }
  if (first + 1 >= n.args.size()) {
    ctx.bad(n.args[first], "'weight' needs a value");
    return std::nullopt;
  }
  auto v = IntV{-limit, limit}.parse(n.args[first + 1], ctx);
  if (!v)
    return std::nullopt;
  Weight w{static_cast<int>(*v), false};
  for (size_t i = first + 2; i < n.args.size(); ++i) {
    if (n.args[i].text == "reverse") {
      w.reverse = true;
    } else if (n.args[i].text == "noreverse") {
      w.reverse = false;
    } else {
      ctx.bad(n.args[i], "expected 'reverse' or 'noreverse'");
      return std::nullopt;
    }
  }
  return w;
}

std::string formatWeight(const Weight& w) {
  return fmt::format("weight {}{}", w.value, w.reverse ? " reverse" : "");
}

std::optional<TrackRef> parseTrackRef(const Node& n, Ctx& ctx, int weight_limit) {
  TrackRef t{n.key.text, std::nullopt, n.loc()};
  if (!n.args.empty()) {
    t.weight = parseWeight(n, 0, weight_limit, ctx);
    if (!t.weight)
      return std::nullopt;
  }
  return t;
}

std::string formatTrackRef(const TrackRef& t) {
  return t.weight ? quoteIfNeeded(t.name) + " " + formatWeight(*t.weight) : quoteIfNeeded(t.name);
}

std::optional<UnicastPeer> parseUnicastPeer(const Node& n, Ctx& ctx) {
  UnicastPeer p;
  p.loc = n.loc();
  auto a = IpV{}.parse(n.key, ctx);
  if (!a)
    return std::nullopt;
  p.addr = *a;
  for (size_t i = 0; i < n.args.size(); i += 2) {
    const auto& w = n.args[i].text;
    if ((w != "min_ttl" && w != "max_ttl") || i + 1 >= n.args.size()) {
      ctx.bad(n.args[i], "expected 'min_ttl N' or 'max_ttl N'");
      return std::nullopt;
    }
    auto v = intIn(0, 255).parse(n.args[i + 1], ctx);
    if (!v)
      return std::nullopt;
    (w == "min_ttl" ? p.min_ttl : p.max_ttl) = static_cast<int>(*v);
  }
  return p;
}

std::string formatUnicastPeer(const UnicastPeer& p) {
  std::string s = p.addr.str();
  if (p.min_ttl)
    s += fmt::format(" min_ttl {}", *p.min_ttl);
  if (p.max_ttl)
    s += fmt::format(" max_ttl {}", *p.max_ttl);
  return s;
}

std::optional<AddressEntry> parseAddress(const Node& n, Ctx& ctx) {
  AddressEntry a;
  a.loc = n.loc();
  auto p = IpPrefix::parse(n.key.text);
  if (!p) {
    ctx.bad(n.key, "not a valid address or prefix");
    return std::nullopt;
  }
  a.prefix = *p;
  const auto& args = n.args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& w = args[i].text;
    auto value = [&](std::optional<std::string>& dst) {
      if (i + 1 >= args.size()) {
        ctx.bad(args[i], "needs a value");
        return false;
      }
      dst = args[++i].text;
      return true;
    };
    bool ok = true;
    if (w == "brd" || w == "broadcast") {
      ok = value(a.broadcast);
      if (ok && *a.broadcast != "+" && *a.broadcast != "-" && !IpAddress::parse(*a.broadcast)) {
        ctx.bad(args[i], "broadcast must be an address, '+' or '-'");
        ok = false;
      }
    } else if (w == "dev") {
      ok = value(a.dev);
    } else if (w == "scope") {
      ok = value(a.scope);
    } else if (w == "label") {
      ok = value(a.label);
    } else if (w == "peer") {
      std::optional<std::string> s;
      ok = value(s);
      if (ok) {
        a.peer = IpPrefix::parse(*s);
        if (!a.peer) {
          ctx.bad(args[i], "peer is not a valid address");
          ok = false;
        }
      }
    } else if (w == "preferred_lft") {
      ok = value(a.preferred_lft);
      if (ok && *a.preferred_lft != "forever" && !parseInt(*a.preferred_lft)) {
        ctx.bad(args[i], "preferred_lft must be a number or 'forever'");
        ok = false;
      }
    } else if (w == "track_group") {
      ok = value(a.track_group);
    } else if (w == "use_vmac") {
      // Optional interface name: the next word, unless it is another option.
      a.use_vmac = "";
      static const std::set<std::string_view> opts = {
          "brd",           "broadcast", "dev",      "scope",         "label",
          "peer",          "home",      "-nodad",   "nodad",         "mngtmpaddr",
          "noprefixroute", "autojoin",  "no_track", "preferred_lft", "track_group"};
      if (i + 1 < args.size() && !opts.count(args[i + 1].text))
        a.use_vmac = args[++i].text;
    } else if (w == "home") {
      a.home = true;
    } else if (w == "-nodad" || w == "nodad") {
      a.nodad = true;
    } else if (w == "mngtmpaddr") {
      a.mngtmpaddr = true;
    } else if (w == "noprefixroute") {
      a.noprefixroute = true;
    } else if (w == "autojoin") {
      a.autojoin = true;
    } else if (w == "no_track") {
      a.no_track = true;
    } else {
      ctx.bad(args[i], "unknown address option");
      ok = false;
    }
    if (!ok)
      return std::nullopt;
  }
  return a;
}

std::string formatAddress(const AddressEntry& a) {
  std::string s = a.prefix.str();
  if (a.broadcast)
    s += " brd " + *a.broadcast;
  if (a.dev)
    s += " dev " + quoteIfNeeded(*a.dev);
  if (a.scope)
    s += " scope " + *a.scope;
  if (a.label)
    s += " label " + quoteIfNeeded(*a.label);
  if (a.peer)
    s += " peer " + a.peer->str();
  if (a.home)
    s += " home";
  if (a.nodad)
    s += " -nodad";
  if (a.mngtmpaddr)
    s += " mngtmpaddr";
  if (a.noprefixroute)
    s += " noprefixroute";
  if (a.autojoin)
    s += " autojoin";
  if (a.no_track)
    s += " no_track";
  if (a.use_vmac)
    s += a.use_vmac->empty() ? " use_vmac" : " use_vmac " + *a.use_vmac;
  if (a.preferred_lft)
    s += " preferred_lft " + *a.preferred_lft;
  if (a.track_group)
    s += " track_group " + *a.track_group;
  return s;
}

namespace {

std::optional<RouteEntry> parseWords(const Node& n, Ctx& ctx, bool is_rule) {
  const auto& values = is_rule ? kRuleValueWords : kRouteValueWords;
  const auto& addrs = is_rule ? kRuleAddressWords : kRouteAddressWords;
  const auto& flags = is_rule ? kRuleFlagWords : kRouteFlagWords;
  RouteEntry r;
  r.loc = n.loc();
  std::vector<const Token*> toks{&n.key};
  for (const auto& a : n.args)
    toks.push_back(&a);
  bool have_dest = is_rule;  // rules have no bare destination
  for (size_t i = 0; i < toks.size(); ++i) {
    const Token& t = *toks[i];
    const std::string& w = t.text;
    r.words.push_back(w);
    if (values.count(w)) {
      if (w == "gw" || w == "or") {
        ctx.diags.warning(
            t.loc, fmt::format("'{}' is deprecated, use '{}'", w, w == "gw" ? "via" : "nexthop"));
      }
      size_t v = i + 1;
      if (!is_rule && kRouteMetrics.count(w) && v < toks.size() && toks[v]->text == "lock") {
        r.words.push_back("lock");
        ++v;
      }
      // `via inet6 ADDR` names the family before the gateway.
      if (!is_rule && w == "via" && v < toks.size() &&
          (toks[v]->text == "inet" || toks[v]->text == "inet6")) {
        r.words.push_back(toks[v]->text);
        ++v;
      }
      if (v >= toks.size()) {
        ctx.bad(t, "needs a value");
        return std::nullopt;
      }
      const Token& val = *toks[v];
      if (addrs.count(w) && !validPrefixWord(val.text)) {
        ctx.bad(val, "not a valid address or prefix");
        return std::nullopt;
      }
      r.words.push_back(val.text);
      i = v;
      continue;
    }
    if (flags.count(w))
      continue;
    if (!is_rule && w == "encap") {
      // `encap TYPE ...` runs to the end of the entry; the kernel validates its details.
      for (++i; i < toks.size(); ++i)
        r.words.push_back(toks[i]->text);
      break;
    }
    if (!is_rule && !have_dest && (kRouteTypes.count(w) && i == 0))
      continue;
    if (!have_dest) {
      if (!validPrefixWord(w)) {
        ctx.bad(t, "not a valid destination prefix");
        return std::nullopt;
      }
      have_dest = true;
      continue;
    }
    ctx.bad(t, is_rule ? "unknown rule keyword" : "unknown route keyword");
    return std::nullopt;
  }
  if (!have_dest) {
    ctx.diags.relaxable(n.loc(), "route has no destination");
    return std::nullopt;
  }
  return r;
}

}  // namespace

std::optional<RouteEntry> parseRoute(const Node& n, Ctx& ctx) {
  return parseWords(n, ctx, false);
}
std::optional<RouteEntry> parseRule(const Node& n, Ctx& ctx) {
  return parseWords(n, ctx, true);
}

std::string formatRoute(const RouteEntry& r) {
  std::string s;
  for (const auto& w : r.words)
    s += (s.empty() ? "" : " ") + quoteIfNeeded(w);
  return s;
}

std::optional<ScriptCommand> parseScript(const Node& n, size_t first, bool rest_is_command,
                                         Ctx& ctx) {
  ScriptCommand s;
  if (first >= n.args.size())
    return std::nullopt;
  const Token& cmd = n.args[first];
  size_t i = first + 1;
  if (rest_is_command && !cmd.quoted) {
    s.command = n.argsText(first);
    i = n.args.size();
  } else {
    s.command = cmd.text;
  }
  if (s.command.empty()) {
    ctx.bad(cmd, "empty command");
    return std::nullopt;
  }
  if (i < n.args.size())
    s.user = n.args[i++].text;
  if (i < n.args.size()) {
    std::string g = n.args[i++].text;
    if (!g.empty() && g[0] == ':') {
      s.supplementary_groups = true;
      g.erase(0, 1);
    }
    s.group = g;
  }
  if (i < n.args.size()) {
    ctx.bad(n.args[i], "unexpected word after the user and group (quote the whole command)");
    return std::nullopt;
  }
  return s;
}

std::string formatScript(const ScriptCommand& s) {
  // Always quoted, so arguments stay with the command on re-parse.
  std::string out = "\"";
  for (char c : s.command) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += "\"";
  if (s.user)
    out += " " + quoteIfNeeded(*s.user);
  if (s.group)
    out += " " + std::string(s.supplementary_groups ? ":" : "") + quoteIfNeeded(*s.group);
  return out;
}

std::vector<std::string> splitCommand(const std::string& command) {
  std::vector<std::string> argv;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == ' ' || c == '\t') {
      if (have)
        argv.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have)
    argv.push_back(cur);
  return argv;
}

}  // namespace vipd::conf
