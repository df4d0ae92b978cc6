#include "daemon/vrrp_runtime.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "base/log.h"
#include "conf/resolve.h"
#include "daemon/kernel_plan.h"
#include "daemon/vrrp_runtime_internal.h"
#include "proto/vrrp/announce.h"
#include "proto/vrrp/ipv4.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/priority.h"
#include "proto/vrrp/receive.h"
#include "proto/vrrp/timers.h"

namespace vipd::daemon {

namespace {

std::string notifyState(const vrrp::Transition& t) {
  switch (t.to) {
    case vrrp::State::kMaster:
      return "MASTER";
    case vrrp::State::kBackup:
      return "BACKUP";
    case vrrp::State::kFault:
      return "FAULT";
    case vrrp::State::kInit:
      break;
  }
  return "STOP";
}

void writeSysctl(const std::string& path, const char* value) {
  std::ofstream f(path);
  f << value;
  if (!f)
    log::warning("cannot set {} to {}", path, value);
}

}  // namespace

VrrpRuntime::VrrpRuntime(io::Loop& loop, sys::Netlink& nl, bool dont_release)
    : loop_(loop),
      nl_(nl),
      scripts_(loop),
      trackers_(loop, nl, scripts_),
      notifier_(loop, scripts_),
      dont_release_(dont_release),
      monitor_(std::make_unique<sys::NetlinkMonitor>()) {
  loop_.watch(monitor_->fd(), [this] {
    monitor_->drain([this](const sys::LinkEvent& e) { onLink(e); },
                    [this](const sys::AddressEvent& e) { onAddress(e); });
  });
  loop_.onTimer([this] { onTimer(); });
  trackers_.on_change = [this](const std::string& key) { onTrackerChange(key); };
}

VrrpRuntime::~VrrpRuntime() {
  loop_.unwatch(monitor_->fd());
  for (auto& [key, s] : sockets_)
    loop_.unwatch(s.fd());
}

namespace {

// A change the running engine can take without a restart: the base priority (not to or
// from the owner's 255), the trackers, notifications and mail.
bool changesInPlace(const conf::VrrpInstance& old, const conf::VrrpInstance& next) {
  if (conf::effectivePriority(old) == 255 || conf::effectivePriority(next) == 255)
    return false;
  conf::VrrpInstance t = next;
  t.priority = old.priority;
  t.track_interface = old.track_interface;
  t.track_script = old.track_script;
  t.track_process = old.track_process;
  t.track_file = old.track_file;
  t.track_bfd = old.track_bfd;
  t.notify_master = old.notify_master;
  t.notify_backup = old.notify_backup;
  t.notify_fault = old.notify_fault;
  t.notify_stop = old.notify_stop;
  t.notify = old.notify;
  t.notify_master_rx_lower_pri = old.notify_master_rx_lower_pri;
  t.notify_deleted = old.notify_deleted;
  t.notify_priority_changes = old.notify_priority_changes;
  t.smtp_alert = old.smtp_alert;
  return t == old;
}

}  // namespace

void VrrpRuntime::applyStatics(const conf::Config& cfg) {
  // static_ipaddress / static_routes / static_rules: set at startup whatever the VRRP
  // state, replaced when a reload changes them, removed at exit.
  KernelPlan next;
  for (const auto& e : cfg.static_ipaddress)
    next.addresses.push_back(addressRequest(e, 0, nl_));
  next.routes = routeRequests(cfg.static_routes, nl_, "static");
  next.rules = ruleRequests(cfg.static_rules, "static");
  if (next == statics_)
    return;
  applyPlan(nl_, statics_, false, "static");
  statics_ = next;
  applyPlan(nl_, statics_, true, "static");
}

std::vector<conf::VrrpInstance> VrrpRuntime::adopt(conf::Config cfg) {
  // Each Instance keeps its own conf: the instances are handed back to move there (a copy
  // of thousands of them would only raise the peak memory); the rest is kept as cfg_.
  auto instances = std::move(cfg.instances);
  cfg.instances = {};
  cfg_ = std::move(cfg);
  global_ = cfg_.global;
  configureConntrack();
  configureSyncd(instances);
  notifier_.configure(cfg_);
  applyStatics(cfg_);
  return instances;
}

void VrrpRuntime::start(conf::Config cfg) {
  sys::Netlink::DumpCache cache(nl_);
  for (auto& ic : adopt(std::move(cfg)))
    addInstance(std::move(ic));
  rebuildGroups();
  configureTrackers();
  for (auto& in : instances_) {
    updateTracking(*in);
    startIfReady(*in);
  }
  rearm();
}

void VrrpRuntime::reload(conf::Config next) {
  sys::Netlink::DumpCache cache(nl_);
  auto instances = adopt(std::move(next));
  // Groups are rebuilt from the new config once the instances are settled.
  for (auto& in : instances_)
    in->sync = nullptr;
  groups_.clear();
  std::vector<bool> kept(instances.size(), false);
  last_reload_ = {};
  std::map<std::string_view, size_t> by_name;
  for (size_t i = 0; i < instances.size(); ++i)
    by_name.emplace(instances[i].name, i);
  for (size_t i = instances_.size(); i-- > 0;) {
    Instance& in = *instances_[i];
    const auto& old = in.conf;
    auto found = by_name.find(old.name);
    auto it = found == by_name.end() ? instances.end()
                                     : instances.begin() + static_cast<ptrdiff_t>(found->second);
    if (it != instances.end() && *it == old) {
      kept[found->second] = true;
      ++last_reload_.kept;
      continue;
    }
    if (it != instances.end() && changesInPlace(old, *it)) {
      // Priority, trackers or notifications only: the engine keeps its state, timers and
      // addresses; the new priority goes out with the next advert (updateTracking below).
      log::info("({}) updated in place by reload", old.name);
      in.conf = *it;  // a copy: by_name's keys point into `instances`
      in.plan = core::planInstance(in.conf, global_, in.primary.value_or(IpAddress{}));
      in.advert.priority = -1;
      kept[found->second] = true;
      ++last_reload_.updated;
      continue;
    }
    ++(it == instances.end() ? last_reload_.removed : last_reload_.changed);
    log::info("({}) {} by reload", old.name, it == instances.end() ? "removed" : "changed");
    deleting_ = it == instances.end();
    removeInstance(i);
    deleting_ = false;
  }
  by_name.clear();  // its keys point into `instances`, whose entries now move out
  for (size_t i = 0; i < instances.size(); ++i) {
    if (!kept[i])
      addInstance(std::move(instances[i]));
  }
  last_reload_.added =
      instances.size() - last_reload_.kept - last_reload_.changed - last_reload_.updated;
  rebuildGroups();
  configureTrackers();
  for (auto& in : instances_) {
    updateTracking(*in);
    startIfReady(*in);
  }
  rearm();
}

void VrrpRuntime::stop() {
  stopping_ = true;
  // keepalived stops the FIFO reader scripts first, then writes the STOP lines.
  notifier_.stopFifoScripts();
  if (conntrack_)
    conntrack_->stop();
  syncd_.reset();  // keepalived stops the sync daemon before releasing the VIPs
  for (auto& in : instances_) {
    handle(*in, vrrp::Shutdown{});
    if (in->holding)
      setAddresses(*in, false);
    tearDownVmac(*in);
  }
  for (auto& g : groups_)
    notifier_.group(g->conf, "STOP", "shutdown");
  groups_.clear();
  garps_.clear();
  instances_.clear();
  index_dirty_ = true;
  if (!dont_release_)
    applyPlan(nl_, statics_, false, "static");
  statics_ = {};
  timers_ = {};
  loop_.setTimer(std::nullopt);
}

void VrrpRuntime::addInstance(conf::VrrpInstance next) {
  auto owned = std::make_unique<Instance>();
  Instance& in = *owned;
  in.conf = std::move(next);
  const conf::VrrpInstance& ic = in.conf;
  in.family = conf::instanceFamily(ic);
  in.ifname = ic.interface.value_or("");
  in.unicast = !ic.unicast_peer.empty();
  // RFC 5798 5.1.1.2's groups unless global_defs vrrp_mcast_group4/6 or mcast_dst_ip say
  // otherwise (the socket joins the other group).
  in.group = ic.mcast_dst_ip.value_or(in.family == Family::kInet ? global_.vrrp_mcast_group4
                                                                 : global_.vrrp_mcast_group6);
  if (ic.authentication && ic.authentication->type == conf::AuthType::kAh &&
      conf::effectiveVersion(ic, global_) == 2) {
    in.ah = true;
    in.ah_key = vrrp::passwordBytes(ic.authentication->pass);
    // keepalived checks a peer's AH sequence number against its own instance counter (which
    // it also sends with), so a peer restarting from 0 is dropped as a replay until it
    // overtakes that counter, which it never does. Starting from the seconds since 2020
    // keeps our sequence above any keepalived counter and above our own before a restart
    // (v2 sends at most about one advert per second), until the year 2156.
    in.ah_seq = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count() -
                                      1577836800);
  }
  in.no_accept = !conf::acceptMode(ic, global_) && conf::effectivePriority(ic) != 255;
  instances_.push_back(std::move(owned));
  bindInterface(in);
  in.plan = core::planInstance(ic, global_, in.primary.value_or(IpAddress{}));
  in.vr = std::make_unique<vrrp::VirtualRouter>(in.plan.params);
  in.replay = std::make_unique<vrrp::AhReplayGuard>(in.vr->masterDownInterval());
  log::info("({}) interface {} vrid {} priority {} {}", ic.name, in.ifname, ic.virtual_router_id,
            in.plan.params.priority, in.unicast ? "unicast" : "multicast");
  in.fault = false;
  refreshFault(in);
  releaseStale(in);
  openSocket(in);
  // Started (after its trackers are known) by start() or reload().
}

void VrrpRuntime::setUpVmac(Instance& in) {
  in.vmac_name =
      in.conf.use_vmac->ifname.value_or("vrrp." + std::to_string(in.conf.virtual_router_id));
  const auto mac = vrrp::virtualMac(in.family, static_cast<uint8_t>(in.conf.virtual_router_id));
  auto existing = nl_.link(in.vmac_name);
  if (existing &&
      (existing->kind != "macvlan" || existing->master != in.ifindex || existing->mac != mac)) {
    // Left by a daemon that died, or on another base: recreate it as configured.
    nl_.deleteLink(existing->index);
    existing.reset();
  }
  if (!existing) {
    if (int err = nl_.addMacvlan({in.vmac_name, in.ifindex, mac, true});
        err != 0 && err != EEXIST) {
      log::error("({}) cannot create VMAC interface {}: {}", in.conf.name, in.vmac_name,
                 std::strerror(err));
      return;
    }
    existing = nl_.link(in.vmac_name);
    if (!existing)
      return;
  }
  in.vmac_ifindex = existing->index;
  // VMAC sysctls: answer ARP only for addresses on the VMAC itself (arp_ignore 1; no
  // arp_filter, since the route back to the asker is through the base) and accept
  // our own source addresses arriving on it; an IPv4 VMAC gets no IPv6 (its MLD reports and
  // DAD would move the shared MAC in the switches from the master to a backup).
  const std::string base = "/proc/sys/net/ipv4/conf/" + in.vmac_name + "/";
  for (const auto& [key, value] : {std::pair{"arp_ignore", "1"}, std::pair{"arp_filter", "0"},
                                   std::pair{"accept_local", "1"}, std::pair{"rp_filter", "0"}}) {
    writeSysctl(base + key, value);
  }
  if (in.family == Family::kInet)
    writeSysctl("/proc/sys/net/ipv6/conf/" + in.vmac_name + "/disable_ipv6", "1");
  else  // no link-local of its own (see bindInterface)
    writeSysctl("/proc/sys/net/ipv6/conf/" + in.vmac_name + "/addr_gen_mode", "1");
  // And the base must not tie the VIP to its own MAC: no replies for the VMAC's addresses
  // (arp_ignore 1), and its own ARP requests use its address, not the VIP (arp_announce 2).
  writeSysctl("/proc/sys/net/ipv4/conf/" + in.ifname + "/arp_ignore", "1");
  writeSysctl("/proc/sys/net/ipv4/conf/" + in.ifname + "/arp_announce", "2");
  nl_.setLinkUp(in.vmac_ifindex, true);
  log::info("({}) VMAC {} ({}) on {}", in.conf.name, in.vmac_name, sys::formatMac(mac), in.ifname);
}

void VrrpRuntime::tearDownVmac(Instance& in) {
  index_dirty_ = true;
  if (in.vmac_ifindex == 0 || (stopping_ && dont_release_))
    return;
  flushAdverts();  // nothing queued may point at a socket about to close
  auto sock = sockets_.find(
      SocketKey{in.vmac_ifindex, in.family, in.ah ? vrrp::kIpProtoAh : vrrp::kIpProtoVrrp});
  if (sock != sockets_.end()) {
    loop_.unwatch(sock->second.fd());
    sockets_.erase(sock);
  }
  packet_sockets_.erase(in.vmac_ifindex);
  if (int err = nl_.deleteLink(in.vmac_ifindex); err != 0)
    log::error("({}) cannot remove VMAC {}: {}", in.conf.name, in.vmac_name, std::strerror(err));
  in.vmac_ifindex = 0;
}

void VrrpRuntime::releaseStale(Instance& in) {
  // A VIP already on the interface at startup was left by a daemon that died (kill -9, a
  // crash): as a backup we must not answer ARP for it. keepalived's --dont-release-vrrp
  // (-V) keeps them.
  if (dont_release_ || in.addresses.empty())
    return;
  for (const auto& a : nl_.addresses()) {
    for (const auto& r : in.addresses) {
      if (r.ifindex != a.ifindex || r.prefix.addr != a.prefix.addr)
        continue;
      log::warning("({}) removing stale {} left on the interface", in.conf.name, describe(r));
      nl_.deleteAddress(r);
    }
  }
}

void VrrpRuntime::openSocket(Instance& in) {
  // Backups must listen from the start: the socket (and its group membership) is opened
  // as soon as the interface and source address are known, not on the first send.
  if (in.ifindex == 0 || !in.primary)
    return;
  std::string error;
  const bool ok = socketFor(in, error);
  if (!ok)
    log::error("({}) {}", in.conf.name, error);
  // Without its socket an instance can neither hear a master nor advertise: it must not
  // take the addresses (a peer would see two masters), so it is in fault until it has one.
  if (ok == !in.socket_fault)
    return;
  in.socket_fault = !ok;
  in.socket_why = ok ? "" : "no VRRP socket (" + error + ")";
  if (!ok && error.find("not permitted") != std::string::npos)
    in.socket_why += ": vipd needs CAP_NET_RAW and CAP_NET_ADMIN";
  updateFault(in);
}

void VrrpRuntime::removeInstance(size_t idx) {
  index_dirty_ = true;
  Instance& in = *instances_[idx];
  handle(in, vrrp::Shutdown{});
  if (in.holding)
    setAddresses(in, false);
  tearDownVmac(in);
  std::erase_if(garps_, [&](const GarpBurst& g) { return g.in == &in; });
  instances_.erase(instances_.begin() + static_cast<std::ptrdiff_t>(idx));
  // Drop the removed instance's timer entries (they point at it).
  decltype(timers_) kept;
  while (!timers_.empty()) {
    auto e = timers_.top();
    timers_.pop();
    for (auto& other : instances_) {
      if (other.get() == e.second) {
        kept.push(e);
        break;
      }
    }
  }
  timers_ = std::move(kept);
}

void VrrpRuntime::bindInterface(Instance& in) {
  index_dirty_ = true;
  in.ifindex = 0;
  in.link_up = false;
  in.primary.reset();
  auto link = nl_.link(in.ifname);
  if (!link)
    return;
  in.ifindex = link->index;
  in.mac = link->mac;
  in.link_up = link->up;
  if (in.conf.use_vmac)
    setUpVmac(in);
  in.addresses.clear();
  const int vip_ifindex = in.vmac_ifindex ? in.vmac_ifindex : in.ifindex;
  auto add = [&](const conf::AddressEntry& e) {
    in.addresses.push_back(addressRequest(e, vip_ifindex, nl_));
  };
  for (const auto& e : in.conf.virtual_ipaddress)
    add(e);
  for (const auto& e : in.conf.virtual_ipaddress_excluded)
    add(e);
  planRoutes(in);
  // The source: unicast_src_ip / mcast_src_ip, else the interface's primary IPv4 address
  // (RFC 5798 5.1.1.1) or its IPv6 link-local address (5.1.2.1).
  if (in.conf.src_ip) {
    in.primary = in.conf.src_ip;
    return;
  }
  for (const auto& a : nl_.addresses(in.family)) {
    if (a.ifindex != in.ifindex || a.secondary || a.tentative)
      continue;
    if (in.family == Family::kInet6 && !a.prefix.addr.isLinkLocalV6())
      continue;
    // Our own VIPs are not a primary address.
    bool vip =
        std::any_of(in.conf.virtual_ipaddress.begin(), in.conf.virtual_ipaddress.end(),
                    [&](const conf::AddressEntry& e) { return e.prefix.addr == a.prefix.addr; });
    if (vip)
      continue;
    in.primary = a.prefix.addr;
    break;
  }
  // An IPv6 VMAC sends from the base's link-local address, which it must then carry itself
  // (its own would be derived from the shared VMAC, the same on every router). keepalived
  // does the same.
  if (in.primary && in.family == Family::kInet6 && vrrpIfindex(in) == in.vmac_ifindex &&
      in.vmac_ifindex) {
    sys::AddressRequest ll;
    ll.ifindex = in.vmac_ifindex;
    ll.prefix = IpPrefix{*in.primary, 64};
    ll.scope = RT_SCOPE_LINK;
    if (int err = nl_.addAddress(ll); err != 0 && err != EEXIST)
      log::error("({}) cannot add {} to {}: {}", in.conf.name, in.primary->str(), in.vmac_name,
                 std::strerror(err));
  }
}

// ------------------------------------------------------------------ sync groups

void VrrpRuntime::rebuildGroups() {
  groups_.clear();
  for (auto& in : instances_)
    in->sync = nullptr;
  for (const auto& gc : cfg_.sync_groups) {
    auto g = std::make_unique<Group>();
    g->conf = gc;
    for (const auto& name : gc.group) {
      for (auto& in : instances_) {
        if (in->conf.name == name) {
          in->sync = g.get();
          in->sync_index = g->members.size();
          g->members.push_back(in.get());
        }
      }
    }
    g->engine = std::make_unique<vrrp::SyncGroup>(gc.name, g->members.size());
    groups_.push_back(std::move(g));
  }
  for (auto& in : instances_)
    in->tracked = trackedFor(in->conf, in->sync);
}

void VrrpRuntime::startIfReady(Instance& in) {
  if (in.started)
    return;
  // keepalived holds an instance in INIT until its fault-only scripts have run once, so that
  // a dead service never makes it a backup (or master) even briefly.
  for (const auto& t : in.tracked) {
    const TrackerStatus* st = trackers_.status(t.key);
    if (t.weight == 0 && st && !st->known)
      return;
  }
  in.started = true;
  handle(in, vrrp::Startup{});
}

void VrrpRuntime::onTransition(Instance& in, const vrrp::Transition& t) {
  std::string state = notifyState(t);
  // An instance a reload removed: keepalived reports FAULT, or DELETED with notify_deleted.
  if (deleting_ && t.to == vrrp::State::kInit)
    state = in.conf.notify_deleted ? "DELETED" : "FAULT";
  std::string reason = std::string(vrrp::toString(t.reason));
  if (!t.detail.empty())
    reason += ": " + t.detail;
  // Notifications (script forks, FIFO writes, mail) wait until this event's protocol work,
  // and the sync-group moves it causes, are done: a fork must not delay a partner's advert.
  // The queue is flushed before handle() returns, while the instance still exists: a
  // pointer, not a copy of its whole configuration per transition (1000 at a mass failover).
  notify_queue_.push_back([this, c = &in.conf, state, prio = in.vr->priority(), reason] {
    notifier_.instance(*c, state, prio, reason);
  });
  if (syncd_ && in.conf.name == syncd_->conf().instance && !stopping_) {
    if (t.to == vrrp::State::kMaster)
      syncd_->master();
    else if (t.to == vrrp::State::kBackup || t.from == vrrp::State::kMaster)
      syncd_->backup();
  }
  if (followedByConntrack(in) && !stopping_ && !deleting_) {
    if (t.to == vrrp::State::kBackup)
      conntrack_->role(SyncRole::kBackup);
    else if (t.to == vrrp::State::kFault)
      conntrack_->role(SyncRole::kFault);
  }
  if (!in.sync)
    return;
  Group& g = *in.sync;
  if (t.reason != vrrp::Reason::kSyncGroup) {
    std::vector<vrrp::State> states;
    for (const auto* m : g.members)
      states.push_back(m == &in ? t.to : m->vr->state());
    for (auto& order : g.engine->onTransition(in.sync_index, t, states)) {
      log::info("VRRP_Group({}) Syncing {} to {} state", g.conf.name,
                g.members[order.member]->conf.name, state);
      pending_sync_.emplace_back(g.members[order.member], order.event);
    }
  }
  updateGroupState(g, reason);
}

void VrrpRuntime::updateGroupState(Group& g, const std::string& reason) {
  if (stopping_)
    return;  // the group's STOP follows its members' (stop())
  // A fault puts every member in FAULT (updateFault), one after the other: the group's line
  // follows its members' lines, as keepalived writes them.
  bool all_master = true, all_backup = true, all_fault = true;
  for (const auto* m : g.members) {
    const auto st = m->vr->state();
    all_master &= st == vrrp::State::kMaster;
    all_backup &= st == vrrp::State::kBackup;
    all_fault &= st == vrrp::State::kFault;
  }
  const std::string state = all_fault    ? "FAULT"
                            : all_master ? "MASTER"
                            : all_backup ? "BACKUP"
                                         : g.state;
  if (state == g.state || state.empty())
    return;
  g.state = state;
  log::info("VRRP_Group({}) Entering {} STATE", g.conf.name, state);
  notify_queue_.push_back(
      [this, c = &g.conf, state, reason] { notifier_.group(*c, state, reason); });
}

void VrrpRuntime::handle(Instance& in, const vrrp::Event& e) {
  handle(in, e, io::monotonicNow());
}

void VrrpRuntime::handle(Instance& in, const vrrp::Event& e, vrrp::Time now) {
  execute(in, in.vr->handle(e, now));
  // Members a sync group moves follow once this instance's own actions are done.
  while (!pending_sync_.empty()) {
    auto [m, ev] = pending_sync_.front();
    pending_sync_.erase(pending_sync_.begin());
    execute(*m, m->vr->handle(ev, io::monotonicNow()));
  }
  flushNotifications();
}

void VrrpRuntime::flushNotifications() {
  // In order: the FIFO lines keep keepalived's sequence.
  while (!notify_queue_.empty()) {
    auto batch = std::move(notify_queue_);
    notify_queue_.clear();
    for (auto& f : batch)
      f();
  }
}

void VrrpRuntime::execute(Instance& in, const vrrp::Actions& actions) {
  for (const auto& a : actions) {
    // A batch waits for nothing slow: a new master's first advert leaves before its
    // addresses are configured (netlink round trips) and its gratuitous ARPs.
    if (!std::holds_alternative<vrrp::SendAdvert>(a) && !std::holds_alternative<vrrp::ArmTimer>(a))
      flushAdverts();
    if (auto* s = std::get_if<vrrp::SendAdvert>(&a)) {
      sendAdvert(in, s->priority);
    } else if (std::holds_alternative<vrrp::TakeAddresses>(a)) {
      if (followedByConntrack(in))
        addressesAfterCommit(in);
      else
        setAddresses(in, true);
    } else if (std::holds_alternative<vrrp::ReleaseAddresses>(a)) {
      in.awaiting_commit = false;
      in.deferred_garps = 0;
      setAddresses(in, false);
    } else if (auto* g = std::get_if<vrrp::SendGarp>(&a)) {
      if (in.awaiting_commit)
        in.deferred_garps = std::max(in.deferred_garps, g->count);
      else
        sendGarps(in, g->count);
    } else if (auto* t = std::get_if<vrrp::Transition>(&a)) {
      ++in.counters.transitions;
      in.history.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count(),
                            t->from, t->to, std::string(vrrp::toString(t->reason)), t->detail});
      if (in.history.size() > 16)
        in.history.erase(in.history.begin());
      // keepalived's wording, so that existing log checks keep matching; then the reason.
      log::info("({}) Entering {} STATE ({}: {})", in.conf.name, vrrp::toString(t->to),
                vrrp::toString(t->reason), t->detail);
      onTransition(in, *t);
    } else if (auto* arm = std::get_if<vrrp::ArmTimer>(&a)) {
      in.deadline = arm->at;
      if (arm->at)
        timers_.push({*arm->at, &in});
    }
  }
}

void VrrpRuntime::onTimer() {
  SendBatch batch(*this);
  const auto now = io::monotonicNow();
  // Adverts due within the next 500 us go out in this wakeup (sent that much early at
  // worst, far inside any interval), so 1000 masters do not wake the loop 1000 times.
  // Backup timers are never run early: the master-down bound stays exact.
  constexpr vrrp::Micros kAdvertSlack{500};
  while (!timers_.empty()) {
    auto [at, in] = timers_.top();
    if (at > now && !(at <= now + kAdvertSlack && in->deadline == at &&
                      in->vr->state() == vrrp::State::kMaster)) {
      break;
    }
    timers_.pop();
    if (in->deadline != at)
      continue;  // superseded
    // An early advert is handled as of its deadline, so the engine sends it and keeps its
    // drift-free schedule.
    handle(*in, vrrp::Tick{}, std::max(now, at));
  }
  for (size_t i = 0; i < garps_.size();) {
    auto& g = garps_[i];
    if (g.at > now) {
      ++i;
      continue;
    }
    sendGarpRound(g);
    const vrrp::Micros spacing =
        g.in->family == Family::kInet ? global_.vrrp_garp_interval : global_.vrrp_gna_interval;
    if (g.remaining > 0) {
      g.at = now + spacing;
      ++i;
    } else {
      garps_.erase(garps_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  rearm();
}

void VrrpRuntime::rearm() {
  while (!timers_.empty() && timers_.top().second->deadline != timers_.top().first)
    timers_.pop();
  std::optional<vrrp::Time> next;
  if (!timers_.empty())
    next = timers_.top().first;
  for (const auto& g : garps_) {
    if (!next || g.at < *next)
      next = g.at;
  }
  loop_.setTimer(next);
}

std::vector<VrrpRuntime::InstanceView> VrrpRuntime::view() const {
  std::vector<InstanceView> out;
  const auto now = io::monotonicNow();
  out.reserve(instances_.size());
  for (const auto& in : instances_) {
    const auto& vr = *in->vr;
    const auto& st = vr.stats();
    InstanceView v;
    v.name = in->conf.name;
    v.ifname = in->ifname;
    v.family = in->family == Family::kInet ? "inet" : "inet6";
    v.sync_group = in->sync ? in->sync->conf.name : "";
    v.vrid = in->conf.virtual_router_id;
    v.version = conf::effectiveVersion(in->conf, global_);
    v.state = vr.state();
    v.priority = vr.priority();
    v.base_priority = in->plan.params.priority;
    v.master = vr.state() == vrrp::State::kMaster ? in->primary : vr.masterAddress();
    v.master_priority = vr.state() == vrrp::State::kMaster ? vr.priority() : vr.masterPriority();
    v.primary = in->primary;
    v.became_master = st.became_master;
    v.released_master = st.released_master;
    v.priority_zero_sent = st.priority_zero_sent;
    v.priority_zero_received = st.priority_zero_received;
    v.counters = in->counters;
    for (const auto& a : in->addresses)
      v.vips.push_back(describe(a));
    v.unicast = in->unicast;
    v.accept = !in->no_accept;
    v.preempt = vr.params().preempt;
    v.preempt_delay = vr.params().preempt_delay;
    v.faulted = in->fault;
    v.started = in->started;
    v.fault_why = in->fault ? in->fault_why : "";
    v.now = now;
    v.state_since = vr.stateSince();
    v.deadline = vr.deadline();
    v.preempt_at = vr.preemptAt();
    v.advert_interval = vr.params().advert_interval;
    v.master_adver_interval = vr.masterAdverInterval();
    v.master_down_interval = vr.masterDownInterval();
    for (const auto& t : in->tracked) {
      TrackerView tv{t.key, t.weight, t.reverse, {}};
      if (const TrackerStatus* s = trackers_.status(t.key))
        tv.status = *s;
      v.trackers.push_back(tv);
    }
    v.history.assign(in->history.begin(), in->history.end());
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace vipd::daemon
