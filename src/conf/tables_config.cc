// The root of keepalived.conf: the top-level blocks and the root-level single keywords.
#include <algorithm>

#include "conf/entries.h"
#include "conf/tables.h"

namespace vipd::conf {

namespace {

using Cf = Config;

// `virtual_server IP [PORT] | fwmark N | group NAME { ... }`
Keyword<Cf> virtualServerRow() {
  return {"virtual_server",
          [](Cf& c, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n) || !ctx.arity(n, 1, 2))
              return;
            VirtualServer v;
            v.loc = n.loc();
            const auto& a0 = n.args[0];
            if (a0.text == "fwmark" || a0.text == "group") {
              if (!ctx.arity(n, 2, 2))
                return;
              if (a0.text == "group") {
                v.group = n.args[1].text;
              } else if (auto m = IntV{1, UINT32_MAX, true}.parse(n.args[1], ctx)) {
                v.fwmark = static_cast<uint32_t>(*m);
              } else {
                return;
              }
            } else {
              auto ip = IpV{}.parse(a0, ctx);
              if (!ip)
                return;
              v.addr = *ip;
              if (n.args.size() == 2) {
                auto port = intIn(0, 65535).parse(n.args[1], ctx);
                if (!port)
                  return;
                v.port = static_cast<int>(*port);
              }
            }
            // Sized once: the vector's doubling left a third of the real servers' memory
            // unused for the daemon's life (3.7 MB at 1,000 x 10).
            v.real_servers.reserve(static_cast<size_t>(
                std::count_if(n.children.begin(), n.children.end(),
                              [](const Node& k) { return k.key.text == "real_server"; })));
            bindBlock(v, n.children, virtualServerSchema(), ctx, "virtual_server");
            c.virtual_servers.push_back(std::move(v));
          },
          [](const Cf& c, Printer& p) {
            for (const auto& v : c.virtual_servers) {
              std::string head = "virtual_server ";
              if (v.group) {
                head += "group " + quoteIfNeeded(*v.group);
              } else if (v.fwmark) {
                head += fmt::format("fwmark {}", *v.fwmark);
              } else if (v.addr) {
                head += v.addr->str();
                if (v.port)
                  head += fmt::format(" {}", *v.port);
              }
              p.open(head);
              printBlock(v, virtualServerSchema(), p);
              p.close();
            }
          }};
}

// One `virtual_server_group` entry: `IP[-LAST|/LEN] [PORT]` or `fwmark N [inet|inet6]`.
std::optional<VirtualServerGroupEntry> parseVsgEntry(const Node& n, Ctx& ctx) {
  VirtualServerGroupEntry e;
  e.loc = n.loc();
  e.words.push_back(n.key.text);
  for (const auto& a : n.args)
    e.words.push_back(a.text);
  if (n.key.text == "fwmark") {
    if (!ctx.arity(n, 1, 2) || !IntV{1, UINT32_MAX, true}.parse(n.args[0], ctx)) {
      return std::nullopt;
    }
    if (n.args.size() == 2 && n.args[1].text != "inet" && n.args[1].text != "inet6") {
      ctx.bad(n.args[1], "expected inet or inet6");
      return std::nullopt;
    }
    return e;
  }
  const std::string& w = n.key.text;
  auto dash = w.find('-');
  bool ok = dash == std::string::npos ? IpPrefix::parse(w).has_value()
                                      : IpAddress::parse(w.substr(0, dash)).has_value();
  if (ok && dash != std::string::npos) {
    // The end of a range is either a last octet/hextet or a full address.
    std::string last = w.substr(dash + 1);
    ok = IpAddress::parse(last).has_value() || parseInt(last, false).has_value() ||
         parseInt("0x" + last, true).has_value();
  }
  if (!ok) {
    ctx.bad(n.key, "expected IP, IP-LAST, IP/LEN or 'fwmark N'");
    return std::nullopt;
  }
  if (n.args.size() > 1) {
    ctx.bad(n.args[1], "unexpected word after the port");
    return std::nullopt;
  }
  if (n.args.size() == 1 && !intIn(0, 65535).parse(n.args[0], ctx))
    return std::nullopt;
  return e;
}

Keyword<Cf> vsgRow() {
  return {"virtual_server_group",
          [](Cf& c, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n) || !ctx.arity(n, 1, 1))
              return;
            VirtualServerGroup g;
            g.name = n.args[0].text;
            g.loc = n.loc();
            for (const auto& child : n.children) {
              if (auto e = parseVsgEntry(child, ctx))
                g.entries.push_back(std::move(*e));
            }
            c.virtual_server_groups.push_back(std::move(g));
          },
          [](const Cf& c, Printer& p) {
            for (const auto& g : c.virtual_server_groups) {
              p.open("virtual_server_group " + quoteIfNeeded(g.name));
              for (const auto& e : g.entries)
                p.line(join(e.words));
              p.close();
            }
          }};
}

// Blocks of free-form lines: linkbeat_interfaces, interface_up_down_delays, track_group, ...
Keyword<Cf> wordBlock(std::string_view name, std::vector<WordBlock> Cf::*m, bool named) {
  return {name,
          [m, named](Cf& c, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n) || !ctx.arity(n, named ? 1 : 0, named ? 1 : 0))
              return;
            WordBlock b;
            b.loc = n.loc();
            if (named)
              b.name = n.args[0].text;
            // Nested blocks (track_group's `group { ... }`) flatten to `key {` ... `}` lines.
            std::function<void(const std::vector<Node>&)> walk = [&](const std::vector<Node>& ns) {
              for (const auto& child : ns) {
                std::vector<std::string> line{child.key.text};
                for (const auto& a : child.args)
                  line.push_back(a.text);
                if (child.has_block)
                  line.push_back("{");
                b.lines.push_back(std::move(line));
                if (child.has_block) {
                  walk(child.children);
                  b.lines.push_back({"}"});
                }
              }
            };
            walk(n.children);
            (c.*m).push_back(std::move(b));
          },
          [name, m, named](const Cf& c, Printer& p) {
            for (const auto& b : c.*m) {
              p.open(named ? std::string(name) + " " + quoteIfNeeded(b.name) : std::string(name));
              for (const auto& l : b.lines) {
                if (l.size() == 1 && l[0] == "}") {
                  p.close();
                } else if (!l.empty() && l.back() == "{") {
                  p.open(join(std::vector<std::string>(l.begin(), l.end() - 1)));
                } else {
                  p.line(join(l));
                }
              }
              p.close();
            }
          }};
}

}  // namespace

const Schema<Config>& configSchema() {
  static const Schema<Cf> s = [] {
    Schema<Cf> t = {
        sub("global_defs", &Cf::global, globalDefsSchema()),
        entries<Cf, AddressEntry>("static_ipaddress", &Cf::static_ipaddress, parseAddress,
                                  formatAddress),
        entries<Cf, RouteEntry>("static_routes", &Cf::static_routes, parseRoute, formatRoute),
        entries<Cf, RouteEntry>("static_rules", &Cf::static_rules, parseRule, formatRoute),
        wordBlock("linkbeat_interfaces", &Cf::linkbeat_interfaces, false),
        wordBlock("interface_up_down_delays", &Cf::interface_up_down_delays, false),
        wordBlock("track_group", &Cf::track_groups, true),
        wordBlock("garp_group", &Cf::garp_groups, false),
        named("vrrp_script", &Cf::vrrp_scripts, vrrpScriptSchema()),
        named("vrrp_track_process", &Cf::track_processes, trackProcessSchema()),
        named("track_file", &Cf::track_files, trackFileSchema()),
        alias("vrrp_track_file", named("vrrp_track_file", &Cf::track_files, trackFileSchema())),
        named("vrrp_sync_group", &Cf::sync_groups, syncGroupSchema()),
        named("vrrp_instance", &Cf::instances, vrrpInstanceSchema()),
        named("bfd_instance", &Cf::bfd_instances, bfdInstanceSchema()),
        vsgRow(),
        virtualServerRow(),
        sub("SSL", &Cf::ssl, sslSchema()),
        extra<Cf>("net_namespace", ArgKind::kAny, 1, 1),
        extra<Cf>("net_namespace_ipvs", ArgKind::kAny, 0, 1),
        extra<Cf>("namespace_with_ipsets", ArgKind::kAny, 0, 0),
        extra<Cf>("instance", ArgKind::kAny, 1, 1),
        extra<Cf>("use_pid_dir", ArgKind::kAny, 0, 0),
        extra<Cf>("linkbeat_use_polling", ArgKind::kAny, 0, 0),
        extra<Cf>("child_wait_time", ArgKind::kInt, 1, 1),
    };
    return t;
  }();
  return s;
}

}  // namespace vipd::conf
