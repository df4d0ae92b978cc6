#include "proto/vrrp/receive.h"

#include <algorithm>

namespace vipd::vrrp {

std::array<uint8_t, 8> passwordBytes(const std::string& pass) {
  std::array<uint8_t, 8> out{};
  for (size_t i = 0; i < out.size() && i < pass.size(); ++i)
    out[i] = static_cast<uint8_t>(pass[i]);
  return out;
}

RxVerdict checkAgainstInstance(const Advert& a, const IpAddress& src, const InstanceRxConfig& c) {
  RxVerdict v;
  if (a.version != c.version) {
    v.drop = DropReason::kVersion;
    return v;
  }
  if (a.vrid != c.vrid) {
    v.drop = DropReason::kUnknownVrid;
    return v;
  }
  if (c.check_unicast_src &&
      std::find(c.unicast_peers.begin(), c.unicast_peers.end(), src) == c.unicast_peers.end()) {
    v.drop = DropReason::kUnicastSource;
    return v;
  }
  if (a.version == 2) {
    // RFC 2338 5.3.6: the auth type must match; PASS compares the 8 data bytes. Compared
    // without an early exit so the time taken does not reveal how much matched.
    if (a.auth_type != c.auth_type) {
      v.drop = DropReason::kAuthType;
      return v;
    }
    if (c.auth_type == AuthType::kPass) {
      auto want = passwordBytes(c.auth_pass);
      uint8_t diff = 0;
      for (size_t i = 0; i < want.size(); ++i)
        diff |= static_cast<uint8_t>(want[i] ^ a.auth_data[i]);
      if (diff != 0) {
        v.drop = DropReason::kAuthFailed;
        return v;
      }
    }
    // RFC 3768 7.1: MUST drop an advert whose interval differs from ours.
    if (a.interval != c.interval) {
      v.drop = DropReason::kInterval;
      return v;
    }
  } else if (a.interval != c.interval) {
    v.interval_mismatch = true;  // RFC 9568: verify and log, never drop
  }
  bool same = a.addrs.size() == c.addrs.size() &&
              std::is_permutation(a.addrs.begin(), a.addrs.end(), c.addrs.begin());
  if (!same) {
    // RFC 3768 7.1: a v2 mismatch MUST be dropped unless the sender is the owner (255).
    if (a.version == 2 && a.priority != 255) {
      v.drop = DropReason::kAddressList;
      return v;
    }
    v.address_mismatch = true;
  }
  return v;
}

}  // namespace vipd::vrrp
