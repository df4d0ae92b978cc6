#pragma once
// Helpers shared by the protocol tests.
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace vipd::vrrp::testing {

inline IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

// "45c0 0040 ..." -> bytes; spaces are ignored.
inline std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : h) {
    if (c != ' ')
      digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace vipd::vrrp::testing
