#include "sim/lan.h"

#include <utility>

#include "proto/vrrp/timers.h"

namespace vipd::sim {
namespace {

IpAddress groupAddress(const IpAddress& src) {
  // RFC 5798 5.1.1.2 / 5.1.2.2: 224.0.0.18 and ff02::12.
  return *IpAddress::parse(src.isV4() ? "224.0.0.18" : "ff02::12");
}

}  // namespace

Lan::Lan(uint64_t seed) : rng_(seed), drops_(static_cast<size_t>(vrrp::DropReason::kCount), 0) {}

size_t Lan::add(RouterSpec spec) {
  vrrp::VirtualRouter vr(spec.params);
  routers_.push_back(
      Node{std::move(spec), std::move(vr), false, std::nullopt, std::nullopt, false, ""});
  return routers_.size() - 1;
}

std::optional<size_t> Lan::find(const std::string& n) const {
  for (size_t i = 0; i < routers_.size(); ++i) {
    if (routers_[i].spec.name == n)
      return i;
  }
  return std::nullopt;
}

void Lan::setDelay(Micros base, Micros jitter) {
  delay_ = base;
  jitter_ = jitter;
}

void Lan::setLoss(double p) {
  loss_ = p;
}

void Lan::partition(const std::vector<std::set<size_t>>& groups) {
  group_of_.clear();
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t r : groups[g])
      group_of_[r] = g;
  }
  note(0, LogEntry::Kind::kNote, "network partitioned");
}

void Lan::heal() {
  group_of_.clear();
  note(0, LogEntry::Kind::kNote, "network healed");
}

bool Lan::canHear(size_t a, size_t b) const {
  if (routers_[a].spec.segment != routers_[b].spec.segment)
    return false;
  if (group_of_.empty())
    return true;
  auto ga = group_of_.find(a), gb = group_of_.find(b);
  // A router left out of every group is isolated.
  return ga != group_of_.end() && gb != group_of_.end() && ga->second == gb->second;
}

void Lan::start(size_t r) {
  Node& n = routers_.at(r);
  if (n.running)
    return;
  n.vr = vrrp::VirtualRouter(n.spec.params);  // a fresh process
  n.running = true;
  n.timer.reset();
  n.last_heard.reset();
  note(r, LogEntry::Kind::kNote, "started");
  if (n.fault)
    apply(r, n.vr.handle(vrrp::FaultChanged{true, n.fault_why}, now_));
  apply(r, n.vr.handle(vrrp::Startup{}, now_));
}

void Lan::stop(size_t r) {
  Node& n = routers_.at(r);
  if (!n.running)
    return;
  note(r, LogEntry::Kind::kNote, "stopped");
  apply(r, n.vr.handle(vrrp::Shutdown{}, now_));
  n.running = false;
  n.timer.reset();
}

void Lan::kill(size_t r) {
  Node& n = routers_.at(r);
  if (!n.running)
    return;
  note(r, LogEntry::Kind::kNote, "killed");
  n.running = false;
  n.timer.reset();
}

void Lan::setPriority(size_t r, int priority) {
  Node& n = routers_.at(r);
  note(r, LogEntry::Kind::kNote, "priority " + std::to_string(priority));
  n.spec.params.priority = n.vr.isOwner() ? 255 : priority;  // a restart keeps it
  if (n.running)
    apply(r, n.vr.handle(vrrp::PriorityChanged{priority}, now_));
}

void Lan::setFault(size_t r, bool fault, const std::string& why) {
  Node& n = routers_.at(r);
  note(r, LogEntry::Kind::kFault, (fault ? "fault: " : "fault cleared: ") + why);
  n.fault = fault;
  n.fault_why = why;
  if (n.running)
    apply(r, n.vr.handle(vrrp::FaultChanged{fault, why}, now_));
}

void Lan::push(Pending p) {
  p.seq = seq_++;
  queue_.push(std::move(p));
}

void Lan::apply(size_t r, const vrrp::Actions& actions) {
  Node& n = routers_[r];
  for (const auto& a : actions) {
    if (auto* s = std::get_if<vrrp::SendAdvert>(&a)) {
      send(r, s->priority);
    } else if (auto* t = std::get_if<vrrp::Transition>(&a)) {
      note(r, LogEntry::Kind::kTransition, t->detail, *t);
    } else if (auto* arm = std::get_if<vrrp::ArmTimer>(&a)) {
      n.timer = arm->at;
      if (arm->at)
        push(Pending{*arm->at, 0, Pending::Kind::kTimer, r, 0, {}});
    }
    // Addresses and GARPs have no effect on the simulated wire.
  }
}

void Lan::send(size_t r, int priority) {
  const Node& n = routers_[r];
  if (!n.running)
    return;
  vrrp::Advert ad;
  ad.version = n.spec.params.version;
  ad.vrid = n.spec.params.vrid;
  ad.priority = static_cast<uint8_t>(priority);
  ad.interval = vrrp::wireInterval(ad.version, n.spec.params.advert_interval);
  ad.auth_type = ad.version == 2 ? n.spec.rx.auth_type : vrrp::AuthType::kNone;
  if (ad.auth_type == vrrp::AuthType::kPass)
    ad.auth_data = vrrp::passwordBytes(n.spec.rx.auth_pass);
  ad.addrs = n.spec.rx.addrs;
  const IpAddress& src = n.spec.params.primary;
  auto bytes = vrrp::encode(ad, {src, groupAddress(src), false});
  ++adverts_on_wire_;
  std::uniform_real_distribution<double> coin(0, 1);
  for (size_t o = 0; o < routers_.size(); ++o) {
    if (o == r || !canHear(r, o))
      continue;
    if (loss_ > 0 && coin(rng_) < loss_)
      continue;
    Micros d = delay_;
    if (jitter_.count() > 0) {
      std::uniform_int_distribution<int64_t> j(0, jitter_.count());
      d += Micros(j(rng_));
    }
    push(Pending{now_ + d, 0, Pending::Kind::kDeliver, o, r, bytes});
  }
}

void Lan::deliver(const Pending& p) {
  Node& n = routers_[p.router];
  if (!n.running)
    return;
  const IpAddress& src = routers_[p.sender].spec.params.primary;
  auto decoded = vrrp::decode(p.bytes, vrrp::RxMeta{src, groupAddress(src), 255, true});
  auto drop = [&](vrrp::DropReason why, bool log) {
    ++drops_[static_cast<size_t>(why)];
    if (log)
      note(p.router, LogEntry::Kind::kDrop, std::string(vrrp::toString(why)));
  };
  if (auto* why = std::get_if<vrrp::DropReason>(&decoded))
    return drop(*why, true);
  const auto& ad = std::get<vrrp::Decoded>(decoded).advert;
  // Another virtual router on the segment: the receiver has no instance for it.
  if (ad.vrid != n.spec.rx.vrid)
    return drop(vrrp::DropReason::kUnknownVrid, false);
  auto verdict = vrrp::checkAgainstInstance(ad, src, n.spec.rx);
  if (verdict.drop)
    return drop(*verdict.drop, true);
  if (ad.priority > 0)
    n.last_heard = now_;
  vrrp::AdvertIn in{src, ad.priority, vrrp::fromWireInterval(ad.version, ad.interval)};
  apply(p.router, n.vr.handle(in, now_));
}

void Lan::runUntil(Time t) {
  while (!queue_.empty() && queue_.top().at <= t) {
    Pending p = queue_.top();
    queue_.pop();
    now_ = p.at;
    if (p.kind == Pending::Kind::kDeliver) {
      deliver(p);
      continue;
    }
    Node& n = routers_[p.router];
    // Only the most recently armed deadline counts; earlier ones were superseded.
    if (!n.running || n.timer != p.at)
      continue;
    apply(p.router, n.vr.handle(vrrp::Tick{}, now_));
  }
  now_ = t;
}

std::vector<size_t> Lan::masters(uint8_t vrid) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < routers_.size(); ++i) {
    if (routers_[i].running && routers_[i].spec.params.vrid == vrid &&
        routers_[i].vr.state() == State::kMaster) {
      out.push_back(i);
    }
  }
  return out;
}

uint64_t Lan::drops(vrrp::DropReason reason) const {
  return drops_[static_cast<size_t>(reason)];
}

void Lan::note(size_t r, LogEntry::Kind kind, std::string text, vrrp::Transition t) {
  log_.push_back(LogEntry{now_, r, kind, std::move(t), std::move(text)});
  if (on_log)
    on_log(log_.back());
}

}  // namespace vipd::sim
