#include "proto/vrrp/fsm.h"

#include <algorithm>
#include <utility>

#include "proto/vrrp/timers.h"

namespace vipd::vrrp {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string ms(Micros d) {
  auto us = d.count();
  return std::to_string(us / 1000) + "." + std::to_string((us % 1000) / 100) + " ms";
}

std::string from(const AdvertIn& a) {
  return "advert from " + a.src.str() + " priority " + std::to_string(a.priority);
}

}  // namespace

std::string_view toString(State s) {
  switch (s) {
    case State::kInit:
      return "INIT";
    case State::kBackup:
      return "BACKUP";
    case State::kMaster:
      return "MASTER";
    case State::kFault:
      return "FAULT";
  }
  return "?";
}

std::string_view toString(Reason r) {
  switch (r) {
    case Reason::kStartupOwner:
      return "startup_owner";
    case Reason::kStartup:
      return "startup";
    case Reason::kMasterDown:
      return "master_down";
    case Reason::kPreempt:
      return "preempt";
    case Reason::kPriorityZero:
      return "priority_zero";
    case Reason::kHigherPriority:
      return "higher_priority";
    case Reason::kEqualPriorityHigherAddress:
      return "equal_priority_higher_address";
    case Reason::kFault:
      return "fault";
    case Reason::kFaultCleared:
      return "fault_cleared";
    case Reason::kSyncGroup:
      return "sync_group";
    case Reason::kShutdown:
      return "shutdown";
  }
  return "?";
}

VirtualRouter::VirtualRouter(RouterParams p)
    : p_(std::move(p)), priority_(p_.priority), master_adver_interval_(p_.advert_interval) {}

Micros VirtualRouter::masterDownInterval() const {
  return vrrp::masterDownInterval(p_.version, priority_, master_adver_interval_,
                                  p_.down_timer_adverts);
}

std::optional<Time> VirtualRouter::deadline() const {
  std::optional<Time> d;
  for (const auto& t : {protocol_timer_, garp_timer_, lower_prio_garp_at_}) {
    if (t && (!d || *t < *d))
      d = t;
  }
  return d;
}

Actions VirtualRouter::handle(const Event& e, Time now) {
  Actions out;
  now_ = now;
  const auto before = deadline();
  std::visit(Overloaded{
                 [&](const Startup&) { onStartup(now, out); },
                 [&](const Shutdown&) { onShutdown(out); },
                 [&](const AdvertIn& a) { onAdvert(a, now, out); },
                 [&](const Tick&) { onTick(now, out); },
                 [&](const PriorityChanged& c) {
                   // The owner's priority is immutable (RFC 5798 6.1: 255 is reserved for it).
                   if (!isOwner())
                     priority_ = std::clamp(c.priority, 1, 254);
                 },
                 [&](const FaultChanged& f) { onFault(f, now, out); },
                 [&](const SyncTo& s) { onSync(s, now, out); },
             },
             e);
  if (deadline() != before)
    out.push_back(ArmTimer{deadline()});
  return out;
}

void VirtualRouter::onStartup(Time now, Actions& out) {
  if (state_ != State::kInit)
    return;
  master_adver_interval_ = p_.advert_interval;  // RFC 5798 6.4.1 (v3); v2 never changes it
  master_addr_.reset();
  if (p_.preempt_delay.count() > 0)
    preempt_at_ = now + p_.preempt_delay;
  if (fault_) {
    becomeFault(fault_why_, out);
  } else if (isOwner()) {
    // RFC 5798 6.4.1: the owner sends an advert, announces its addresses, and is master.
    becomeMaster(Reason::kStartupOwner, "priority 255 (address owner)", now, out);
  } else {
    // RFC 5798 6.4.1: everyone else waits Master_Down_Interval as backup.
    becomeBackup(Reason::kStartup, "waiting " + ms(masterDownInterval()) + " for a master", now,
                 out);
  }
}

void VirtualRouter::onShutdown(Actions& out) {
  if (state_ == State::kMaster) {
    // RFC 5798 6.4.3 Shutdown: cancel Adver_Timer and send priority 0, so that a backup takes
    // over after its Skew_Time rather than a full Master_Down_Interval.
    sendAdvert(0, out);
    out.push_back(ReleaseAddresses{});
    ++stats_.released_master;
  }
  if (state_ != State::kInit) {
    transition(State::kInit, Reason::kShutdown,
               state_ == State::kMaster ? "released with priority 0" : "stopped", out);
  }
  protocol_timer_.reset();
  garp_timer_.reset();
  lower_prio_garp_at_.reset();
  preempt_at_.reset();
}

void VirtualRouter::onAdvert(const AdvertIn& a, Time now, Actions& out) {
  ++stats_.adverts_received;
  if (a.priority == 0)
    ++stats_.priority_zero_received;
  if (state_ == State::kBackup) {
    if (a.priority == 0) {
      // RFC 5798 6.4.2: the master is leaving; take over after Skew_Time only.
      protocol_timer_ = now + skewTime(p_.version, priority_, master_adver_interval_);
      down_is_release_ = true;
      down_is_preempt_ = false;
      return;
    }
    const bool preempt = p_.preempt || isOwner();  // the owner always preempts (RFC 5798 6.1)
    if (!preempt || a.priority >= priority_) {
      // RFC 5798 6.4.2: accept this master. v3 learns its interval (RFC 9568 6.4.2).
      if (p_.version == 3 && a.interval.count() > 0)
        master_adver_interval_ = a.interval;
      master_addr_ = a.src;
      master_priority_ = a.priority;
      if (a.priority >= priority_)
        preempt_at_.reset();
      startDownTimer(now);
      return;
    }
    // A lower-priority master and we preempt. keepalived's preempt_delay holds preemption
    // until `preempt_delay` after startup or after first seeing this lower priority.
    master_addr_ = a.src;
    master_priority_ = a.priority;
    if (p_.preempt_delay.count() > 0) {
      if (!preempt_at_)
        preempt_at_ = now + p_.preempt_delay;
      if (now < *preempt_at_) {
        protocol_timer_ = std::min(now + masterDownInterval(), *preempt_at_);
        down_is_preempt_ = true;
        down_is_release_ = false;
        return;
      }
    }
    // RFC 5798 6.4.2: discard. The down timer keeps running and fires: preemption.
    down_is_preempt_ = true;
    return;
  }
  if (state_ != State::kMaster)
    return;  // Init and Fault ignore adverts

  if (a.priority == 0) {
    // RFC 5798 6.4.3: someone released; assert ourselves at once.
    sendAdvert(priority_, out);
    protocol_timer_ = now + p_.advert_interval;
    return;
  }
  const bool higher = a.priority > priority_;
  const bool tie_won = a.priority == priority_ && a.src > p_.primary;
  if (higher || tie_won) {
    // RFC 5798 6.4.3: yield. keepalived's higher_prio_send_advert sends one more advert first
    // so that a split brain heals on both sides at once.
    if (p_.higher_prio_send_advert)
      sendAdvert(priority_, out);
    if (p_.version == 3 && a.interval.count() > 0)
      master_adver_interval_ = a.interval;
    master_addr_ = a.src;
    master_priority_ = a.priority;
    std::string detail =
        from(a) + (higher ? " > " + std::to_string(priority_)
                          : " == ours, address " + a.src.str() + " > " + p_.primary.str());
    out.push_back(ReleaseAddresses{});
    ++stats_.released_master;
    becomeBackup(higher ? Reason::kHigherPriority : Reason::kEqualPriorityHigherAddress,
                 std::move(detail), now, out);
    return;
  }
  if (a.priority == priority_ && a.src == p_.primary)
    return;  // our own advert, looped back
  // Lower priority (or equal with a lower address). RFC 9568 6.4.3: re-advertise at once
  // (not resetting Adver_Timer); keepalived's lower_prio_no_advert keeps RFC 5798's silence.
  ++stats_.lower_priority_received;
  if (!p_.lower_prio_no_advert)
    sendAdvert(priority_, out);
  // A lower-priority advert after a quiet spell (none for a Master_Down_Interval) marks a
  // new overlap: another router was master too (a partition that healed) or yields to us
  // now. Clients may still hold its MAC, so the neighbours are refreshed at once; while the
  // overlap lasts, at most one burst per garp_lower_prio_delay (keepalived's rate).
  const bool new_overlap =
      !last_lower_prio_rx_ || now - *last_lower_prio_rx_ > masterDownInterval();
  last_lower_prio_rx_ = now;
  if (p_.garp_lower_prio_repeat > 0 && (new_overlap || !last_lower_prio_garp_ ||
                                        now - *last_lower_prio_garp_ >= p_.garp_lower_prio_delay)) {
    last_lower_prio_garp_ = now;
    garp(p_.garp_lower_prio_repeat, out);
    // keepalived's second set, garp_lower_prio_delay later. It matters when the lower-priority
    // router has only just become master: its own GARPs reached the clients a moment before
    // ours, and Linux ignores an ARP update within locktime (1 s) of the entry's last change
    // (net/ipv4/arp.c), so without a later burst the clients keep the yielded router's MAC.
    if (p_.garp_lower_prio_delay.count() > 0)
      lower_prio_garp_at_ = now + p_.garp_lower_prio_delay;
  }
}

void VirtualRouter::onTick(Time now, Actions& out) {
  if (state_ == State::kBackup && protocol_timer_ && now >= *protocol_timer_) {
    Reason r = down_is_release_   ? Reason::kPriorityZero
               : down_is_preempt_ ? Reason::kPreempt
                                  : Reason::kMasterDown;
    std::string detail;
    if (r == Reason::kPriorityZero) {
      detail = "master " + (master_addr_ ? master_addr_->str() : std::string("?")) +
               " released (priority 0), skew " +
               ms(skewTime(p_.version, priority_, master_adver_interval_));
    } else if (r == Reason::kPreempt) {
      detail = "preempting " + (master_addr_ ? master_addr_->str() : std::string("?")) +
               " priority " + std::to_string(master_priority_) + " < " + std::to_string(priority_);
    } else {
      detail = "no advert for " + ms(masterDownInterval());
    }
    becomeMaster(r, std::move(detail), now, out);
    return;
  }
  if (state_ != State::kMaster)
    return;
  if (protocol_timer_ && now >= *protocol_timer_) {
    // RFC 5798 6.4.3 Adver_Timer: advertise and re-arm from the scheduled time, so that a
    // late wake-up does not shift every later advert; re-base only when far behind.
    sendAdvert(priority_, out);
    *protocol_timer_ += p_.advert_interval;
    if (*protocol_timer_ <= now)
      protocol_timer_ = now + p_.advert_interval;
  }
  if (lower_prio_garp_at_ && now >= *lower_prio_garp_at_) {
    lower_prio_garp_at_.reset();
    last_lower_prio_garp_ = now;
    garp(p_.garp_lower_prio_repeat, out);
  }
  if (garp_timer_ && now >= *garp_timer_) {
    if (second_burst_pending_) {
      second_burst_pending_ = false;
      garp(p_.garp_master_repeat, out);
    } else {
      garp(p_.garp_master_refresh_repeat, out);
    }
    garp_timer_.reset();
    if (p_.garp_master_refresh.count() > 0)
      garp_timer_ = now + p_.garp_master_refresh;
  }
}

void VirtualRouter::onFault(const FaultChanged& f, Time now, Actions& out) {
  if (f.fault == fault_)
    return;
  fault_ = f.fault;
  fault_why_ = f.why;
  if (state_ == State::kInit)
    return;  // remembered for Startup
  if (fault_) {
    if (state_ == State::kMaster) {
      // Tell the backups at once rather than making them wait Master_Down_Interval.
      sendAdvert(0, out);
      out.push_back(ReleaseAddresses{});
      ++stats_.released_master;
    }
    becomeFault(f.why, out);
  } else if (isOwner()) {
    becomeMaster(Reason::kFaultCleared, f.why, now, out);
  } else {
    becomeBackup(Reason::kFaultCleared, f.why, now, out);
  }
}

void VirtualRouter::onSync(const SyncTo& s, Time now, Actions& out) {
  if (fault_)
    return;
  if (s.state == State::kMaster && state_ == State::kBackup) {
    becomeMaster(Reason::kSyncGroup, s.why, now, out);
  } else if (s.state == State::kBackup && state_ == State::kMaster) {
    out.push_back(ReleaseAddresses{});
    ++stats_.released_master;
    becomeBackup(Reason::kSyncGroup, s.why, now, out);
  }
}

void VirtualRouter::becomeMaster(Reason r, std::string detail, Time now, Actions& out) {
  transition(State::kMaster, r, std::move(detail), out);
  ++stats_.became_master;
  // RFC 5798 6.4.2: advertise, then announce every address (GARP / unsolicited NA).
  out.push_back(TakeAddresses{});
  sendAdvert(priority_, out);
  garp(p_.garp_master_repeat, out);
  protocol_timer_ = now + p_.advert_interval;
  master_adver_interval_ = p_.advert_interval;
  master_addr_ = p_.primary;
  master_priority_ = priority_;
  preempt_at_.reset();
  down_is_preempt_ = down_is_release_ = false;
  second_burst_pending_ = p_.garp_master_delay.count() > 0;
  garp_timer_.reset();
  if (second_burst_pending_) {
    garp_timer_ = now + p_.garp_master_delay;
  } else if (p_.garp_master_refresh.count() > 0) {
    garp_timer_ = now + p_.garp_master_refresh;
  }
}

void VirtualRouter::becomeBackup(Reason r, std::string detail, Time now, Actions& out) {
  transition(State::kBackup, r, std::move(detail), out);
  garp_timer_.reset();
  lower_prio_garp_at_.reset();
  second_burst_pending_ = false;
  startDownTimer(now);
}

void VirtualRouter::becomeFault(std::string detail, Actions& out) {
  transition(State::kFault, Reason::kFault, std::move(detail), out);
  protocol_timer_.reset();
  garp_timer_.reset();
  lower_prio_garp_at_.reset();
  second_burst_pending_ = false;
  master_addr_.reset();
}

void VirtualRouter::transition(State to, Reason r, std::string detail, Actions& out) {
  out.push_back(Transition{state_, to, r, std::move(detail)});
  state_ = to;
  state_since_ = now_;
}

void VirtualRouter::sendAdvert(int priority, Actions& out) {
  ++stats_.adverts_sent;
  if (priority == 0)
    ++stats_.priority_zero_sent;
  out.push_back(SendAdvert{priority});
}

void VirtualRouter::garp(int count, Actions& out) {
  if (count <= 0)
    return;
  ++stats_.garp_bursts;
  out.push_back(SendGarp{count});
}

void VirtualRouter::startDownTimer(Time now) {
  protocol_timer_ = now + masterDownInterval();
  down_is_preempt_ = down_is_release_ = false;
}

}  // namespace vipd::vrrp
