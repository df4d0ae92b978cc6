// vrrp_script, vrrp_track_process, track_file, vrrp_sync_group, vrrp_instance, bfd_instance:
// keepalived.conf(5) "VRRPD CONFIGURATION"; defaults as keepalived 2.2.7.
#include "conf/entries.h"
#include "conf/tables.h"

namespace vipd::conf {

namespace {

// `weight N [reverse]` as a block keyword (vrrp_script, track_process, track_file).
template <class T, class M>
Keyword<T> weightRow(M T::*m, int limit) {
  return {"weight",
          [m, limit](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
              return;
            Node tmp = n;
            tmp.args.insert(tmp.args.begin(), Token{"weight", n.loc(), false});
            if (auto w = parseWeight(tmp, 0, limit, ctx))
              o.*m = *w;
          },
          [m](const T& o, Printer& p) {
            static const T defaults{};
            if (o.*m == defaults.*m)
              return;
            if constexpr (IsOptional<M>::value) {
              p.line(formatWeight(*(o.*m)));
            } else {
              p.line(formatWeight(o.*m));
            }
          }};
}

template <class T>
Keyword<T> words(std::string_view name, std::vector<std::string> T::*m, size_t min, size_t max) {
  return {name,
          [m, min, max](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, min, max))
              return;
            o.*m = {};
            for (const auto& a : n.args)
              (o.*m).push_back(a.text);
          },
          [name, m](const T& o, Printer& p) {
            if ((o.*m).empty())
              return;
            std::string s(name);
            for (const auto& w : o.*m)
              s += " " + quoteIfNeeded(w);
            p.line(s);
          }};
}

template <class T>
Keyword<T> optWords(std::string_view name, std::optional<std::vector<std::string>> T::*m,
                    size_t max) {
  return {name,
          [m, max](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, max))
              return;
            std::vector<std::string> w;
            for (const auto& a : n.args)
              w.push_back(a.text);
            o.*m = w;
          },
          [name, m](const T& o, Printer& p) {
            if (!(o.*m))
              return;
            std::string s(name);
            for (const auto& w : *(o.*m))
              s += " " + quoteIfNeeded(w);
            p.line(s);
          }};
}

using I = VrrpInstance;

// `unicast_src_ip` and `mcast_src_ip` share one field; only the former marks unicast.
Keyword<I> srcIp(std::string_view name, bool unicast) {
  return {name,
          [unicast](I& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 1))
              return;
            if (auto a = IpV{}.parse(n.args[0], ctx)) {
              o.src_ip = *a;
              o.unicast_configured = o.unicast_configured || unicast;
            }
          },
          [name, unicast](const I& o, Printer& p) {
            if (o.src_ip && o.unicast_configured == unicast) {
              p.line(std::string(name) + " " + o.src_ip->str());
            }
          }};
}

Keyword<I> unicastPeers() {
  auto row = entries<I, UnicastPeer>("unicast_peer", &I::unicast_peer, parseUnicastPeer,
                                     formatUnicastPeer);
  // An empty `unicast_peer {}` still configures unicast (and is an error to validate).
  auto inner = row.parse;
  row.parse = [inner](I& o, const Node& n, Ctx& ctx) {
    o.unicast_configured = true;
    inner(o, n, ctx);
  };
  return row;
}

Keyword<I> useVmac() {
  return {"use_vmac",
          [](I& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 2))
              return;
            UseVmac v;
            for (const auto& a : n.args) {
              // A MAC has colons; anything else is the interface name.
              if (a.text.find(':') != std::string::npos) {
                v.mac = a.text;
              } else {
                v.ifname = a.text;
              }
            }
            o.use_vmac = v;
          },
          [](const I& o, Printer& p) {
            if (!o.use_vmac)
              return;
            std::string s = "use_vmac";
            if (o.use_vmac->ifname)
              s += " " + *o.use_vmac->ifname;
            if (o.use_vmac->mac)
              s += " " + *o.use_vmac->mac;
            p.line(s);
          }};
}

const Schema<Authentication>& authSchema() {
  static const Schema<Authentication> s = {
      one("auth_type", &Authentication::type,
          EnumV<AuthType>{{{"PASS", AuthType::kPass}, {"AH", AuthType::kAh}}}),
      one("auth_pass", &Authentication::pass, WordV{}),
  };
  return s;
}

Keyword<I> authentication() {
  auto row = sub("authentication", &I::authentication, authSchema());
  // Print even when auth_type is the default PASS.
  row.print = [](const I& o, Printer& p) {
    if (!o.authentication)
      return;
    p.open("authentication");
    p.line(std::string("auth_type ") + (o.authentication->type == AuthType::kAh ? "AH" : "PASS"));
    if (!o.authentication->pass.empty())
      p.line("auth_pass " + quoteIfNeeded(o.authentication->pass));
    p.close();
  };
  return row;
}

Keyword<I> accept(std::string_view name, bool value) {
  Keyword<I> k{name,
               [value](I& o, const Node& n, Ctx& ctx) {
                 if (ctx.noBlock(n) && ctx.arity(n, 0, 0))
                   o.accept = value;
               },
               nullptr};
  if (value) {  // one row prints both forms
    k.print = [](const I& o, Printer& p) {
      if (o.accept)
        p.line(*o.accept ? "accept" : "no_accept");
    };
  }
  return k;
}

Keyword<I> notifyDeleted() {
  return {"notify_deleted",
          [](I& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
              return;
            o.notify_deleted = n.args.empty() ? "" : n.args[0].text;
          },
          [](const I& o, Printer& p) {
            if (!o.notify_deleted)
              return;
            p.line(o.notify_deleted->empty()
                       ? "notify_deleted"
                       : "notify_deleted " + quoteIfNeeded(*o.notify_deleted));
          }};
}

}  // namespace

const Schema<Authentication>& authenticationSchema() {
  return authSchema();
}

const Schema<VrrpScript>& vrrpScriptSchema() {
  using S = VrrpScript;
  static const Schema<S> s = {
      {"script",
       [](S& o, const Node& n, Ctx& ctx) {
         if (!ctx.noBlock(n) || !ctx.arity(n, 1, SIZE_MAX))
           return;
         auto c = parseScript(n, 0, true, ctx);
         if (!c)
           return;
         // A `user` line may come before `script`: keep it unless the script names one.
         if (!c->user) {
           c->user = o.script.user;
           c->group = o.script.group;
           c->supplementary_groups = o.script.supplementary_groups;
         }
         o.script = *c;
       },
       [](const S& o, Printer& p) {
         if (!o.script.command.empty())
           p.line("script " + formatScript(o.script));
       }},
      one("interval", &S::interval, timerIn(0.001, 86400)),
      one("timeout", &S::timeout, timerIn(0.001, 86400)),
      weightRow(&S::weight, 253),
      one("rise", &S::rise, intIn(1, 1000000)),
      one("fall", &S::fall, intIn(1, 1000000)),
      {"user",
       [](S& o, const Node& n, Ctx& ctx) {
         if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
           return;
         o.script.user = n.args[0].text;
         if (n.args.size() == 2) {
           std::string g = n.args[1].text;
           o.script.supplementary_groups = !g.empty() && g[0] == ':';
           if (o.script.supplementary_groups)
             g.erase(0, 1);
           o.script.group = g;
         }
       },
       nullptr},  // printed as part of `script`
      flag("init_fail", &S::init_fail),
  };
  return s;
}

const Schema<TrackProcess>& trackProcessSchema() {
  using P = TrackProcess;
  static const Schema<P> s = {
      words("process", &P::process, 1, SIZE_MAX),
      one("param_match", &P::param_match,
          EnumV<std::string>{{{"initial", "initial"}, {"partial", "partial"}}}),
      weightRow(&P::weight, 254),
      one("quorum", &P::quorum, intIn(0, 65535)),
      one("quorum_max", &P::quorum_max, intIn(0, 65535)),
      one("fork_delay", &P::fork_delay, timerIn(0, 86400)),
      one("terminate_delay", &P::terminate_delay, timerIn(0, 86400)),
      one("delay", &P::delay, timerIn(0, 86400)),
      flag("full_command", &P::full_command),
  };
  return s;
}

const Schema<TrackFile>& trackFileSchema() {
  using F = TrackFile;
  static const Schema<F> s = {
      one("file", &F::file, WordV{}),
      weightRow(&F::weight, 254),
      optWords("init_file", &F::init_file, 2),
  };
  return s;
}

const Schema<SyncGroup>& syncGroupSchema() {
  using S = SyncGroup;
  static const Schema<S> s = {
      list("group", &S::group, WordV{}),
      trackList("track_interface", &S::track_interface, 254),
      trackList("track_script", &S::track_script, 254),
      trackList("track_file", &S::track_file, 254),
      trackList("track_process", &S::track_process, 254),
      trackList("track_bfd", &S::track_bfd, 254),
      script("notify_master", &S::notify_master),
      script("notify_backup", &S::notify_backup),
      script("notify_fault", &S::notify_fault),
      script("notify_stop", &S::notify_stop),
      script("notify", &S::notify),
      flag("smtp_alert", &S::smtp_alert),
      flag("notify_priority_changes", &S::notify_priority_changes),
      flag("sync_group_tracking_weight", &S::sync_group_tracking_weight),
      alias("global_tracking", flag("global_tracking", &S::sync_group_tracking_weight)),
  };
  return s;
}

const Schema<VrrpInstance>& vrrpInstanceSchema() {
  static const Schema<I> s = [] {
    Schema<I> t = {
        one("state", &I::state,
            EnumV<InitialState>{
                {{"MASTER", InitialState::kMaster}, {"BACKUP", InitialState::kBackup}}}),
        one("interface", &I::interface, WordV{}),
        one("virtual_router_id", &I::virtual_router_id, intIn(1, 255)),
        one("priority", &I::priority, intIn(1, 255)),
        one("advert_int", &I::advert_int, timerIn(0.01, 255)),
        one("version", &I::version, intIn(2, 3)),
        setter("nopreempt", &I::nopreempt, true, true),
        setter("preempt", &I::nopreempt, false, false),
        one("preempt_delay", &I::preempt_delay, timerIn(0, 1000)),
        one("down_timer_adverts", &I::down_timer_adverts, intIn(1, 100)),
        flag("lower_prio_no_advert", &I::lower_prio_no_advert),
        flag("higher_prio_send_advert", &I::higher_prio_send_advert),
        flag("skip_check_adv_addr", &I::skip_check_adv_addr),
        flag("strict_mode", &I::strict_mode),
        srcIp("unicast_src_ip", true),
        srcIp("mcast_src_ip", false),
        unicastPeers(),
        flag("unicast_fault_no_peer", &I::unicast_fault_no_peer),
        one("unicast_ttl", &I::unicast_ttl, intIn(0, 255)),
        flag("check_unicast_src", &I::check_unicast_src),
        flag("accept_unicast_from_any", &I::accept_unicast_from_any),
        one("mcast_dst_ip", &I::mcast_dst_ip, IpV{}),
        flag("track_src_ip", &I::track_src_ip),
        flag("v3_checksum_as_v2", &I::v3_checksum_as_v2),
        flag("native_ipv6", &I::native_ipv6),
        useVmac(),
        flag("vmac_xmit_base", &I::vmac_xmit_base),
        flag("use_vmac_addr", &I::use_vmac_addr),
        trackList("track_interface", &I::track_interface, 253),
        flag("dont_track_primary", &I::dont_track_primary),
        trackList("track_script", &I::track_script, 253),
        trackList("track_process", &I::track_process, 254),
        trackList("track_file", &I::track_file, 254),
        trackList("track_bfd", &I::track_bfd, 253),
        entries<I, AddressEntry>("virtual_ipaddress", &I::virtual_ipaddress, parseAddress,
                                 formatAddress),
        entries<I, AddressEntry>("virtual_ipaddress_excluded", &I::virtual_ipaddress_excluded,
                                 parseAddress, formatAddress),
        entries<I, RouteEntry>("virtual_routes", &I::virtual_routes, parseRoute, formatRoute),
        entries<I, RouteEntry>("virtual_rules", &I::virtual_rules, parseRule, formatRoute),
        flag("no_virtual_ipaddress", &I::no_virtual_ipaddress),
        accept("accept", true),
        accept("no_accept", false),
        one("garp_master_delay", &I::garp_master_delay, timerIn(0, 86400)),
        one("garp_master_repeat", &I::garp_master_repeat, intIn(1, 10000)),
        one("garp_master_refresh", &I::garp_master_refresh, timerIn(0, 86400)),
        one("garp_master_refresh_repeat", &I::garp_master_refresh_repeat, intIn(1, 10000)),
        one("garp_lower_prio_delay", &I::garp_lower_prio_delay, timerIn(0, 86400)),
        one("garp_lower_prio_repeat", &I::garp_lower_prio_repeat, intIn(1, 10000)),
        authentication(),
        script("notify_master", &I::notify_master),
        script("notify_backup", &I::notify_backup),
        script("notify_fault", &I::notify_fault),
        script("notify_stop", &I::notify_stop),
        script("notify", &I::notify),
        script("notify_master_rx_lower_pri", &I::notify_master_rx_lower_pri),
        notifyDeleted(),
        flag("notify_priority_changes", &I::notify_priority_changes),
        flag("smtp_alert", &I::smtp_alert),
        ignored<I>("debug", "is not implemented (keepalived ignores it too)"),
    };
    const std::pair<const char*, std::tuple<ArgKind, size_t, size_t>> rare[] = {
        {"timer_expired_backup", {ArgKind::kInt, 0, 1}},
        {"thread_timer_expired", {ArgKind::kInt, 0, 1}},
        {"owner_ignore_adverts", {ArgKind::kBool, 0, 1}},
        {"old_unicast_checksum", {ArgKind::kAny, 0, 1}},
        {"kernel_rx_buf_size", {ArgKind::kInt, 1, 1}},
        {"vrf", {ArgKind::kAny, 1, 1}},
        {"use_ipvlan", {ArgKind::kAny, 0, 6}},
        {"promote_secondaries", {ArgKind::kAny, 0, 0}},
        {"garp_extra_if", {ArgKind::kAny, 1, 2}},
        {"vmac_garp_intvl", {ArgKind::kAny, 1, 2}},
        {"linkbeat_use_polling", {ArgKind::kAny, 0, 0}},
        {"lvs_sync_daemon_interface", {ArgKind::kAny, 1, 1}},
    };
    for (const auto& [name, spec] : rare) {
      auto [kind, lo, hi] = spec;
      t.push_back(extra<I>(name, kind, lo, hi));
    }
    return t;
  }();
  return s;
}

const Schema<BfdInstance>& bfdInstanceSchema() {
  using B = BfdInstance;
  static const Schema<B> s = {
      one("neighbor_ip", &B::neighbor_ip, IpV{}),
      alias("neighbour_ip", one("neighbour_ip", &B::neighbor_ip, IpV{})),
      one("source_ip", &B::source_ip, IpV{}),
      one("min_rx", &B::min_rx, MillisV{}),
      one("min_tx", &B::min_tx, MillisV{}),
      one("idle_tx", &B::idle_tx, MillisV{}),
      one("multiplier", &B::multiplier, intIn(1, 255)),
      flag("passive", &B::passive),
      one("ttl", &B::ttl, intIn(1, 255)),
      alias("hoplimit", one("hoplimit", &B::ttl, intIn(1, 255))),
      one("max_hops", &B::max_hops, intIn(0, 255)),
      flag("multihop", &B::multihop),
      weightRow(&B::weight, 253),
      flag("vrrp", &B::vrrp_only),
      flag("checker", &B::checker_only),
  };
  return s;
}

}  // namespace vipd::conf
