#pragma once
// UDP_CHECK's payload and reply rules (keepalived.conf(5)): HEX_STR is free-form hex where
// whitespace separates bytes ("Ab12f 3" is AB 12 0F 03), and in require_reply an X nibble
// matches anything. A reply passes when its length is within min/max_reply_length and it
// matches the pattern up to the shorter of the two.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::check {

struct HexPattern {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> care;  // per byte: the bits that must match (0xf0 for "Xn"...)
};

// nullopt when `text` has a character that is not hex, X or white space (X only when
// `wildcards`).
std::optional<HexPattern> parseHex(std::string_view text, bool wildcards);

struct UdpRule {
  bool require_reply = false;
  std::optional<HexPattern> reply;
  size_t min_len = 0, max_len = 255;
};

// Empty when the reply passes, else why not.
std::string judgeUdpReply(const UdpRule& rule, std::span<const uint8_t> reply);

}  // namespace vipd::check
