// VrrpRuntime: the VIPs, virtual routes and rules, GARPs / unsolicited NAs, interface and
// address events, and the connection sync that gates a new master's VIPs
// (vrrp_runtime_internal.h says the split).
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "conf/resolve.h"
#include "daemon/kernel_plan.h"
#include "daemon/vrrp_runtime.h"
#include "daemon/vrrp_runtime_internal.h"
#include "proto/vrrp/announce.h"
#include "proto/vrrp/ipv4.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/priority.h"
#include "proto/vrrp/receive.h"
#include "proto/vrrp/timers.h"

namespace vipd::daemon {

void VrrpRuntime::setAddresses(Instance& in, bool add) {
  if (!add && stopping_ && dont_release_) {  // -V: the addresses stay after we exit
    in.holding = false;
    return;
  }
  if (!add)
    setRoutes(in, false);  // routes may use the VIPs: they go first
  for (const auto& r : in.addresses) {
    if (r.ifindex == 0)
      continue;
    // no_accept: the drop rule is in place before the address exists and stays until it
    // is gone, so there is no moment when the address accepts traffic.
    if (add && in.no_accept)
      filter(in, r.prefix.addr, true);
    int err = add ? nl_.addAddress(r) : nl_.deleteAddress(r);
    if (!add && in.no_accept)
      filter(in, r.prefix.addr, false);
    if (err == 0 || (add && err == EEXIST) || (!add && err == EADDRNOTAVAIL))
      continue;
    ++in.counters.address_errors;
    log::error("({}) cannot {} {}: {}", in.conf.name, add ? "add" : "remove", describe(r),
               std::strerror(err));
  }
  if (add)
    setRoutes(in, true);
  in.holding = add;
}

void VrrpRuntime::configureConntrack() {
  const auto& want = global_.conntrack_sync;
  if (conntrack_) {
    conntrack_->reconfigure(want);
  } else if (want) {
    conntrack_ = std::make_unique<ConntrackSync>(loop_, scripts_, *want);
    conntrack_->start();
  }
}

void VrrpRuntime::configureSyncd(const std::vector<conf::VrrpInstance>& incoming) {
  const auto& want = global_.lvs_sync_daemon;
  if (!want) {
    syncd_.reset();  // a reload removed it: the daemons stop
    return;
  }
  // The VRID of the new configuration's instance (the default syncid).
  int vrid = 0;
  for (const auto& ic : incoming)
    vrid = ic.name == want->instance ? ic.virtual_router_id : vrid;
  if (syncd_ && syncd_->conf() == *want && syncd_->vrid() == vrid)
    return;
  syncd_.reset();  // keepalived too restarts the daemons when their settings change
  syncd_ = std::make_unique<IpvsSyncd>(*want, vrid);
  for (const auto& in : instances_) {
    if (in->conf.name != want->instance || !in->vr)
      continue;
    if (in->vr->state() == vrrp::State::kMaster)
      syncd_->master();
    else if (in->vr->state() != vrrp::State::kInit)
      syncd_->backup();
  }
}

bool VrrpRuntime::followedByConntrack(const Instance& in) const {
  if (!conntrack_ || !conntrack_->active())
    return false;
  const std::string& name = conntrack_->conf().instance;
  if (in.conf.name == name)
    return true;
  if (!in.sync)
    return false;
  return std::any_of(in.sync->members.begin(), in.sync->members.end(),
                     [&](const Instance* m) { return m->conf.name == name; });
}

void VrrpRuntime::addressesAfterCommit(Instance& in) {
  // The adverts already go out (the peers see a master); the VIPs, and with them the
  // clients' and real servers' packets, come once the peer's connections are in our
  // conntrack table. A later release (ReleaseAddresses) cancels the wait.
  in.awaiting_commit = true;
  conntrack_->commit([this, name = in.conf.name] {
    for (auto& p : instances_) {
      Instance& i = *p;
      if (i.conf.name != name || !i.awaiting_commit)
        continue;
      i.awaiting_commit = false;
      setAddresses(i, true);
      if (i.deferred_garps > 0)
        sendGarps(i, std::exchange(i.deferred_garps, 0));
    }
  });
}

void VrrpRuntime::planRoutes(Instance& in) {
  const std::string who = "(" + in.conf.name + ")";
  in.routes = routeRequests(in.conf.virtual_routes, nl_, who);
  in.rules = ruleRequests(in.conf.virtual_rules, who);
}

void VrrpRuntime::setRoutes(Instance& in, bool add) {
  applyRoutes(nl_, KernelPlan{{}, in.routes, in.rules}, add, "(" + in.conf.name + ")");
}

void VrrpRuntime::filter(Instance& in, const IpAddress& a, bool block) {
  auto err = block ? accept_filter_.block(a) : accept_filter_.unblock(a);
  if (!err.empty())
    log::error("({}) no_accept for {}: {}", in.conf.name, a.str(), err);
}

void VrrpRuntime::sendGarps(Instance& in, int count) {
  // One round is a GARP (IPv4) or unsolicited NA (IPv6) per address; `count` rounds, spaced
  // by vrrp_garp_interval / vrrp_gna_interval (keepalived's, for switches that rate-limit
  // them), the first at once. The frames are built once per burst.
  GarpBurst burst;
  burst.in = &in;
  burst.remaining = count;
  for (const auto& r : in.addresses) {
    if (r.ifindex == 0)
      continue;
    sys::Mac mac = in.mac;
    if (r.ifindex != in.ifindex) {
      if (auto l = nl_.link(r.ifindex))
        mac = l->mac;
    }
    if (r.prefix.addr.isV4()) {
      burst.frames.emplace_back(r.ifindex, vrrp::gratuitousArp(mac, r.prefix.addr));
      continue;
    }
    std::optional<IpAddress> ll;
    if (in.family == Family::kInet6 && r.ifindex == in.ifindex)
      ll = in.primary;
    for (const auto& a : nl_.addresses(Family::kInet6)) {
      if (ll)
        break;
      if (a.ifindex == r.ifindex && a.prefix.addr.isLinkLocalV6())
        ll = a.prefix.addr;
    }
    if (ll)
      burst.frames.emplace_back(r.ifindex, vrrp::unsolicitedNa(mac, *ll, r.prefix.addr, false));
  }
  const vrrp::Micros spacing =
      in.family == Family::kInet ? global_.vrrp_garp_interval : global_.vrrp_gna_interval;
  while (burst.remaining > 0) {
    sendGarpRound(burst);
    if (spacing.count() > 0 && burst.remaining > 0) {
      burst.at = io::monotonicNow() + spacing;
      garps_.push_back(std::move(burst));
      return;
    }
  }
}

void VrrpRuntime::sendGarpRound(GarpBurst& b) {
  flushAdverts();  // RFC 5798 6.4.1: the advert goes before the gratuitous ARPs
  --b.remaining;
  for (const auto& [ifindex, frame] : b.frames) {
    auto ps = packet_sockets_.find(ifindex);
    if (ps == packet_sockets_.end()) {
      std::string error;
      auto s = sys::PacketSocket::open(ifindex, error);
      if (!s) {
        log::error("({}) {}", b.in->conf.name, error);
        continue;
      }
      ps = packet_sockets_.emplace(ifindex, std::move(*s)).first;
    }
    if (ps->second.send(frame) == 0)
      ++b.in->counters.garps_sent;
  }
}

void VrrpRuntime::onLink(const sys::LinkEvent& e) {
  index_dirty_ = true;
  trackers_.linkChanged(e.link, e.deleted);
  for (auto& in : instances_) {
    if (e.link.name != in->ifname && e.link.index != in->ifindex)
      continue;
    if (e.deleted) {
      in->ifindex = 0;
      in->link_up = false;
    } else if (in->ifindex != e.link.index || in->link_up != e.link.up) {
      const bool was_missing = in->ifindex == 0;
      in->ifindex = e.link.index;
      in->mac = e.link.mac;
      in->link_up = e.link.up;
      if (was_missing)
        bindInterface(*in);
      log::info("({}) interface {} {}", in->conf.name, in->ifname, e.link.up ? "up" : "down");
    }
    refreshFault(*in);
  }
  rearm();
}

void VrrpRuntime::onAddress(const sys::AddressEvent& e) {
  for (auto& in : instances_) {
    if (e.address.ifindex != in->ifindex && in->ifindex != 0) {
      // A VIP may live on another device (`dev`).
      bool ours =
          std::any_of(in->addresses.begin(), in->addresses.end(),
                      [&](const sys::AddressRequest& r) { return r.ifindex == e.address.ifindex; });
      if (!ours)
        continue;
    }
    auto vip =
        std::find_if(in->addresses.begin(), in->addresses.end(), [&](const sys::AddressRequest& r) {
          return r.ifindex == e.address.ifindex && r.prefix.addr == e.address.prefix.addr;
        });
    if (vip != in->addresses.end()) {
      if (e.deleted && in->holding) {
        // Someone removed a VIP while we are master: put it back and tell the LAN again.
        ++in->counters.addresses_restored;
        log::warning("({}) {} was removed from the interface; restoring it", in->conf.name,
                     describe(*vip));
        if (int err = nl_.addAddress(*vip); err != 0 && err != EEXIST)
          log::error("({}) cannot restore {}: {}", in->conf.name, describe(*vip),
                     std::strerror(err));
        sendGarps(*in, 1);
      }
      continue;
    }
    if (e.address.ifindex != in->ifindex)
      continue;
    // A source address appeared or went away.
    const bool lost =
        e.deleted && in->primary && *in->primary == e.address.prefix.addr && !in->conf.src_ip;
    if (lost || (!e.deleted && !in->primary)) {
      bindInterface(*in);
      refreshFault(*in);
    }
  }
  rearm();
}

}  // namespace vipd::daemon
