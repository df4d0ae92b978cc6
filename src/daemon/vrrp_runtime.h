#pragma once
// The VRRP side of the daemon: the imperative shell around the engines. It owns the sockets
// and the kernel state (addresses, VMACs), feeds received adverts, timer expiries and link
// events to each instance's VirtualRouter, and carries out the actions it returns.

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "conf/model.h"
#include "core/instance_plan.h"
#include "daemon/conntrack_sync.h"
#include "daemon/ipvs_syncd.h"
#include "daemon/kernel_plan.h"
#include "daemon/notifier.h"
#include "daemon/script_runner.h"
#include "daemon/trackers.h"
#include "io/loop.h"
#include "proto/vrrp/ah.h"
#include "proto/vrrp/fsm.h"
#include "proto/vrrp/sync_group.h"
#include "sys/linux/accept_filter.h"
#include "sys/linux/netlink.h"
#include "sys/linux/vrrp_socket.h"

namespace vipd::daemon {

struct InstanceCounters {
  uint64_t adverts_sent = 0, adverts_received = 0, garps_sent = 0, transitions = 0;
  uint64_t send_errors = 0, address_errors = 0, addresses_restored = 0;
  std::array<uint64_t, static_cast<size_t>(vrrp::DropReason::kCount)> drops{};
};

class VrrpRuntime {
 public:
  // dont_release: keepalived's -V, leave VIPs in place at startup and exit.
  VrrpRuntime(io::Loop& loop, sys::Netlink& nl, bool dont_release = false);
  ~VrrpRuntime();

  // Creates and starts every instance of `cfg`. Instances whose interface is missing or has
  // no usable address start in FAULT and recover when it appears.
  void start(conf::Config cfg);
  // Applies a new, already validated config: unchanged instances keep running untouched;
  // removed and changed ones are stopped (releasing their addresses), new and changed ones
  // are started.
  void reload(conf::Config next);
  // Every instance: priority-0 advert if master, addresses and VMACs removed.
  // After the loop has stopped: waits up to `grace` for the scripts still running (the
  // notify_stop ones among them), then kills what is left (ScriptRunner::finish).
  void finishScripts(std::chrono::microseconds grace) { scripts_.finish(grace); }
  void stop();

  struct TransitionRecord {
    int64_t wall_ms = 0;  // epoch milliseconds
    vrrp::State from = vrrp::State::kInit, to = vrrp::State::kInit;
    std::string reason, detail;
  };
  struct TrackerView {
    std::string key;
    int weight = 0;
    bool reverse = false;
    TrackerStatus status;
  };
  // A self-contained copy of one instance's state: safe to hand to another thread.
  struct InstanceView {
    std::string name, ifname, family, sync_group;
    int vrid = 0, version = 2;
    vrrp::State state = vrrp::State::kInit;
    int priority = 0, base_priority = 0;
    std::optional<IpAddress> master, primary;
    int master_priority = 0;
    uint64_t became_master = 0, released_master = 0, priority_zero_sent = 0,
             priority_zero_received = 0;
    InstanceCounters counters;
    std::vector<std::string> vips;
    bool unicast = false, accept = true, preempt = true, faulted = false, started = false;
    std::string fault_why;
    vrrp::Time now{0}, state_since{0};
    std::optional<vrrp::Time> deadline, preempt_at;
    vrrp::Micros advert_interval{0}, master_adver_interval{0}, master_down_interval{0},
        preempt_delay{0};
    std::vector<TrackerView> trackers;
    std::vector<TransitionRecord> history;  // oldest first, at most 16
  };
  std::vector<InstanceView> view() const;
  struct ReloadSummary {
    size_t kept = 0, added = 0, removed = 0, changed = 0, updated = 0;  // updated: in place
  };
  const ReloadSummary& lastReload() const { return last_reload_; }
  Notifier& notifier() { return notifier_; }
  std::optional<ConntrackCounters> conntrack() const {
    return conntrack_ && conntrack_->active() ? std::optional(conntrack_->counters())
                                              : std::nullopt;
  }
  const Trackers& trackers() const { return trackers_; }

 private:
  struct Instance;
  struct Group;
  // One tracker as an instance uses it: the weight is the instance's (or the tracker's).
  struct Tracked {
    std::string key;
    int weight = 0;
    bool reverse = false;
  };
  using SocketKey = std::tuple<int, Family, uint8_t>;  // ifindex, family, IP protocol

  std::vector<conf::VrrpInstance> adopt(conf::Config cfg);
  void addInstance(conf::VrrpInstance next);
  void rebuildGroups();
  std::vector<Tracked> trackedFor(const conf::VrrpInstance& ic, const Group* g) const;
  void configureTrackers();
  void onTrackerChange(const std::string& key);
  void updateTracking(Instance& in);
  void updateFault(Instance& in);
  void startIfReady(Instance& in);
  void onTransition(Instance& in, const vrrp::Transition& t);
  void updateGroupState(Group& g, const std::string& reason);
  void removeInstance(size_t idx);
  void bindInterface(Instance& in);
  void handle(Instance& in, const vrrp::Event& e);
  void handle(Instance& in, const vrrp::Event& e, vrrp::Time now);
  void execute(Instance& in, const vrrp::Actions& actions);
  void sendAdvert(Instance& in, int priority);
  static vrrp::Advert advertOf(const Instance& in, int priority);
  static uint8_t ttlOf(const Instance& in);
  std::span<const uint8_t> encodedAdvert(Instance& in, int priority, const IpAddress& dst);
  std::span<const uint8_t> ahDatagram(Instance& in, int priority, const IpAddress& dst);
  void sent(Instance& in, int err, const IpAddress& dst);
  // Adverts queued while a wakeup's timers or datagrams are handled go out together at the
  // end of it, one sendmmsg per socket.
  struct SendBatch {
    explicit SendBatch(VrrpRuntime& r) : rt(r) { ++rt.batch_depth_; }
    ~SendBatch() {
      if (--rt.batch_depth_ == 0)
        rt.flushAdverts();
    }
    SendBatch(const SendBatch&) = delete;
    SendBatch& operator=(const SendBatch&) = delete;
    VrrpRuntime& rt;
  };
  void flushSocket(sys::VrrpSocket& s);
  void flushAdverts();
  void setAddresses(Instance& in, bool add);
  // conntrack_sync: whether `in` is the instance conntrackd follows or in its sync group;
  // its VIPs then wait for the commit of the peer's connections (addressesAfterCommit).
  bool followedByConntrack(const Instance& in) const;
  void addressesAfterCommit(Instance& in);
  void configureConntrack();
  void configureSyncd(const std::vector<conf::VrrpInstance>& incoming);  // lvs_sync_daemon
  void planRoutes(Instance& in);
  void applyStatics(const conf::Config& cfg);
  void setRoutes(Instance& in, bool add);
  void filter(Instance& in, const IpAddress& a, bool block);
  struct GarpBurst {
    vrrp::Time at{0};
    Instance* in = nullptr;
    int remaining = 0;
    std::vector<std::pair<int, std::vector<uint8_t>>> frames;  // ifindex, frame
  };
  void sendGarps(Instance& in, int count);
  void sendGarpRound(GarpBurst& b);
  sys::VrrpSocket* socketFor(Instance& in, std::string& error);
  void openSocket(Instance& in);
  void joinGroup(Instance& in, sys::VrrpSocket& s);
  void releaseStale(Instance& in);
  void setUpVmac(Instance& in);
  void tearDownVmac(Instance& in);
  static int vrrpIfindex(const Instance& in);
  void onReadable(SocketKey key);
  void onDatagram(const SocketKey& key, sys::Datagram& d);
  void drop(Instance* in, vrrp::DropReason r, const IpAddress& src);
  void onTimer();
  void rearm();
  void onLink(const sys::LinkEvent& e);
  void onAddress(const sys::AddressEvent& e);
  void refreshFault(Instance& in);

  io::Loop& loop_;
  sys::Netlink& nl_;
  ScriptRunner scripts_;
  std::unique_ptr<ConntrackSync> conntrack_;  // after scripts_: destroyed before it
  std::unique_ptr<IpvsSyncd> syncd_;
  Trackers trackers_;
  Notifier notifier_;
  conf::Config cfg_;
  std::vector<std::unique_ptr<Group>> groups_;
  // Sync-group moves decided while an instance's actions run, applied after them.
  std::vector<std::pair<Instance*, vrrp::Event>> pending_sync_;
  std::vector<std::function<void()>> notify_queue_;
  void flushNotifications();
  bool dont_release_ = false;
  bool stopping_ = false;
  bool deleting_ = false;
  ReloadSummary last_reload_;  // removing an instance the new config no longer has
  std::unique_ptr<sys::NetlinkMonitor> monitor_;
  conf::GlobalDefs global_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::map<SocketKey, sys::VrrpSocket> sockets_;
  std::map<int, sys::PacketSocket> packet_sockets_;
  std::vector<sys::VrrpSocket*> batched_;  // sockets with queued adverts
  int batch_depth_ = 0;
  sys::AcceptFilter accept_filter_;
  KernelPlan statics_;
  std::vector<GarpBurst> garps_;  // bursts still being spaced out
  // Earliest deadline first; entries that no longer match an instance's deadline are stale.
  using TimerEntry = std::pair<vrrp::Time, Instance*>;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers_;
  // (interface, family, VRID) -> instance, for the receive path.
  std::map<SocketKey, Instance*> by_vrid_;
  bool index_dirty_ = true;
  InstanceCounters unmatched_;  // drops before an instance is known (no such VRID, bad header)
};

}  // namespace vipd::daemon
