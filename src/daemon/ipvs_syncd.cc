#include "daemon/ipvs_syncd.h"

#include <cstring>

#include "base/log.h"

namespace vipd::daemon {

sys::IpvsSyncDaemon syncDaemonRequest(const conf::LvsSyncDaemon& c, int vrid, bool master) {
  sys::IpvsSyncDaemon d;
  d.master = master;
  d.ifname = c.ifname;
  d.syncid = static_cast<uint32_t>(c.syncid.value_or(c.instance.empty() ? 0 : vrid));
  d.maxlen = static_cast<uint16_t>(c.maxlen);
  d.port = static_cast<uint16_t>(c.port);
  d.ttl = static_cast<uint8_t>(c.ttl);
  d.group = c.group;
  return d;
}

IpvsSyncd::IpvsSyncd(conf::LvsSyncDaemon conf, int vrid) : conf_(std::move(conf)), vrid_(vrid) {
  std::string why;
  if (auto i = sys::Ipvs::open(why))
    ipvs_.emplace(std::move(*i));
  if (!ipvs_) {
    log::error("lvs_sync_daemon: not started: {}", why);
    return;
  }
  if (conf_.instance.empty()) {
    set(true, true);
    set(false, true);
  }
}

IpvsSyncd::~IpvsSyncd() {
  for (bool m : {true, false}) {
    if (running_[m])
      set(m, false);
  }
}

void IpvsSyncd::master() {
  set(false, false);
  set(true, true);
}

void IpvsSyncd::backup() {
  set(true, false);
  set(false, true);
}

void IpvsSyncd::set(bool master, bool on) {
  if (!ipvs_ || running_[master] == on)
    return;
  const auto req = syncDaemonRequest(conf_, vrid_, master);
  int err = on ? ipvs_->startSyncDaemon(req) : ipvs_->stopSyncDaemon(master);
  // Stopped before its kernel thread first ran: IPVS answers -EINTR (no ack), and the daemon
  // is gone all the same (stop_sync_thread frees it whatever kthread_stop returns).
  const bool unstarted = !on && err == EINTR;
  if (unstarted)
    err = 0;
  const char* which = master ? "master" : "backup";
  if (err != 0 && !(on && err == EEXIST)) {
    log::error("lvs_sync_daemon: cannot {} the {} sync daemon on {}: {}", on ? "start" : "stop",
               which, conf_.ifname, std::strerror(err));
    if (!on)
      running_[master] = false;  // not ours to stop again
    return;
  }
  running_[master] = on;
  log::info("lvs_sync_daemon: {} sync daemon {} (interface {}, syncid {}){}", which,
            on ? "started" : "stopped", conf_.ifname, req.syncid,
            unstarted ? " before its kernel thread had run" : "");
}

}  // namespace vipd::daemon
