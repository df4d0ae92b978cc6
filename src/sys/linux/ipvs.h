#pragma once
// IPVS over generic netlink (the "IPVS" family, include/uapi/linux/ip_vs.h): services and
// their real servers added, changed and removed one request at a time, each acknowledged.
// What to write is worked out in src/lb/ipvs_rules (pure); this only encodes it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lb/ipvs_rules.h"
#include "lb/traffic.h"

namespace vipd::sys {

// The kernel's connection-sync daemon (ipvsadm --start-daemon): one per state.
struct IpvsSyncDaemon {
  bool master = true;  // IP_VS_STATE_MASTER, else BACKUP
  std::string ifname;
  uint32_t syncid = 0;
  uint16_t maxlen = 0, port = 0;  // 0: the kernel's default
  uint8_t ttl = 0;
  std::optional<IpAddress> group;
};

class Ipvs {
 public:
  // nullopt when the kernel has no IPVS (the family does not resolve, ip_vs not loaded);
  // `why` says so.
  static std::optional<Ipvs> open(std::string& why);
  Ipvs(Ipvs&& o) noexcept : fd_(o.fd_), family_(o.family_), seq_(o.seq_), rx_(std::move(o.rx_)) {
    o.fd_ = -1;
  }
  Ipvs& operator=(Ipvs&&) = delete;
  Ipvs(const Ipvs&) = delete;
  ~Ipvs();

  // Each returns 0 or an errno value. add*: EEXIST when it is there already. EINTR: the
  // kernel's handler was interrupted and sent no ack (none is waited for: see exchange()).
  int addService(const lb::IpvsService& s);
  int editService(const lb::IpvsService& s);
  int deleteService(const lb::IpvsService& s);
  int addDest(const lb::IpvsService& s, const lb::IpvsDest& d);
  int editDest(const lb::IpvsService& s, const lb::IpvsDest& d);
  int deleteDest(const lb::IpvsService& s, const lb::IpvsDest& d);
  // Every IPVS service and real server, vipd's or not (keepalived's lvs_flush).
  int flush();
  // Starts the sync daemon `d.master` names; stops the master's (true) or backup's.
  int startSyncDaemon(const IpvsSyncDaemon& d);
  int stopSyncDaemon(bool master);
  // The real servers the kernel has for `s` (address, port, weight), or nullopt on error;
  // with `stats`, each one's traffic counters too, in the same order.
  std::optional<std::vector<lb::IpvsDest>> dests(const lb::IpvsService& s,
                                                 std::vector<lb::Tally>* stats = nullptr);

 private:
  Ipvs(int fd, uint16_t family) : fd_(fd), family_(family) {}
  int request(uint8_t cmd, const lb::IpvsService& s, const lb::IpvsDest* d, bool full,
              std::vector<uint8_t>* dump = nullptr);
  int fd_ = -1;
  uint16_t family_ = 0;
  uint32_t seq_ = 1;
  std::vector<uint8_t> rx_;  // the kernel's answers, reused by every request
};

}  // namespace vipd::sys
