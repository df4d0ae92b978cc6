#pragma once
// keepalived's lvs_sync_daemon (issue 15): the kernel's IPVS connection-sync daemon, which
// multicasts the master director's connection table to the backups, follows a VRRP instance:
// the master daemon while the instance is MASTER, the backup daemon otherwise (from its
// first BACKUP on; keepalived starts the backup daemon only once the instance has left
// MASTER, so a director that starts as backup receives nothing until it has been master).
// Without an instance both daemons run from start to stop, as keepalived's checker runs
// them. Lives on the VRRP loop: a netlink request per change, acknowledged in microseconds.

#include <optional>

#include "conf/model.h"
#include "sys/linux/ipvs.h"

namespace vipd::daemon {

// What the kernel is asked for: syncid defaults to the instance's VRID (keepalived).
sys::IpvsSyncDaemon syncDaemonRequest(const conf::LvsSyncDaemon& c, int vrid, bool master);

class IpvsSyncd {
 public:
  // `vrid`: the followed instance's, for the default syncid.
  IpvsSyncd(conf::LvsSyncDaemon conf, int vrid);
  ~IpvsSyncd();  // stops the daemons it started
  IpvsSyncd(const IpvsSyncd&) = delete;
  IpvsSyncd& operator=(const IpvsSyncd&) = delete;

  const conf::LvsSyncDaemon& conf() const { return conf_; }
  int vrid() const { return vrid_; }
  void master();  // the instance became MASTER: backup daemon stopped, master started
  void backup();  // BACKUP or FAULT: master daemon stopped, backup started

 private:
  void set(bool master, bool on);
  conf::LvsSyncDaemon conf_;
  int vrid_ = 0;
  std::optional<sys::Ipvs> ipvs_;
  bool running_[2] = {false, false};  // backup, master
};

}  // namespace vipd::daemon
