#pragma once
// Accept_Mode = False (RFC 5798 6.1, keepalived's `no_accept` and `vrrp_strict`): a master
// that does not own the addresses must not accept packets sent to them, except ARP and
// Neighbor Discovery (RFC 5798 8.3.1 / 6.4.3). Like keepalived, vipd enforces it with
// nftables: table `inet vipd`, address sets no_accept4 / no_accept6, and an input chain that
// drops what is sent to them. The table is created on first use and removed on exit.

#include <string>

#include "base/ip_address.h"
#include "sys/linux/nft.h"

namespace vipd::sys {

class AcceptFilter {
 public:
  AcceptFilter() = default;
  ~AcceptFilter();
  AcceptFilter(const AcceptFilter&) = delete;
  AcceptFilter& operator=(const AcceptFilter&) = delete;

  // "" on success, else nft's error text.
  std::string block(const IpAddress& a);
  std::string unblock(const IpAddress& a);

 private:
  std::string ensureTable();
  Nft nft_;
  bool table_ = false;
};

}  // namespace vipd::sys
