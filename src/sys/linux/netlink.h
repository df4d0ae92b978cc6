#pragma once
// rtnetlink, written directly on the kernel's headers: interface lookups, addresses, macvlan
// links, and the link/address event stream the daemon watches (rtnetlink(7)).
//
// Requests are values (AddressRequest, MacvlanRequest) so that tests can assert on exactly
// what would be sent; Netlink executes them synchronously and returns the kernel's errno.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace vipd::sys {

using Mac = std::array<uint8_t, 6>;
std::string formatMac(const Mac& m);

struct Link {
  int index = 0;
  std::string name;
  Mac mac{};
  bool up = false;   // IFF_UP and IFF_RUNNING (carrier)
  int master = 0;    // IFLA_LINK for macvlans: the lower device
  std::string kind;  // "macvlan", "veth", "bridge", ...
};

struct Address {
  int ifindex = 0;
  IpPrefix prefix;
  std::string label;
  bool secondary = false;
  bool tentative = false;  // IPv6 DAD not finished
};

struct AddressRequest {
  int ifindex = 0;
  IpPrefix prefix;
  std::optional<IpAddress> broadcast;
  std::optional<std::string> label;
  std::optional<uint8_t> scope;  // RT_SCOPE_*
  bool nodad = true;             // VIPs move between hosts: DAD would only delay them
  bool operator==(const AddressRequest&) const = default;
};

struct RouteRequest {
  uint8_t type = 1;  // RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT
  IpPrefix dst;
  std::optional<IpAddress> via, src;
  int oif = 0;
  uint32_t table = 254;  // RT_TABLE_MAIN
  std::optional<uint32_t> metric;
  std::optional<uint8_t> scope;
  uint8_t protocol = 4;  // RTPROT_STATIC
  bool onlink = false;
  bool operator==(const RouteRequest&) const = default;
};

struct RuleRequest {
  Family family = Family::kInet;
  std::optional<IpPrefix> from, to;
  std::optional<std::string> iif, oif;
  uint32_t table = 254;
  std::optional<uint32_t> priority, fwmark;
  bool operator==(const RuleRequest&) const = default;
};

struct MacvlanRequest {
  std::string name;
  int lower_ifindex = 0;
  Mac mac{};
  // private mode: the macvlan does not see traffic between its siblings (keepalived's
  // default for use_vmac, which keeps a VMAC from answering its own lower device).
  bool private_mode = true;
};

struct LinkEvent {
  bool deleted = false;
  Link link;
};
struct AddressEvent {
  bool deleted = false;
  Address address;
};

class Netlink {
 public:
  Netlink();  // throws std::system_error when the socket cannot be opened
  ~Netlink();
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  std::vector<Link> links();
  std::optional<Link> link(const std::string& name);
  std::optional<Link> link(int index);
  std::vector<Address> addresses(std::optional<Family> family = std::nullopt);

  // 0 or a positive errno. EEXIST on add and EADDRNOTAVAIL on delete are reported, not
  // hidden: the caller decides whether "already there" is fine.
  int addAddress(const AddressRequest& r);
  int deleteAddress(const AddressRequest& r);
  int addRoute(const RouteRequest& r);
  int deleteRoute(const RouteRequest& r);
  int addRule(const RuleRequest& r);
  int deleteRule(const RuleRequest& r);
  int addMacvlan(const MacvlanRequest& r);
  int setLinkUp(int ifindex, bool up);
  int deleteLink(int ifindex);

  // While a DumpCache lives, links() and addresses() answer from one dump each, taken on
  // first use and dropped after any change made through this object: starting or reloading
  // thousands of instances does not dump the kernel's tables once per instance.
  class DumpCache {
   public:
    explicit DumpCache(Netlink& nl) : nl_(nl) { ++nl_.cache_depth_; }
    ~DumpCache() {
      if (--nl_.cache_depth_ == 0)
        nl_.invalidate();
    }
    DumpCache(const DumpCache&) = delete;
    DumpCache& operator=(const DumpCache&) = delete;

   private:
    Netlink& nl_;
  };

 private:
  std::vector<Address> dumpAddresses(std::optional<Family> family);
  int request(std::vector<uint8_t>& msg);
  std::vector<std::vector<uint8_t>> dump(std::vector<uint8_t>& msg);
  void invalidate() {
    links_cache_.reset();
    addresses_cache_.reset();
  }
  int fd_ = -1;
  uint32_t seq_ = 1;
  std::vector<uint8_t> rx_ = std::vector<uint8_t>(1 << 16);  // replies, reused
  int cache_depth_ = 0;
  std::optional<std::vector<Link>> links_cache_;
  std::optional<std::vector<Address>> addresses_cache_;  // all families
};

// A second socket subscribed to link and address changes; readable through fd().
class NetlinkMonitor {
 public:
  NetlinkMonitor();
  ~NetlinkMonitor();
  NetlinkMonitor(const NetlinkMonitor&) = delete;
  NetlinkMonitor& operator=(const NetlinkMonitor&) = delete;
  int fd() const { return fd_; }
  // Reads what is pending without blocking and calls the handlers.
  void drain(const std::function<void(const LinkEvent&)>& on_link,
             const std::function<void(const AddressEvent&)>& on_address);

 private:
  int fd_ = -1;
};

// Parsing shared by both sockets (exposed for tests and tests/fuzz/netlink_fuzz.cc). A
// message that is too short, or an address whose prefix is longer than its family allows,
// gives nullopt.
std::optional<Link> parseLinkMessage(const uint8_t* nlmsg, size_t len);
std::optional<Address> parseAddressMessage(const uint8_t* nlmsg, size_t len);
// One receive buffer of the monitor socket: each link and address message in it, in order;
// anything else (and a message whose length runs past the buffer, and what follows it) is
// skipped.
void parseEvents(const uint8_t* buf, size_t len,
                 const std::function<void(const LinkEvent&)>& on_link,
                 const std::function<void(const AddressEvent&)>& on_address);

}  // namespace vipd::sys
