#include "conf/validate.h"

#include <fmt/format.h>

#include <initializer_list>
#include <map>
#include <set>
#include <tuple>

#include "base/text.h"
#include "conf/resolve.h"

namespace vipd::conf {
namespace {

template <class T>
void checkUniqueNames(const std::vector<T>& items, std::string_view what, Diagnostics& d) {
  std::map<std::string, SourceLoc> seen;
  for (const auto& it : items) {
    auto [pos, fresh] = seen.emplace(it.name, it.loc);
    if (!fresh) {
      d.error(it.loc, fmt::format("{} '{}' is defined twice (first at {})", what, it.name,
                                  pos->second.str()));
    }
  }
}

template <class T>
void checkRefs(const std::vector<TrackRef>& refs, const std::vector<T>& defs, std::string_view kind,
               Diagnostics& d) {
  for (const auto& r : refs) {
    bool found = false;
    for (const auto& def : defs)
      found = found || def.name == r.name;
    if (!found)
      d.error(r.loc, fmt::format("{} '{}' is not defined", kind, r.name));
  }
}

void checkInstance(const VrrpInstance& i, const Config& c, Diagnostics& d) {
  const GlobalDefs& g = c.global;
  if (i.virtual_router_id == 0) {
    d.error(i.loc, fmt::format("vrrp_instance '{}' has no virtual_router_id (1..255)", i.name));
  }
  Family fam = instanceFamily(i);
  int version = effectiveVersion(i, g);
  bool strict = strictMode(i, g);
  auto key = [&i](std::string_view k) -> const SourceLoc& { return i.keys.of(k, i.loc); };

  // One address family per instance (RFC 5798 5.2.9: a packet carries one family).
  for (const auto& v : i.virtual_ipaddress) {
    if (v.prefix.addr.family() != fam) {
      d.error(v.loc,
              "virtual_ipaddress mixes IPv4 and IPv6; put the other family in "
              "virtual_ipaddress_excluded or in its own instance");
    }
  }
  if (i.src_ip && i.src_ip->family() != fam) {
    d.error(i.keys.of("unicast_src_ip", key("mcast_src_ip")),
            fmt::format("vrrp_instance '{}': source address {} is not of the instance's "
                        "address family",
                        i.name, i.src_ip->str()));
  }
  for (const auto& p : i.unicast_peer) {
    if (p.addr.family() != fam)
      d.error(p.loc, "unicast_peer is not of the instance's family");
    if (p.addr.isMulticast())
      d.error(p.loc, "unicast_peer must not be a multicast address");
  }
  if (i.mcast_dst_ip && !i.mcast_dst_ip->isMulticast()) {
    d.error(key("mcast_dst_ip"), "mcast_dst_ip must be a multicast address");
  }
  if (i.version && *i.version == 2 && fam == Family::kInet6) {
    d.error(key("version"), "VRRPv2 does not support IPv6 (RFC 3768); use version 3");
  }

  // Advertisement interval units: v2 whole seconds (RFC 3768 5.3.7), v3 centiseconds up to
  // 40.95 s (RFC 5798 5.2.7).
  Micros adv = effectiveAdvertInt(i);
  if (version == 2 && (adv.count() % 1'000'000 != 0)) {
    d.warning(key("advert_int"),
              fmt::format("advert_int {} s is not a whole number of seconds: VRRPv2 "
                          "rounds it (use version 3 for sub-second adverts)",
                          formatMicrosAsSeconds(adv.count())));
  }
  if (version == 3 && adv > Micros(40'950'000)) {
    d.error(key("advert_int"),
            "advert_int above 40.95 s does not fit VRRPv3's 12-bit centisecond field");
  }
  if (version == 3 && adv.count() % 10'000 != 0) {
    d.warning(key("advert_int"), "advert_int is rounded to centiseconds in VRRPv3");
  }

  // Authentication that keepalived ignores (strict mode, VRRPv3, no password, AH over IPv6)
  // was already removed, with a warning, by applyResolutions().
  if (i.authentication) {
    const SourceLoc& at = key("authentication");
    if (i.authentication->pass.size() > 8) {
      d.warning(at, "auth_pass is longer than 8 characters; only the first 8 are used");
    }
    if (i.authentication->type == AuthType::kAh && i.state == InitialState::kMaster) {
      d.warning(at,
                "state MASTER is incompatible with AH authentication (the sequence "
                "numbers must be learned first); starting as BACKUP");
    }
  }
  if (i.nopreempt && i.state == InitialState::kMaster) {
    d.warning(key("nopreempt"), "nopreempt only has an effect with state BACKUP");
  }
  if (i.priority && *i.priority == 255 && i.state == InitialState::kBackup) {
    d.warning(key("priority"),
              "priority 255 makes this router the address owner: it preempts although "
              "state is BACKUP");
  }
  if (i.virtual_ipaddress.empty() && !i.no_virtual_ipaddress) {
    if (strict) {
      d.error(i.loc, "strict mode requires at least one virtual_ipaddress");
    } else {
      d.warning(i.loc, fmt::format("vrrp_instance '{}' has no virtual_ipaddress", i.name));
    }
  }
  // keepalived refuses a unicast instance in strict mode (RFC 5798 5.1.1.2: the group address);
  // the other strict-mode conflicts are corrected by applyResolutions().
  if (strict && isUnicast(i))
    d.error(key("unicast_peer"), "unicast peers are not allowed in strict mode");
  if (i.accept_unicast_from_any && i.check_unicast_src) {
    d.error(key("accept_unicast_from_any"),
            "accept_unicast_from_any contradicts check_unicast_src in the same instance");
  }
  if (i.unicast_configured && i.unicast_peer.empty()) {
    d.warning(key("unicast_src_ip"), "unicast is configured but no unicast_peer is listed");
  }
  if (!i.interface && !isUnicast(i)) {
    d.warning(i.loc, fmt::format("vrrp_instance '{}' has no interface; using default_interface "
                                 "'{}'",
                                 i.name, g.default_interface));
  }
  if (i.interface && *i.interface == "lo")
    d.error(key("interface"), "VRRP cannot run on the loopback");

  checkRefs(i.track_script, c.vrrp_scripts, "vrrp_script", d);
  checkRefs(i.track_process, c.track_processes, "vrrp_track_process", d);
  checkRefs(i.track_file, c.track_files, "track_file", d);
  checkRefs(i.track_bfd, c.bfd_instances, "bfd_instance", d);
}

// Two instances may share a VRID on one interface only if they cannot hear each other:
// different families, different multicast groups, or unicast to disjoint peers.
void checkVridClashes(const Config& c, Diagnostics& d) {
  using Key = std::tuple<std::string, int, Family, std::string>;
  std::map<Key, const VrrpInstance*> seen;
  for (const auto& i : c.instances) {
    if (i.virtual_router_id == 0)
      continue;
    std::string group = isUnicast(i) ? "" : (i.mcast_dst_ip ? i.mcast_dst_ip->str() : "default");
    Key k{i.interface.value_or(c.global.default_interface), i.virtual_router_id, instanceFamily(i),
          group};
    auto [pos, fresh] = seen.emplace(k, &i);
    if (fresh)
      continue;
    const VrrpInstance& o = *pos->second;
    if (isUnicast(i) && isUnicast(o)) {
      std::set<IpAddress> peers;
      for (const auto& p : o.unicast_peer)
        peers.insert(p.addr);
      bool overlap = false;
      for (const auto& p : i.unicast_peer)
        overlap = overlap || peers.count(p.addr);
      if (!overlap)
        continue;
    }
    d.error(i.keys.of("virtual_router_id", i.loc),
            fmt::format("virtual_router_id {} is already used on interface {} by "
                        "vrrp_instance '{}' ({})",
                        i.virtual_router_id, std::get<0>(k), o.name, o.loc.str()));
  }
}

void checkSyncGroups(const Config& c, Diagnostics& d) {
  std::map<std::string, std::string> member_of;
  for (const auto& g : c.sync_groups) {
    if (g.group.empty())
      d.error(g.loc, fmt::format("vrrp_sync_group '{}' has no group {{}}", g.name));
    for (const auto& m : g.group) {
      bool found = false;
      for (const auto& i : c.instances)
        found = found || i.name == m;
      if (!found) {
        d.error(g.keys.of("group", g.loc),
                fmt::format("vrrp_sync_group '{}': vrrp_instance '{}' is not defined", g.name, m));
      }
      auto [pos, fresh] = member_of.emplace(m, g.name);
      if (!fresh) {
        d.error(g.keys.of("group", g.loc),
                fmt::format("vrrp_instance '{}' is in two sync groups ('{}' and '{}')", m,
                            pos->second, g.name));
      }
    }
    if (g.group.size() == 1) {
      d.warning(g.loc, fmt::format("vrrp_sync_group '{}' has only one member", g.name));
    }
    checkRefs(g.track_script, c.vrrp_scripts, "vrrp_script", d);
    checkRefs(g.track_process, c.track_processes, "vrrp_track_process", d);
    checkRefs(g.track_file, c.track_files, "track_file", d);
  }
}

void checkVirtualServers(const Config& c, Diagnostics& d) {
  for (const auto& v : c.virtual_servers) {
    if (v.group) {
      bool found = false;
      for (const auto& g : c.virtual_server_groups)
        found = found || g.name == *v.group;
      if (!found) {
        d.error(v.keys.of("group", v.loc),
                fmt::format("virtual_server_group '{}' is not defined", *v.group));
      }
    }
    if (!v.lb_algo)
      d.warning(v.loc, "no lb_algo set, defaulting to wlc");
    if (v.fwmark && v.protocol) {
      d.warning(v.keys.of("protocol", v.loc), "protocol is ignored for a fwmark virtual_server");
    } else if (!v.fwmark && !v.protocol) {
      d.warning(v.loc, "no protocol set, defaulting to UDP (keepalived's default)");
    }
    if (v.addr && v.sorry_server && v.sorry_server->addr.family() != v.addr->family()) {
      d.error(v.keys.of("sorry_server", v.loc),
              "sorry_server is not of the virtual server's address family");
    }
    for (const auto& r : v.real_servers) {
      if (v.addr && r.addr.family() != v.addr->family() && v.lvs_method.method != "TUN") {
        d.error(r.loc, "real_server family differs from the virtual server's (only TUN allows it)");
      }
      for (const auto& ch : r.checkers) {
        bool http = ch.kind == CheckerKind::kHttpGet || ch.kind == CheckerKind::kSslGet;
        if (http && ch.urls.empty())
          d.relaxable(ch.loc, "HTTP_GET/SSL_GET has no url { }");
        if (ch.kind == CheckerKind::kMisc && !ch.misc_path) {
          d.relaxable(ch.loc, "MISC_CHECK has no misc_path");
        }
        if (ch.kind == CheckerKind::kFile && ch.track_file) {
          bool found = false;
          for (const auto& f : c.track_files)
            found = found || f.name == *ch.track_file;
          if (!found)
            d.error(ch.keys.of("track_file", ch.loc),
                    fmt::format("track_file '{}' is not defined", *ch.track_file));
        }
      }
    }
  }
}

// Typed keywords that the model keeps but no engine reads yet (the `extra` ones are warned
// about where they are bound): `vipd -t` says so at each line where one is written.
void warnUnapplied(const KeyLocs& keys, std::initializer_list<std::string_view> unapplied,
                   Diagnostics& d) {
  for (const auto& [key, loc] : keys.at) {
    for (auto u : unapplied) {
      if (key == u) {
        d.warning(loc, fmt::format("'{}' is accepted for keepalived compatibility; vipd does not "
                                   "act on it",
                                   key));
      }
    }
  }
}

}  // namespace

void validate(const Config& c, Diagnostics& d) {
  warnUnapplied(
      c.global.keys,
      {"vrrp_startup_delay", "vrrp_min_garp", "vrrp_owner_ignore_adverts", "max_auto_priority",
       "checker_rt_priority", "checker_no_swap", "reload_check_config", "random_seed"},
      d);
  for (const auto& i : c.instances)
    warnUnapplied(i.keys, {"track_src_ip", "use_vmac_addr", "unicast_fault_no_peer"}, d);
  checkUniqueNames(c.instances, "vrrp_instance", d);
  checkUniqueNames(c.vrrp_scripts, "vrrp_script", d);
  checkUniqueNames(c.track_processes, "vrrp_track_process", d);
  checkUniqueNames(c.track_files, "track_file", d);
  checkUniqueNames(c.sync_groups, "vrrp_sync_group", d);
  checkUniqueNames(c.virtual_server_groups, "virtual_server_group", d);
  for (const auto& s : c.vrrp_scripts) {
    if (s.script.command.empty()) {
      d.error(s.loc, fmt::format("vrrp_script '{}' has no script", s.name));
    }
    if (s.timeout && *s.timeout > s.interval) {
      d.warning(s.keys.of("timeout", s.loc),
                fmt::format("vrrp_script '{}': timeout is longer than interval", s.name));
    }
  }
  for (const auto& p : c.track_processes) {
    if (p.process.empty())
      d.error(p.loc, fmt::format("vrrp_track_process '{}' has no process", p.name));
  }
  for (const auto& f : c.track_files) {
    if (f.file.empty())
      d.error(f.loc, fmt::format("track_file '{}' has no file", f.name));
  }
  for (const auto& i : c.instances)
    checkInstance(i, c, d);
  checkVridClashes(c, d);
  checkSyncGroups(c, d);
  // The instances the IPVS sync daemon and conntrackd follow.
  auto needInstance = [&](const char* key, const std::string& name, const SourceLoc& loc) {
    bool found = false;
    for (const auto& i : c.instances)
      found = found || i.name == name;
    if (!found)
      d.error(loc, fmt::format("{}: vrrp_instance '{}' is not defined", key, name));
  };
  if (const auto& l = c.global.lvs_sync_daemon; l && !l->instance.empty())
    needInstance("lvs_sync_daemon", l->instance, l->loc);
  if (const auto& ct = c.global.conntrack_sync)
    needInstance("conntrack_sync", ct->instance, ct->loc);
  checkVirtualServers(c, d);
}

}  // namespace vipd::conf
