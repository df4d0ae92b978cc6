// global_defs: keepalived.conf(5) "Global definitions"; defaults as keepalived 2.2.7.
#include "conf/entries.h"
#include "conf/tables.h"

namespace vipd::conf {

namespace {

using G = GlobalDefs;

Keyword<G> smtpServer() {
  return {"smtp_server",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
              return;
            SmtpServer s{n.args[0].text, 25};
            if (n.args.size() == 2) {
              auto p = intIn(1, 65535).parse(n.args[1], ctx);
              if (!p)
                return;
              s.port = static_cast<int>(*p);
            }
            g.smtp_server = s;
          },
          [](const G& g, Printer& p) {
            if (!g.smtp_server)
              return;
            p.line(g.smtp_server->port == 25 ? "smtp_server " + g.smtp_server->host
                                             : fmt::format("smtp_server {} {}", g.smtp_server->host,
                                                           g.smtp_server->port));
          }};
}

// `conntrack_sync INSTANCE [config FILE] [timeout SECS] [program PATH]` (vipd).
Keyword<G> conntrackSync() {
  return {"conntrack_sync",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 7))
              return;
            ConntrackSync c;
            c.instance = n.args[0].text;
            c.loc = n.loc();
            for (size_t i = 1; i < n.args.size(); i += 2) {
              const Token& k = n.args[i];
              if (i + 1 >= n.args.size()) {
                ctx.bad(k, "expected a value after it");
                return;
              }
              const Token& v = n.args[i + 1];
              if (k.text == "config") {
                c.config = v.text;
              } else if (k.text == "program") {
                c.program = v.text;
              } else if (k.text == "timeout") {
                auto t = timerIn(0.01, 60).parse(v, ctx);
                if (!t)
                  return;
                c.timeout = *t;
              } else {
                ctx.bad(k, "expected config, timeout or program");
                return;
              }
            }
            g.conntrack_sync = c;
          },
          [](const G& g, Printer& p) {
            if (!g.conntrack_sync)
              return;
            const auto& c = *g.conntrack_sync;
            const ConntrackSync d;
            std::string s = "conntrack_sync " + quoteIfNeeded(c.instance);
            if (c.config != d.config)
              s += " config " + quoteIfNeeded(c.config);
            if (c.timeout != d.timeout)
              s += " timeout " + TimerV{}.format(c.timeout);
            if (c.program != d.program)
              s += " program " + quoteIfNeeded(c.program);
            p.line(s);
          }};
}

// `lvs_sync_daemon IFACE [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]`,
// as keepalived 2.2.7 reads it: also its older form `IFACE INSTANCE [SYNCID]` (a bare
// SYNCID warned, as keepalived reports it).
Keyword<G> lvsSyncDaemon() {
  return {"lvs_sync_daemon",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 14))
              return;
            LvsSyncDaemon l;
            l.ifname = n.args[0].text;
            l.loc = n.loc();
            if (l.ifname.size() >= 16) {  // IP_VS_IFNAME_MAXLEN
              ctx.bad(n.args[0], "interface name too long (at most 15 characters)");
              return;
            }
            for (size_t i = 1; i < n.args.size(); ++i) {
              const Token& k = n.args[i];
              auto value = [&]() -> const Token* {
                if (i + 1 < n.args.size())
                  return &n.args[++i];
                ctx.bad(k, "expected a value after it");
                return nullptr;
              };
              auto number = [&](int lo, int hi) -> std::optional<int> {
                const Token* v = value();
                if (!v)
                  return std::nullopt;
                auto x = intIn(lo, hi).parse(*v, ctx);
                return x ? std::optional<int>(static_cast<int>(*x)) : std::nullopt;
              };
              if (k.text == "inst") {
                const Token* v = value();
                if (!v)
                  return;
                l.instance = v->text;
              } else if (k.text == "id") {
                if (!(l.syncid = number(0, 255)))
                  return;
              } else if (k.text == "maxlen") {
                auto x = number(1, 65535 - 20 - 8);
                if (!x)
                  return;
                l.maxlen = *x;
              } else if (k.text == "port") {
                auto x = number(1, 65535);
                if (!x)
                  return;
                l.port = *x;
              } else if (k.text == "ttl") {
                auto x = number(1, 255);
                if (!x)
                  return;
                l.ttl = *x;
              } else if (k.text == "group") {
                const Token* v = value();
                if (!v)
                  return;
                auto a = IpAddress::parse(v->text);
                if (!a || !a->isMulticast()) {
                  ctx.bad(*v, "expected a multicast address");
                  return;
                }
                l.group = *a;
              } else if (i == 1) {
                l.instance = k.text;  // the older form: IFACE INSTANCE [SYNCID]
              } else if (i == 2) {
                auto x = intIn(0, 255).parse(k, ctx);
                if (!x)
                  return;
                l.syncid = static_cast<int>(*x);
                ctx.diags.warning(k.loc, "lvs_sync_daemon: write 'id " + k.text + "'");
              } else {
                ctx.bad(k, "expected inst, id, maxlen, port, ttl or group");
                return;
              }
            }
            g.lvs_sync_daemon = l;
          },
          [](const G& g, Printer& p) {
            if (!g.lvs_sync_daemon)
              return;
            const auto& l = *g.lvs_sync_daemon;
            std::string s = "lvs_sync_daemon " + quoteIfNeeded(l.ifname);
            if (!l.instance.empty())
              s += " inst " + quoteIfNeeded(l.instance);
            if (l.syncid)
              s += fmt::format(" id {}", *l.syncid);
            if (l.maxlen)
              s += fmt::format(" maxlen {}", l.maxlen);
            if (l.port)
              s += fmt::format(" port {}", l.port);
            if (l.ttl)
              s += fmt::format(" ttl {}", l.ttl);
            if (l.group)
              s += " group " + l.group->str();
            p.line(s);
          }};
}

// `lvs_flush_on_stop [VS]`: alone, the whole IPVS table is flushed at stop; VS, each of
// vipd's services is removed (the kernel removes their real servers).
Keyword<G> lvsFlushOnStop() {
  return {"lvs_flush_on_stop",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
              return;
            if (!n.args.empty() && n.args[0].text != "VS") {
              ctx.bad(n.args[0], "expected VS (or nothing: the whole table)");
              return;
            }
            g.lvs_flush_on_stop = n.args.empty() ? "" : "VS";
          },
          [](const G& g, Printer& p) {
            if (g.lvs_flush_on_stop)
              p.line(g.lvs_flush_on_stop->empty() ? "lvs_flush_on_stop" : "lvs_flush_on_stop VS");
          }};
}

// `script_user USER [[:]GROUP]` is a ScriptCommand without a command: store the user in
// `command` so the generic printer round-trips it.
Keyword<G> scriptUser() {
  return {"script_user",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
              return;
            ScriptCommand s;
            s.command = n.args[0].text;
            if (n.args.size() == 2) {
              std::string grp = n.args[1].text;
              s.supplementary_groups = !grp.empty() && grp[0] == ':';
              if (s.supplementary_groups)
                grp.erase(0, 1);
              s.group = grp;
            }
            g.script_user = s;
          },
          [](const G& g, Printer& p) {
            if (!g.script_user)
              return;
            std::string s = "script_user " + quoteIfNeeded(g.script_user->command);
            if (g.script_user->group) {
              s += " " + std::string(g.script_user->supplementary_groups ? ":" : "") +
                   *g.script_user->group;
            }
            p.line(s);
          }};
}

// `nftables [TABLE]`: the keyword alone selects keepalived's default table.
Keyword<G> nftables() {
  return {"nftables",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
              return;
            g.nftables = n.args.empty() ? "" : n.args[0].text;
          },
          [](const G& g, Printer& p) {
            if (g.nftables)
              p.line(g.nftables->empty() ? "nftables" : "nftables " + *g.nftables);
          }};
}

Keyword<G> reloadCheck() {
  return {"reload_check_config",
          [](G& g, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
              return;
            g.reload_check_config = n.args.empty() ? "" : n.args[0].text;
          },
          [](const G& g, Printer& p) {
            if (!g.reload_check_config)
              return;
            p.line(g.reload_check_config->empty()
                       ? "reload_check_config"
                       : "reload_check_config " + *g.reload_check_config);
          }};
}

}  // namespace

const Schema<GlobalDefs>& globalDefsSchema() {
  static const Schema<G> s = [] {
    Schema<G> t = {
        one("router_id", &G::router_id, WordV{}),
        list("notification_email", &G::notification_email, WordV{}),
        one("notification_email_from", &G::notification_email_from, WordV{}),
        smtpServer(),
        conntrackSync(),
        lvsSyncDaemon(),
        flag("lvs_flush", &G::lvs_flush),
        lvsFlushOnStop(),
        alias("lvs_flush_onstop", lvsFlushOnStop()),
        one("smtp_helo_name", &G::smtp_helo_name, WordV{}),
        one("smtp_connect_timeout", &G::smtp_connect_timeout, timerIn(0, 86400)),
        flag("smtp_alert", &G::smtp_alert),
        flag("smtp_alert_vrrp", &G::smtp_alert_vrrp),
        flag("smtp_alert_checker", &G::smtp_alert_checker),
        flag("no_email_faults", &G::no_email_faults),
        scriptUser(),
        flag("enable_script_security", &G::enable_script_security),
        script("startup_script", &G::startup_script),
        one("startup_script_timeout", &G::startup_script_timeout, timerIn(1, 1000)),
        one("notify_script_timeout", &G::notify_script_timeout, timerIn(0, 86400)),
        script("shutdown_script", &G::shutdown_script),
        one("shutdown_script_timeout", &G::shutdown_script_timeout, timerIn(1, 1000)),
        script("notify_fifo", &G::notify_fifo),
        script("notify_fifo_script", &G::notify_fifo_script),
        script("vrrp_notify_fifo", &G::vrrp_notify_fifo),
        script("vrrp_notify_fifo_script", &G::vrrp_notify_fifo_script),
        script("lvs_notify_fifo", &G::lvs_notify_fifo),
        script("lvs_notify_fifo_script", &G::lvs_notify_fifo_script),
        one("vrrp_version", &G::vrrp_version, intIn(2, 3)),
        one("vrrp_mcast_group4", &G::vrrp_mcast_group4, IpV{}),
        one("vrrp_mcast_group6", &G::vrrp_mcast_group6, IpV{}),
        flag("vrrp_strict", &G::vrrp_strict),
        flag("vrrp_skip_check_adv_addr", &G::vrrp_skip_check_adv_addr),
        flag("vrrp_check_unicast_src", &G::vrrp_check_unicast_src),
        flag("vrrp_accept_unicast_from_any", &G::vrrp_accept_unicast_from_any),
        one("vrrp_garp_master_delay", &G::vrrp_garp_master_delay, timerIn(0, 86400)),
        one("vrrp_garp_master_repeat", &G::vrrp_garp_master_repeat, intIn(1, 10000)),
        one("vrrp_garp_lower_prio_delay", &G::vrrp_garp_lower_prio_delay, timerIn(0, 86400)),
        one("vrrp_garp_lower_prio_repeat", &G::vrrp_garp_lower_prio_repeat, intIn(1, 10000)),
        one("vrrp_garp_master_refresh", &G::vrrp_garp_master_refresh, timerIn(0, 86400)),
        one("vrrp_garp_master_refresh_repeat", &G::vrrp_garp_master_refresh_repeat,
            intIn(1, 10000)),
        one("vrrp_garp_interval", &G::vrrp_garp_interval, timerIn(0, 1)),
        one("vrrp_gna_interval", &G::vrrp_gna_interval, timerIn(0, 1)),
        flag("vrrp_min_garp", &G::vrrp_min_garp),
        one("vrrp_down_timer_adverts", &G::vrrp_down_timer_adverts, intIn(1, 100)),
        flag("vrrp_lower_prio_no_advert", &G::vrrp_lower_prio_no_advert),
        flag("vrrp_higher_prio_send_advert", &G::vrrp_higher_prio_send_advert),
        flag("vrrp_owner_ignore_adverts", &G::vrrp_owner_ignore_adverts),
        flag("v3_checksum_as_v2", &G::v3_checksum_as_v2),
        one("vrrp_startup_delay", &G::vrrp_startup_delay, timerIn(0, 86400)),
        one("default_interface", &G::default_interface, WordV{}),
        nftables(),
        one("max_auto_priority", &G::max_auto_priority, intIn(-1, 99)),
        one("vrrp_rt_priority", &G::vrrp_rt_priority, intIn(0, 99)),  // 0: vipd, no RT
        one("checker_rt_priority", &G::checker_rt_priority, intIn(1, 99)),
        one("lb_backend", &G::lb_backend,
            EnumV<std::string>{{{"auto", "auto"}, {"ipvs", "ipvs"}, {"nftables", "nftables"}}}),
        flag("vrrp_no_swap", &G::vrrp_no_swap),
        flag("checker_no_swap", &G::checker_no_swap),
        reloadCheck(),
        one("random_seed", &G::random_seed, intIn(0, INT64_MAX)),
        one("metrics_listen", &G::metrics_listen, WordV{}),
        one("control_socket", &G::control_socket, WordV{}),
        one("control_socket_group", &G::control_socket_group, WordV{}),
        one("runtime_state_file", &G::runtime_state_file, WordV{}),
    };
    // `dynamic_interfaces [allow_if_changes]`
    t.push_back({"dynamic_interfaces",
                 [](G& g, const Node& n, Ctx& ctx) {
                   if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
                     return;
                   g.dynamic_interfaces = true;
                   if (!n.args.empty()) {
                     if (n.args[0].text != "allow_if_changes") {
                       ctx.bad(n.args[0], "expected 'allow_if_changes'");
                       return;
                     }
                     g.extra["dynamic_interfaces"].push_back({"allow_if_changes"});
                   }
                 },
                 [](const G& g, Printer& p) {
                   if (!g.dynamic_interfaces)
                     return;
                   p.line(g.extra.count("dynamic_interfaces")
                              ? "dynamic_interfaces allow_if_changes"
                              : "dynamic_interfaces");
                 }});
    // Keywords kept in `extra` after type checking: no engine consumes them yet.
    const std::pair<const char*, std::tuple<ArgKind, size_t, size_t>> rare[] = {
        {"checker_log_all_failures", {ArgKind::kBool, 0, 1}},
        {"no_checker_emails", {ArgKind::kAny, 0, 0}},
        {"rs_init_notifies", {ArgKind::kAny, 0, 0}},
        {"use_symlink_paths", {ArgKind::kBool, 0, 1}},
        {"set_supplementary_groups", {ArgKind::kAny, 0, 0}},
        {"fifo_write_vrrp_states_on_reload", {ArgKind::kAny, 0, 0}},
        {"vrrp_notify_priority_changes", {ArgKind::kBool, 0, 1}},
        {"vrrp_garp_extra_if", {ArgKind::kAny, 1, 2}},
        {"vrrp_vmac_garp_intvl", {ArgKind::kAny, 1, 2}},
        {"vrrp_delay_after_boot", {ArgKind::kTimer, 1, 1}},
        {"log_unknown_vrids", {ArgKind::kAny, 0, 0}},
        {"vmac_prefix", {ArgKind::kAny, 1, 1}},
        {"vmac_addr_prefix", {ArgKind::kAny, 1, 1}},
        {"disable_local_igmp", {ArgKind::kAny, 0, 0}},
        {"nftables_priority", {ArgKind::kInt, 1, 1}},
        {"nftables_counters", {ArgKind::kAny, 0, 0}},
        {"nftables_ifindex", {ArgKind::kAny, 0, 0}},
        {"nftables_ipvs", {ArgKind::kAny, 0, 1}},
        {"nftables_ipvs_priority", {ArgKind::kInt, 1, 1}},
        {"nftables_ipvs_start_fwmark", {ArgKind::kInt, 1, 1}},
        {"vrrp_iptables", {ArgKind::kAny, 0, 2}},
        {"vrrp_ipsets", {ArgKind::kAny, 0, 4}},
        {"lvs_timeouts", {ArgKind::kAny, 2, 6}},
        {"min_auto_priority_delay", {ArgKind::kInt, 1, 1}},
        {"vrrp_priority", {ArgKind::kInt, 1, 1}},
        {"checker_priority", {ArgKind::kInt, 1, 1}},
        {"bfd_priority", {ArgKind::kInt, 1, 1}},
        {"bfd_no_swap", {ArgKind::kAny, 0, 0}},
        {"bfd_rt_priority", {ArgKind::kInt, 1, 1}},
        {"vrrp_cpu_affinity", {ArgKind::kInt, 1, 64}},
        {"checker_cpu_affinity", {ArgKind::kInt, 1, 64}},
        {"bfd_cpu_affinity", {ArgKind::kInt, 1, 64}},
        {"vrrp_rlimit_rttime", {ArgKind::kInt, 1, 1}},
        {"checker_rlimit_rttime", {ArgKind::kInt, 1, 1}},
        {"bfd_rlimit_rttime", {ArgKind::kInt, 1, 1}},
        {"vrrp_rlimit_rtime", {ArgKind::kInt, 1, 1}},
        {"checker_rlimit_rtime", {ArgKind::kInt, 1, 1}},
        {"bfd_rlimit_rtime", {ArgKind::kInt, 1, 1}},
        {"process_names", {ArgKind::kAny, 0, 0}},
        {"process_name", {ArgKind::kAny, 0, 1}},
        {"vrrp_process_name", {ArgKind::kAny, 0, 1}},
        {"checker_process_name", {ArgKind::kAny, 0, 1}},
        {"lvs_process_name", {ArgKind::kAny, 0, 1}},
        {"bfd_process_name", {ArgKind::kAny, 0, 1}},
        {"umask", {ArgKind::kAny, 1, 8}},
        {"vrrp_netlink_cmd_rcv_bufs", {ArgKind::kInt, 1, 1}},
        {"vrrp_netlink_cmd_rcv_bufs_force", {ArgKind::kBool, 0, 1}},
        {"vrrp_netlink_monitor_rcv_bufs", {ArgKind::kInt, 1, 1}},
        {"vrrp_netlink_monitor_rcv_bufs_force", {ArgKind::kBool, 0, 1}},
        {"lvs_netlink_cmd_rcv_bufs", {ArgKind::kInt, 1, 1}},
        {"lvs_netlink_cmd_rcv_bufs_force", {ArgKind::kBool, 0, 1}},
        {"lvs_netlink_monitor_rcv_bufs", {ArgKind::kInt, 1, 1}},
        {"lvs_netlink_monitor_rcv_bufs_force", {ArgKind::kBool, 0, 1}},
        {"process_monitor_rcv_bufs", {ArgKind::kInt, 1, 1}},
        {"process_monitor_rcv_bufs_force", {ArgKind::kBool, 0, 1}},
        {"vrrp_rx_bufs_policy", {ArgKind::kAny, 1, 3}},
        {"vrrp_rx_bufs_multiplier", {ArgKind::kInt, 1, 1}},
        {"snmp_socket", {ArgKind::kAny, 1, 1}},
        {"enable_snmp_vrrp", {ArgKind::kAny, 0, 0}},
        {"enable_snmp_keepalived", {ArgKind::kAny, 0, 0}},
        {"enable_snmp_checker", {ArgKind::kAny, 0, 0}},
        {"enable_snmp_rfc", {ArgKind::kAny, 0, 0}},
        {"enable_snmp_rfcv2", {ArgKind::kAny, 0, 0}},
        {"enable_snmp_rfcv3", {ArgKind::kAny, 0, 0}},
        {"enable_traps", {ArgKind::kAny, 0, 0}},
        {"snmp_vs_stats_update_interval", {ArgKind::kTimer, 1, 1}},
        {"snmp_rs_stats_update_interval", {ArgKind::kTimer, 1, 1}},
        {"enable_dbus", {ArgKind::kAny, 0, 0}},
        {"dbus_service_name", {ArgKind::kAny, 1, 1}},
        {"dbus_no_interface_name", {ArgKind::kAny, 1, 1}},
        {"reload_time_file", {ArgKind::kAny, 1, 1}},
        {"reload_repeat", {ArgKind::kAny, 0, 0}},
        {"reload_file", {ArgKind::kAny, 0, 1}},
        {"include_check", {ArgKind::kAny, 0, 8}},
        {"config_save_dir", {ArgKind::kAny, 1, 1}},
        {"tmp_config_directory", {ArgKind::kAny, 1, 1}},
        {"data_use_instance", {ArgKind::kBool, 0, 1}},
        {"state_dump_file", {ArgKind::kAny, 1, 1}},
        {"stats_dump_file", {ArgKind::kAny, 1, 1}},
        {"json_dump_file", {ArgKind::kAny, 1, 1}},
        {"json_version", {ArgKind::kInt, 1, 1}},
        {"iproute_usr_dir", {ArgKind::kAny, 1, 1}},
        {"iproute_etc_dir", {ArgKind::kAny, 1, 1}},
        {"vrrp_mcast_group4_ttl", {ArgKind::kInt, 1, 1}},
        {"smtp_alert_bfd", {ArgKind::kBool, 0, 1}},
        {"linkbeat_use_polling", {ArgKind::kAny, 0, 0}},
        {"network_timeout", {ArgKind::kTimer, 1, 1}},
        {"instance", {ArgKind::kAny, 1, 1}},
        {"vrrp_track_process_quorum", {ArgKind::kInt, 1, 1}},
        {"sync_group_tracking_weight", {ArgKind::kAny, 0, 0}},
        {"lvs_sync_daemon_interface", {ArgKind::kAny, 1, 1}},
        {"vrrp_lvs_syncd_instance", {ArgKind::kAny, 1, 1}},
    };
    for (const auto& [name, spec] : rare) {
      auto [kind, lo, hi] = spec;
      t.push_back(extra<G>(name, kind, lo, hi));
    }
    return t;
  }();
  return s;
}

}  // namespace vipd::conf
