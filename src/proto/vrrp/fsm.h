#pragma once
// One virtual router's state machine: RFC 3768 6.3-6.4 (v2) and RFC 5798 / RFC 9568 6.4 (v3),
// with keepalived's FAULT state and its compatible extensions. Pure: events and the current
// time go in, actions come out. No sockets, clocks or randomness (docs/design/vrrp-fsm.md).
//
// Validated adverts only: decode() and checkAgainstInstance() have already dropped what the
// RFC's receive checks reject, so every AdvertIn is a legitimate advert for this router.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip_address.h"

namespace vipd::vrrp {

using Micros = std::chrono::microseconds;
// Monotonic time in microseconds from an arbitrary origin (the daemon's steady clock, or the
// simulator's virtual clock).
using Time = Micros;

enum class State : uint8_t { kInit, kBackup, kMaster, kFault };
std::string_view toString(State s);

struct RouterParams {
  uint8_t version = 3;
  uint8_t vrid = 1;
  int priority = 100;  // configured; 255 = address owner (RFC 5798 6.1)
  Micros advert_interval = std::chrono::seconds(1);
  IpAddress primary;  // our source address, for the equal-priority tie-break
  bool preempt = true;
  Micros preempt_delay{0};  // keepalived: after startup or a lower-priority advert
  int down_timer_adverts = 3;
  bool lower_prio_no_advert = false;     // true = RFC 3768/5798 silence towards lower priority
  bool higher_prio_send_advert = false;  // one last advert before yielding
  // keepalived's GARP schedule: a burst on becoming master, another after the delay, then a
  // refresh burst every `refresh` (0 = never); a burst when a lower-priority advert is heard,
  // at most once per `lower_prio_delay`, and another `lower_prio_delay` after it.
  int garp_master_repeat = 5;
  Micros garp_master_delay = std::chrono::seconds(5);
  Micros garp_master_refresh{0};
  int garp_master_refresh_repeat = 1;
  int garp_lower_prio_repeat = 5;
  Micros garp_lower_prio_delay = std::chrono::seconds(5);
};

// --- events -----------------------------------------------------------------------------------

struct Startup {};
struct Shutdown {};
struct AdvertIn {
  IpAddress src;
  int priority = 0;
  Micros interval{0};  // the advert's interval (v3 Max Adver Int; v2 equals ours)
};
struct Tick {};  // the deadline from the last ArmTimer has passed (early ticks are harmless)
// The effective priority from the trackers (priority.h); ignored for the owner.
struct PriorityChanged {
  int priority = 0;
};
struct FaultChanged {
  bool fault = false;
  std::string why;  // e.g. "interface eth0 down", "script chk_nginx failed"
};
// A sync group moving its members together (sync_group.h).
struct SyncTo {
  State state = State::kBackup;
  std::string why;
};
using Event =
    std::variant<Startup, Shutdown, AdvertIn, Tick, PriorityChanged, FaultChanged, SyncTo>;

// --- actions ----------------------------------------------------------------------------------

struct SendAdvert {
  int priority = 0;  // 0 when releasing mastership (RFC 3768 6.4.3 Shutdown)
};
struct TakeAddresses {};     // add VIPs (and routes, rules); join solicited-node groups
struct ReleaseAddresses {};  // remove them
struct SendGarp {
  int count = 1;  // gratuitous ARPs / unsolicited NAs per VIP in this burst
};
enum class Reason : uint8_t {
  kStartupOwner,                // priority 255 starts as master (RFC 5798 6.4.1)
  kStartup,                     // everyone else starts as backup (RFC 5798 6.4.1)
  kMasterDown,                  // Master_Down_Timer fired (RFC 5798 6.4.2)
  kPreempt,                     // fired after we ignored lower-priority adverts (preempt)
  kPriorityZero,                // the master released with priority 0, Skew_Time elapsed
  kHigherPriority,              // an advert with a higher priority (RFC 5798 6.4.3)
  kEqualPriorityHigherAddress,  // equal priority, higher primary address (RFC 5798 6.4.3)
  kFault,                       // a tracked interface, script, file or process failed
  kFaultCleared,
  kSyncGroup,
  kShutdown,
};
std::string_view toString(Reason r);
struct Transition {
  State from = State::kInit, to = State::kInit;
  Reason reason = Reason::kStartup;
  std::string detail;  // numbers for people: "advert from 10.0.0.2 priority 150 > 100"
};
struct ArmTimer {
  std::optional<Time> at;  // nullopt = no timer
};
using Action =
    std::variant<SendAdvert, TakeAddresses, ReleaseAddresses, SendGarp, Transition, ArmTimer>;
using Actions = std::vector<Action>;

struct RouterStats {
  uint64_t adverts_sent = 0, adverts_received = 0, priority_zero_sent = 0,
           priority_zero_received = 0, became_master = 0, released_master = 0, garp_bursts = 0,
           lower_priority_received = 0;
};

class VirtualRouter {
 public:
  explicit VirtualRouter(RouterParams p);

  Actions handle(const Event& e, Time now);

  State state() const { return state_; }
  const RouterParams& params() const { return p_; }
  // The priority carried in adverts and used for Skew_Time: configured for the owner, else
  // the trackers' effective priority (keepalived).
  int priority() const { return priority_; }
  bool isOwner() const { return p_.priority == 255; }
  Micros masterAdverInterval() const { return master_adver_interval_; }
  Micros masterDownInterval() const;
  std::optional<Time> deadline() const;
  // What the router last heard from the master (for `vipctl explain`).
  const std::optional<IpAddress>& masterAddress() const { return master_addr_; }
  int masterPriority() const { return master_priority_; }
  std::optional<Time> preemptAt() const { return preempt_at_; }
  const RouterStats& stats() const { return stats_; }
  bool faulted() const { return fault_; }
  Time stateSince() const { return state_since_; }

 private:
  void onStartup(Time now, Actions& out);
  void onShutdown(Actions& out);
  void onAdvert(const AdvertIn& a, Time now, Actions& out);
  void onTick(Time now, Actions& out);
  void onFault(const FaultChanged& f, Time now, Actions& out);
  void onSync(const SyncTo& s, Time now, Actions& out);

  void becomeMaster(Reason r, std::string detail, Time now, Actions& out);
  void becomeBackup(Reason r, std::string detail, Time now, Actions& out);
  void becomeFault(std::string detail, Actions& out);
  void transition(State to, Reason r, std::string detail, Actions& out);
  void sendAdvert(int priority, Actions& out);
  void garp(int count, Actions& out);
  void startDownTimer(Time now);

  RouterParams p_;
  State state_ = State::kInit;
  int priority_;
  bool fault_ = false;
  std::string fault_why_;
  Micros master_adver_interval_;
  // Backup: Master_Down_Timer. Master: Adver_Timer.
  std::optional<Time> protocol_timer_;
  // Master: the next GARP burst (the delayed one, then the refreshes).
  std::optional<Time> garp_timer_;
  bool second_burst_pending_ = false;
  std::optional<Time> last_lower_prio_garp_;
  // Master: the burst that follows one answering a lower-priority advert.
  std::optional<Time> lower_prio_garp_at_;
  std::optional<Time> last_lower_prio_rx_;  // Master: the last lower-priority advert
  // Backup: preemption of a lower-priority master is held until this time (preempt_delay).
  std::optional<Time> preempt_at_;
  bool down_is_preempt_ = false;  // the running down timer is a preemption, not a loss
  bool down_is_release_ = false;  // the running down timer is Skew_Time after priority 0
  std::optional<IpAddress> master_addr_;
  int master_priority_ = 0;
  Time now_{0};  // of the event being handled
  Time state_since_{0};
  RouterStats stats_;
};

}  // namespace vipd::vrrp
