#pragma once
// The receive checks that need the instance's configuration (RFC 3768 7.1, RFC 5798 7.1),
// applied after decode(): version, VRID, authentication, the v2 interval and address list,
// and keepalived's check_unicast_src.

#include <optional>
#include <string>
#include <vector>

#include "proto/vrrp/packet.h"

namespace vipd::vrrp {

struct InstanceRxConfig {
  uint8_t version = 3;
  uint8_t vrid = 0;
  AuthType auth_type = AuthType::kNone;  // v2
  std::string auth_pass;                 // v2 PASS; only the first 8 bytes count
  uint16_t interval = 100;               // v2 seconds / v3 centiseconds
  std::vector<IpAddress> addrs;          // the VIPs carried in adverts
  bool check_unicast_src = false;
  std::vector<IpAddress> unicast_peers;
};

struct RxVerdict {
  std::optional<DropReason> drop;
  bool address_mismatch = false;   // logged and counted, not dropped (v3, or owner sender)
  bool interval_mismatch = false;  // v3: logged only (RFC 9568); the backup learns it
};

RxVerdict checkAgainstInstance(const Advert& a, const IpAddress& src, const InstanceRxConfig& c);

// The 8-byte Authentication Data for a PASS password (truncated or zero padded).
std::array<uint8_t, 8> passwordBytes(const std::string& pass);

}  // namespace vipd::vrrp
