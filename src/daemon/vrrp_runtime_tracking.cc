// VrrpRuntime: the trackers (interfaces, scripts, processes, files, BFD) and the faults they
// and the interfaces raise; effective priorities (vrrp_runtime_internal.h says the split).
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

void VrrpRuntime::refreshFault(Instance& in) {
  std::string why;
  if (in.ifindex == 0) {
    why = "interface " + in.ifname + " not found";
  } else if (!in.link_up) {
    why = "interface " + in.ifname + " down";
  } else if (!in.primary) {
    why = "no usable " + std::string(in.family == Family::kInet ? "IPv4" : "IPv6 link-local") +
          " address on " + in.ifname;
  }
  const bool fault =
      !why.empty() && !(in.conf.dont_track_primary && in.ifindex != 0 && !in.link_up && in.primary);
  if (!in.vr) {
    in.iface_fault = fault;
    in.iface_why = why;
    return;
  }
  // The engine's tie-break uses the primary address: rebuild it while it holds nothing.
  if (!fault && in.primary && *in.primary != in.vr->params().primary &&
      (in.vr->state() == vrrp::State::kFault || in.vr->state() == vrrp::State::kInit)) {
    in.plan = core::planInstance(in.conf, global_, *in.primary);
    in.advert.priority = -1;
    in.vr = std::make_unique<vrrp::VirtualRouter>(in.plan.params);
    in.fault = false;
    in.iface_fault = false;
    in.deadline.reset();
    log::info("({}) source address {}", in.conf.name, in.primary->str());
    openSocket(in);
    if (in.started) {
      in.started = false;
      updateTracking(in);
      startIfReady(in);
    }
    return;
  }
  if (!fault)
    openSocket(in);
  if (fault != in.iface_fault) {
    in.iface_fault = fault;
    in.iface_why = fault ? why : "interface " + in.ifname + " usable";
    updateFault(in);
  }
}

std::vector<VrrpRuntime::Tracked> VrrpRuntime::trackedFor(const conf::VrrpInstance& ic,
                                                          const Group* g) const {
  std::vector<Tracked> out;
  auto add = [&](const char* kind, const std::vector<conf::TrackRef>& refs, auto defaults) {
    for (const auto& r : refs) {
      conf::Weight w = r.weight ? *r.weight : defaults(r.name);
      const std::string key = std::string(kind) + " " + r.name;
      // keepalived: in a sync group, a weighted tracker cannot move one member's priority
      // without breaking the group, so it is ignored (unless sync_group_tracking_weight).
      if (g && w.value != 0 && !g->conf.sync_group_tracking_weight) {
        log::warning("({}) ignoring tracked {} with weights due to SYNC group {}", ic.name, key,
                     g->conf.name);
        continue;
      }
      out.push_back({key, w.value, w.reverse});
    }
  };
  auto script = [&](const std::string& n) {
    for (const auto& s : cfg_.vrrp_scripts)
      if (s.name == n)
        return s.weight;
    return conf::Weight{};
  };
  auto file = [&](const std::string& n) {
    for (const auto& f : cfg_.track_files)
      if (f.name == n)
        return f.weight;
    return conf::Weight{1, false};
  };
  auto process = [&](const std::string& n) {
    for (const auto& p : cfg_.track_processes)
      if (p.name == n)
        return p.weight;
    return conf::Weight{};
  };
  auto unweighted = [](const std::string&) { return conf::Weight{}; };
  for (const conf::SyncGroup* src :
       {static_cast<const conf::SyncGroup*>(nullptr), g ? &g->conf : nullptr}) {
    const auto& ti = src ? src->track_interface : ic.track_interface;
    const auto& ts = src ? src->track_script : ic.track_script;
    const auto& tf = src ? src->track_file : ic.track_file;
    const auto& tp = src ? src->track_process : ic.track_process;
    add("interface", ti, unweighted);
    add("script", ts, script);
    add("file", tf, file);
    add("process", tp, process);
    if (!g)
      break;
  }
  return out;
}

void VrrpRuntime::configureTrackers() {
  std::set<std::string> keys;
  for (const auto& in : instances_) {
    for (const auto& t : in->tracked)
      keys.insert(t.key);
  }
  trackers_.configure(cfg_, keys);
}

void VrrpRuntime::onTrackerChange(const std::string& key) {
  for (auto& in : instances_) {
    bool uses = std::any_of(in->tracked.begin(), in->tracked.end(),
                            [&](const Tracked& t) { return t.key == key; });
    if (!uses)
      continue;
    updateTracking(*in);
    startIfReady(*in);
  }
  rearm();
}

void VrrpRuntime::updateTracking(Instance& in) {
  std::vector<vrrp::TrackerInput> inputs;
  for (const auto& t : in.tracked) {
    const TrackerStatus* st = trackers_.status(t.key);
    vrrp::TrackerInput ti;
    ti.name = t.key;
    ti.weight = t.weight;
    ti.reverse = t.reverse;
    if (st) {
      ti.up = st->up;
      ti.file_value = st->value;
    } else {
      ti.up = false;  // configured but not running (unknown name): not healthy
    }
    inputs.push_back(ti);
  }
  const auto ep = vrrp::effectivePriority(in.plan.params.priority, inputs);
  if (ep.priority != in.vr->priority()) {
    log::info("({}) Changing effective priority from {} to {}", in.conf.name, in.vr->priority(),
              ep.priority);
    handle(in, vrrp::PriorityChanged{ep.priority});
    if (in.started)
      notifier_.priorityChanged(in.conf, in.vr->state() == vrrp::State::kMaster, ep.priority);
  }
  std::string why;
  for (const auto& f : ep.faulting) {
    const TrackerStatus* st = trackers_.status(f);
    why += (why.empty() ? "" : ", ") + f + (st && !st->detail.empty() ? " " + st->detail : "");
  }
  if (ep.fault != in.track_fault || (ep.fault && why != in.track_why)) {
    in.track_fault = ep.fault;
    in.track_why = ep.fault ? why : "trackers ok";
    updateFault(in);
  }
}

void VrrpRuntime::updateFault(Instance& in) {
  auto own = [](const Instance& m) { return m.iface_fault || m.socket_fault || m.track_fault; };
  auto ownWhy = [](const Instance& m) {
    return m.iface_fault    ? m.iface_why
           : m.socket_fault ? m.socket_why
           : m.track_fault  ? m.track_why
                            : "";
  };
  std::vector<Instance*> targets{&in};
  std::string group_why;
  if (in.sync) {
    // The member whose own state changed first, then the others (keepalived's order).
    for (Instance* m : in.sync->members) {
      if (m != &in)
        targets.push_back(m);
    }
    for (const auto* m : in.sync->members) {
      if (own(*m)) {
        group_why = "sync group " + in.sync->conf.name + ": (" + m->conf.name + ") " + ownWhy(*m);
        break;
      }
    }
  }
  for (Instance* m : targets) {
    const bool fault = own(*m) || !group_why.empty();
    if (fault == m->fault)
      continue;
    m->fault = fault;
    m->fault_why = own(*m) ? ownWhy(*m) : fault ? group_why : m->iface_why;
    if (!fault)
      m->fault_why = m->iface_fault ? m->iface_why : "no fault";
    handle(*m, vrrp::FaultChanged{fault, m->fault_why});
  }
}

}  // namespace vipd::daemon
