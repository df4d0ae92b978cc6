#pragma once
// Stage 3 of the config pipeline: the typed, immutable model of keepalived.conf.
//
// One struct per block kind, plain values only (no sockets, no runtime state). Fields that
// inherit a default from elsewhere (an instance's `smtp_alert` from global_defs, `priority`
// from `state`) are std::optional, and resolved by the accessors in resolve.h; everything
// else holds keepalived's default. Rare keywords that no engine consumes yet are kept, after
// type checking, in each block's `extra` map (keyword -> normalized words), so nothing an
// operator wrote is lost and `--dump-conf` prints it back.
//
// Equality ignores source locations (SourceLoc compares equal), so a model printed back with
// --dump-conf and re-parsed compares equal to the original.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "base/source_loc.h"

namespace vipd::conf {

using Micros = std::chrono::microseconds;
using Extra = std::map<std::string, std::vector<std::vector<std::string>>>;  // repeats allowed

// Where each keyword of a block was first written, so checks on the finished model can
// point at the keyword that is wrong rather than at its block. Filled by bindBlock from the
// keyword tables (the names are the tables' static strings). Like SourceLoc, it never takes
// part in model equality.
struct KeyLocs {
  std::vector<std::pair<std::string_view, SourceLoc>> at;
  void note(std::string_view key, const SourceLoc& loc) {
    for (const auto& [k, l] : at) {
      if (k == key)
        return;
    }
    at.emplace_back(key, loc);
  }
  // The keyword's location, or `block` when the keyword was not written.
  const SourceLoc& of(std::string_view key, const SourceLoc& block) const {
    for (const auto& [k, l] : at) {
      if (k == key)
        return l;
    }
    return block;
  }
  friend bool operator==(const KeyLocs&, const KeyLocs&) { return true; }
};

constexpr Micros seconds(int64_t s) {
  return Micros(s * 1'000'000);
}

// `weight N [reverse|noreverse]` on trackers.
struct Weight {
  int value = 0;
  bool reverse = false;
  friend bool operator==(const Weight&, const Weight&) = default;
};

// A command line for notify/track/misc scripts: `"cmd args" [user [[:]group]]`.
struct ScriptCommand {
  std::string command;  // as written (quotes removed); split into argv by splitCommand()
  std::optional<std::string> user;
  std::optional<std::string> group;
  bool supplementary_groups = false;  // the `:group` form
  friend bool operator==(const ScriptCommand&, const ScriptCommand&) = default;
};

// Splits a command on unquoted whitespace, with single or double quotes keeping spaces,
// keepalived's argv rule. No shell is involved.
std::vector<std::string> splitCommand(const std::string& command);

// ---------------------------------------------------------------- addresses, routes, rules

// One entry of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress.
struct AddressEntry {
  IpPrefix prefix;
  std::optional<std::string> broadcast;  // an address, "+" or "-"
  std::optional<std::string> dev;
  std::optional<std::string> scope;  // host|link|site|global|nowhere or a number
  std::optional<std::string> label;
  std::optional<IpPrefix> peer;
  bool home = false, nodad = false, mngtmpaddr = false, noprefixroute = false, autojoin = false;
  bool no_track = false;
  std::optional<std::string> use_vmac;       // "" = the instance's VMAC
  std::optional<std::string> preferred_lft;  // a number or "forever"
  std::optional<std::string> track_group;
  SourceLoc loc;
  friend bool operator==(const AddressEntry&, const AddressEntry&) = default;
};

// A route or rule in `ip route` / `ip rule` grammar. Words are kept in order after
// checking them against the grammar (keyword arity, addresses that must parse).
struct RouteEntry {
  std::vector<std::string> words;
  SourceLoc loc;
  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};

// `NAME [weight N [reverse]]` inside track_script/track_process/track_file/track_bfd, and
// `IF [weight N [reverse]]` inside track_interface.
struct TrackRef {
  std::string name;
  std::optional<Weight> weight;
  SourceLoc loc;
  friend bool operator==(const TrackRef&, const TrackRef&) = default;
};

// ---------------------------------------------------------------- global_defs

// `lvs_sync_daemon IFACE [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]`:
// the kernel's IPVS connection-sync daemon, master while INSTANCE is (keepalived).
struct LvsSyncDaemon {
  std::string ifname;
  std::string instance;               // "": none (both daemons run all the time)
  std::optional<int> syncid;          // default: INSTANCE's virtual_router_id, else 0
  int maxlen = 0, port = 0, ttl = 0;  // 0: the kernel's default
  std::optional<IpAddress> group;
  SourceLoc loc;
  friend bool operator==(const LvsSyncDaemon&, const LvsSyncDaemon&) = default;
};

// vipd: `conntrack_sync INSTANCE [config FILE] [timeout SECS] [program PATH]`. vipd runs
// conntrackd and follows INSTANCE (and the other instances of its sync group): becoming
// master commits the external cache before the VIPs are added (at most `timeout` later).
struct ConntrackSync {
  std::string instance;
  std::string config = "/etc/conntrackd/conntrackd.conf";
  std::string program = "conntrackd";
  Micros timeout = seconds(2);
  SourceLoc loc;
  friend bool operator==(const ConntrackSync&, const ConntrackSync&) = default;
};

struct SmtpServer {
  std::string host;  // address or name
  int port = 25;
  friend bool operator==(const SmtpServer&, const SmtpServer&) = default;
};

struct GlobalDefs {
  std::optional<std::string> router_id;
  std::vector<std::string> notification_email;
  std::optional<std::string> notification_email_from;
  std::optional<SmtpServer> smtp_server;
  std::optional<std::string> smtp_helo_name;
  Micros smtp_connect_timeout = seconds(30);
  std::optional<bool> smtp_alert, smtp_alert_vrrp, smtp_alert_checker;
  bool no_email_faults = false;
  std::optional<ScriptCommand> script_user;  // command unused: user/group only
  bool enable_script_security = false;
  std::optional<ScriptCommand> startup_script, shutdown_script;
  Micros startup_script_timeout = seconds(10), shutdown_script_timeout = seconds(10);
  // vipd: a notify script running longer is killed with its process group (0 = no limit).
  Micros notify_script_timeout = seconds(60);
  std::optional<ScriptCommand> notify_fifo, notify_fifo_script;
  std::optional<ScriptCommand> vrrp_notify_fifo, vrrp_notify_fifo_script;
  std::optional<ScriptCommand> lvs_notify_fifo, lvs_notify_fifo_script;
  // VRRP protocol defaults, inherited by instances.
  int vrrp_version = 2;
  IpAddress vrrp_mcast_group4 = IpAddress::v4(0xe0000012);  // 224.0.0.18
  IpAddress vrrp_mcast_group6 = *IpAddress::parse("ff02::12");
  bool vrrp_strict = false;
  bool vrrp_skip_check_adv_addr = false;
  bool vrrp_check_unicast_src = false;
  bool vrrp_accept_unicast_from_any = false;  // vipd: keepalived's default of not checking
  Micros vrrp_garp_master_delay = seconds(5);
  int vrrp_garp_master_repeat = 5;
  std::optional<Micros> vrrp_garp_lower_prio_delay;
  std::optional<int> vrrp_garp_lower_prio_repeat;
  Micros vrrp_garp_master_refresh{0};
  int vrrp_garp_master_refresh_repeat = 1;
  Micros vrrp_garp_interval{0}, vrrp_gna_interval{0};
  bool vrrp_min_garp = false;
  int vrrp_down_timer_adverts = 3;
  std::optional<bool> vrrp_lower_prio_no_advert;
  std::optional<bool> vrrp_higher_prio_send_advert;  // default on in vipd (instance_plan.cc)
  std::optional<bool> vrrp_owner_ignore_adverts;
  bool v3_checksum_as_v2 = false;
  Micros vrrp_startup_delay{0};
  std::string default_interface = "eth0";
  bool dynamic_interfaces = false;
  std::optional<std::string> nftables;  // table name; "" = keepalived's default
  int max_auto_priority = 0;
  std::optional<int> vrrp_rt_priority, checker_rt_priority;
  // vipd: the load balancer's data plane: "auto" (IPVS when the kernel has it, else
  // nftables), "ipvs" or "nftables".
  std::string lb_backend = "auto";
  // IPVS: flush the whole table at start; at stop, flush it ("") or remove vipd's services
  // ("VS"); unset: vipd's services removed one by one (with IPVS, each takes its real
  // servers with it).
  bool lvs_flush = false;
  std::optional<std::string> lvs_flush_on_stop;
  bool vrrp_no_swap = false, checker_no_swap = false;
  std::optional<std::string> reload_check_config;
  std::optional<int64_t> random_seed;
  // vipd additions (ignored by keepalived configs that do not use them).
  std::optional<std::string> metrics_listen;  // e.g. "127.0.0.1:9650"
  std::optional<std::string> control_socket;
  std::optional<std::string> control_socket_group;  // may use vipctl besides root
  // Where `vipctl rs drain|weight` are kept across restarts (JSON, written on each change).
  std::optional<std::string> runtime_state_file;
  std::optional<ConntrackSync> conntrack_sync;
  std::optional<LvsSyncDaemon> lvs_sync_daemon;
  Extra extra;
  KeyLocs keys;
  friend bool operator==(const GlobalDefs&, const GlobalDefs&) = default;
};

// ---------------------------------------------------------------- trackers

struct VrrpScript {
  std::string name;
  ScriptCommand script;
  Micros interval = seconds(1);
  std::optional<Micros> timeout;  // default: interval
  Weight weight;
  int rise = 1, fall = 1;
  bool init_fail = false;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const VrrpScript&, const VrrpScript&) = default;
};

struct TrackProcess {
  std::string name;
  std::vector<std::string> process;        // name then optional arguments
  std::optional<std::string> param_match;  // initial|partial
  Weight weight;
  int quorum = 1;
  std::optional<int> quorum_max;
  Micros fork_delay{0}, terminate_delay{0}, delay{0};
  bool full_command = false;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const TrackProcess&, const TrackProcess&) = default;
};

struct TrackFile {
  std::string name;
  std::string file;
  Weight weight{1, false};
  std::optional<std::vector<std::string>> init_file;  // [VALUE] [overwrite]
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const TrackFile&, const TrackFile&) = default;
};

struct SyncGroup {
  std::string name;
  std::vector<std::string> group;
  std::vector<TrackRef> track_interface, track_script, track_file, track_process, track_bfd;
  std::optional<ScriptCommand> notify_master, notify_backup, notify_fault, notify_stop, notify;
  std::optional<bool> smtp_alert;
  std::optional<bool> notify_priority_changes;
  bool sync_group_tracking_weight = false;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const SyncGroup&, const SyncGroup&) = default;
};

// ---------------------------------------------------------------- vrrp_instance

enum class InitialState { kBackup, kMaster };

struct UnicastPeer {
  IpAddress addr;
  std::optional<int> min_ttl, max_ttl;
  SourceLoc loc;
  friend bool operator==(const UnicastPeer&, const UnicastPeer&) = default;
};

enum class AuthType { kPass, kAh };

struct Authentication {
  AuthType type = AuthType::kPass;
  std::string pass;  // only the first 8 bytes are used on the wire
  friend bool operator==(const Authentication&, const Authentication&) = default;
};

struct UseVmac {
  std::optional<std::string> ifname;  // default vrrp.<VRID>
  std::optional<std::string> mac;
  friend bool operator==(const UseVmac&, const UseVmac&) = default;
};

struct VrrpInstance {
  std::string name;
  std::optional<InitialState> state;
  std::optional<std::string> interface;
  int virtual_router_id = 0;         // 0 = not set (an error)
  std::optional<int> priority;       // default 100, or 255 for `state MASTER` without priority
  std::optional<Micros> advert_int;  // default 1 s
  std::optional<int> version;        // default global vrrp_version; IPv6 forces 3
  bool nopreempt = false;
  Micros preempt_delay{0};
  std::optional<int> down_timer_adverts;
  std::optional<bool> lower_prio_no_advert, higher_prio_send_advert, skip_check_adv_addr;
  std::optional<bool> strict_mode;
  // Transport. unicast_src_ip and mcast_src_ip set the same source; only the former marks
  // the instance as unicast-configured.
  std::optional<IpAddress> src_ip;
  bool unicast_configured = false;
  std::vector<UnicastPeer> unicast_peer;
  bool unicast_fault_no_peer = false;
  std::optional<int> unicast_ttl;
  bool check_unicast_src = false;
  // vipd checks unicast sources by default (a non-peer must not take mastership away);
  // this restores keepalived's default of accepting any source.
  bool accept_unicast_from_any = false;
  std::optional<IpAddress> mcast_dst_ip;
  bool track_src_ip = false;
  std::optional<bool> v3_checksum_as_v2;
  bool native_ipv6 = false;
  std::optional<UseVmac> use_vmac;
  bool vmac_xmit_base = false;
  bool use_vmac_addr = false;
  // Trackers.
  std::vector<TrackRef> track_interface, track_script, track_process, track_file, track_bfd;
  bool dont_track_primary = false;
  // Addresses.
  std::vector<AddressEntry> virtual_ipaddress, virtual_ipaddress_excluded;
  std::vector<RouteEntry> virtual_routes, virtual_rules;
  bool no_virtual_ipaddress = false;
  std::optional<bool> accept;  // default accept (no_accept under strict mode)
  // GARP / NA, defaulting to the globals.
  std::optional<Micros> garp_master_delay, garp_master_refresh, garp_lower_prio_delay;
  std::optional<int> garp_master_repeat, garp_master_refresh_repeat, garp_lower_prio_repeat;
  std::optional<Authentication> authentication;
  // Notification.
  std::optional<ScriptCommand> notify_master, notify_backup, notify_fault, notify_stop, notify;
  std::optional<ScriptCommand> notify_master_rx_lower_pri;
  std::optional<std::string> notify_deleted;  // "" = keyword without a script
  std::optional<bool> notify_priority_changes;
  std::optional<bool> smtp_alert;
  Extra extra;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const VrrpInstance&, const VrrpInstance&) = default;
};

// ---------------------------------------------------------------- LVS

struct HttpUrl {
  std::string path;
  std::optional<std::string> digest;
  std::vector<std::pair<int, int>> status_code;  // ranges; empty = 200-299
  std::optional<std::string> virtualhost;
  std::optional<std::string> regex;
  bool regex_no_match = false;
  Extra extra;
  SourceLoc loc;
  friend bool operator==(const HttpUrl&, const HttpUrl&) = default;
};

enum class CheckerKind { kHttpGet, kSslGet, kTcp, kMisc, kSmtp, kDns, kUdp, kPing, kFile, kBfd };

struct CheckerHost;  // SMTP_CHECK's legacy `host { }` blocks share the common options

struct Checker {
  CheckerKind kind = CheckerKind::kTcp;
  // Common options; unset ones inherit from the real server, then the virtual server.
  std::optional<IpAddress> connect_ip, bindto;
  std::optional<int> connect_port, bind_port;
  std::optional<std::string> bind_if;
  std::optional<uint32_t> fwmark;
  std::optional<Micros> connect_timeout, delay_before_retry, warmup, delay_loop;
  std::optional<int> retry;
  std::optional<int> rise;  // vipd: consecutive successes before UP (keepalived: 1)
  std::optional<bool> alpha, log_all_failures;
  // HTTP_GET / SSL_GET
  std::optional<std::string> http_protocol;  // 1.0 | 1.0C | 1.1
  std::optional<bool> fast_recovery, enable_sni;
  std::optional<std::string> virtualhost;
  std::vector<HttpUrl> urls;
  // MISC_CHECK
  std::optional<ScriptCommand> misc_path;
  std::optional<Micros> misc_timeout;
  bool misc_dynamic = false;
  // SMTP_CHECK
  std::optional<std::string> helo_name;
  std::vector<Checker> hosts;
  // DNS_CHECK
  std::optional<std::string> dns_type, dns_name;
  // UDP_CHECK
  std::optional<std::string> payload, require_reply;
  std::optional<int> min_reply_length, max_reply_length;
  // FILE_CHECK / BFD_CHECK
  std::optional<std::string> track_file, bfd_name;
  bool dynamic = false;
  std::optional<Weight> weight;
  Extra extra;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const Checker&, const Checker&) = default;
};

struct ForwardingMethod {
  std::string method = "NAT";        // NAT | DR | TUN
  std::vector<std::string> options;  // TUN type/port/csum words
  friend bool operator==(const ForwardingMethod&, const ForwardingMethod&) = default;
};

struct RealServer {
  IpAddress addr;
  std::optional<int> port;
  int weight = 1;
  std::optional<ForwardingMethod> lvs_method;
  std::optional<ScriptCommand> notify_up, notify_down;
  int uthreshold = 0, lthreshold = 0;
  std::optional<bool> inhibit_on_failure, alpha, smtp_alert;
  std::optional<int> retry;
  std::optional<int> rise;          // vipd
  std::optional<Micros> slowstart;  // vipd: a returning server's weight ramps up over it
  std::optional<Micros> delay_before_retry, warmup, connect_timeout, delay_loop;
  std::optional<std::string> virtualhost;
  std::vector<Checker> checkers;
  Extra extra;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const RealServer&, const RealServer&) = default;
};

enum class L4Protocol { kTcp, kUdp, kSctp };

struct SorryServer {
  IpAddress addr;
  std::optional<int> port;
  friend bool operator==(const SorryServer&, const SorryServer&) = default;
};

struct VirtualServer {
  // Exactly one of: address+port, fwmark, group.
  std::optional<IpAddress> addr;
  std::optional<int> port;
  std::optional<uint32_t> fwmark;
  std::optional<std::string> group;
  std::optional<std::string> lb_algo;  // default wlc
  ForwardingMethod lvs_method;
  std::optional<L4Protocol> protocol;         // default UDP, keepalived's (surprising) default
  std::optional<Micros> persistence_timeout;  // keyword alone = 360 s
  std::optional<std::string> persistence_granularity, persistence_engine;
  bool ops = false;
  std::vector<std::string> sched_flags;  // flag-1.., sh-port, sh-fallback, mh-port, mh-fallback
  Micros delay_loop = seconds(60);
  std::optional<Micros> connect_timeout, delay_before_retry, warmup;
  std::optional<int> retry;
  std::optional<int> rise;          // vipd
  std::optional<Micros> slowstart;  // vipd
  bool inhibit_on_failure = false, alpha = false, omega = false;
  int quorum = 1, hysteresis = 0;
  std::optional<ScriptCommand> quorum_up, quorum_down;
  std::optional<SorryServer> sorry_server;
  bool sorry_server_inhibit = false;
  std::optional<ForwardingMethod> sorry_server_lvs_method;
  bool ha_suspend = false;
  std::optional<std::string> virtualhost;
  std::optional<bool> smtp_alert;
  std::optional<std::string> ip_family;
  int weight = 1;
  std::vector<RealServer> real_servers;
  Extra extra;
  SourceLoc loc;
  KeyLocs keys;
  friend bool operator==(const VirtualServer&, const VirtualServer&) = default;
};

struct VirtualServerGroupEntry {
  std::vector<std::string> words;  // `IP[-END|/LEN] [PORT]` or `fwmark N [inet|inet6]`
  SourceLoc loc;
  friend bool operator==(const VirtualServerGroupEntry&, const VirtualServerGroupEntry&) = default;
};

struct VirtualServerGroup {
  std::string name;
  std::vector<VirtualServerGroupEntry> entries;
  SourceLoc loc;
  friend bool operator==(const VirtualServerGroup&, const VirtualServerGroup&) = default;
};

// ---------------------------------------------------------------- BFD and small blocks

struct BfdInstance {
  std::string name;
  std::optional<IpAddress> neighbor_ip, source_ip;
  Micros min_rx{10'000}, min_tx{10'000}, idle_tx{1'000'000};
  int multiplier = 5;
  bool passive = false;
  std::optional<int> ttl, max_hops;
  bool multihop = false;
  std::optional<Weight> weight;
  bool vrrp_only = false, checker_only = false;
  SourceLoc loc;
  friend bool operator==(const BfdInstance&, const BfdInstance&) = default;
};

struct SslContext {
  std::optional<std::string> password, ca, certificate, key;
  friend bool operator==(const SslContext&, const SslContext&) = default;
};

// A block of free-form lines whose grammar is keepalived's but which no engine consumes yet
// (linkbeat_interfaces, interface_up_down_delays, track_group, garp_group).
struct WordBlock {
  std::string name;  // block argument, if any
  std::vector<std::vector<std::string>> lines;
  SourceLoc loc;
  friend bool operator==(const WordBlock&, const WordBlock&) = default;
};

// ---------------------------------------------------------------- the whole file

struct Config {
  GlobalDefs global;
  std::vector<AddressEntry> static_ipaddress;
  std::vector<RouteEntry> static_routes, static_rules;
  std::vector<VrrpScript> vrrp_scripts;
  std::vector<TrackProcess> track_processes;
  std::vector<TrackFile> track_files;
  std::vector<SyncGroup> sync_groups;
  std::vector<VrrpInstance> instances;
  std::vector<BfdInstance> bfd_instances;
  std::vector<VirtualServerGroup> virtual_server_groups;
  std::vector<VirtualServer> virtual_servers;
  std::optional<SslContext> ssl;
  std::vector<WordBlock> linkbeat_interfaces, interface_up_down_delays, track_groups, garp_groups;
  Extra extra;  // root-level singles: net_namespace, instance, use_pid_dir, ...
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace vipd::conf
