#pragma once
// A simulated LAN: virtual routers on shared segments, driven by the real engine
// (VirtualRouter) and the real codec (every advert is encoded to bytes, then decoded and
// checked by each receiver), with virtual time, delay, loss, partitions and heals.
// Deterministic for a given seed: the same script gives the same timeline.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "proto/vrrp/fsm.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/receive.h"

namespace vipd::sim {

using vrrp::Micros;
using vrrp::State;
using vrrp::Time;

struct RouterSpec {
  std::string name;
  vrrp::RouterParams params;
  vrrp::InstanceRxConfig rx;  // rx.addrs: the VIPs it advertises
  int segment = 0;
};

// Something that happened, in time order: what a user of vipd-sim reads.
struct LogEntry {
  Time at{0};
  size_t router = 0;
  enum class Kind { kTransition, kFault, kDrop, kNote } kind = Kind::kNote;
  vrrp::Transition transition;  // kTransition
  std::string text;             // kFault, kDrop (reason), kNote
};

class Lan {
 public:
  explicit Lan(uint64_t seed = 1);

  size_t add(RouterSpec spec);
  size_t size() const { return routers_.size(); }
  const std::string& name(size_t r) const { return routers_.at(r).spec.name; }
  std::optional<size_t> find(const std::string& name) const;

  // Network conditions. Delay is one-way, per packet: base + uniform jitter.
  void setDelay(Micros base, Micros jitter = Micros(0));
  void setLoss(double probability);
  // Routers in different groups cannot hear each other; heal() joins everyone again.
  void partition(const std::vector<std::set<size_t>>& groups);
  void heal();

  // Router life cycle. start = Startup; stop = graceful Shutdown (priority 0);
  // kill = the process dies: nothing more is sent, no timers run.
  void start(size_t r);
  void stop(size_t r);
  void kill(size_t r);
  void setPriority(size_t r, int priority);
  void setFault(size_t r, bool fault, const std::string& why = "fault");

  // Runs everything due up to and including `t`, then leaves the clock at `t`.
  void runUntil(Time t);
  void runFor(Micros d) { runUntil(now_ + d); }
  Time now() const { return now_; }

  // Observations.
  bool running(size_t r) const { return routers_.at(r).running; }
  State state(size_t r) const { return routers_.at(r).vr.state(); }
  const vrrp::VirtualRouter& router(size_t r) const { return routers_.at(r).vr; }
  std::vector<size_t> masters(uint8_t vrid) const;
  const std::vector<LogEntry>& log() const { return log_; }
  // When router `r` last received a valid advert from the current master (for timing checks).
  std::optional<Time> lastAdvertHeard(size_t r) const { return routers_.at(r).last_heard; }
  uint64_t advertsOnWire() const { return adverts_on_wire_; }
  uint64_t drops(vrrp::DropReason reason) const;
  // Called after each logged entry (vipd-sim prints the timeline as it happens).
  std::function<void(const LogEntry&)> on_log;

 private:
  struct Node {
    RouterSpec spec;
    vrrp::VirtualRouter vr;
    bool running = false;
    std::optional<Time> timer;
    std::optional<Time> last_heard;
    bool fault = false;  // survives a kill and restart, like a tracker's state
    std::string fault_why;
  };
  struct Pending {
    Time at;
    uint64_t seq;
    enum class Kind { kTimer, kDeliver } kind;
    size_t router;               // timer owner / receiver
    size_t sender = 0;           // kDeliver
    std::vector<uint8_t> bytes;  // kDeliver
    bool operator>(const Pending& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void apply(size_t r, const vrrp::Actions& actions);
  void send(size_t r, int priority);
  void deliver(const Pending& p);
  void note(size_t r, LogEntry::Kind kind, std::string text, vrrp::Transition t = {});
  bool canHear(size_t a, size_t b) const;
  void push(Pending p);

  std::vector<Node> routers_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  uint64_t seq_ = 0;
  Time now_{0};
  Micros delay_{100}, jitter_{0};
  double loss_ = 0;
  std::map<size_t, size_t> group_of_;  // router -> partition group; empty = healed
  std::mt19937_64 rng_;
  std::vector<LogEntry> log_;
  uint64_t adverts_on_wire_ = 0;
  std::vector<uint64_t> drops_;
};

}  // namespace vipd::sim
