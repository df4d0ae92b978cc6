#include "check/datagram.h"

#include <fmt/format.h>

#include <cctype>

namespace vipd::check {

std::optional<HexPattern> parseHex(std::string_view text, bool wildcards) {
  HexPattern p;
  // Each white-space separated word is a run of nibbles; an odd run gets a leading 0 on its
  // last byte ("12f" is 12 0F).
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])))
      ++j;
    std::string_view word = text.substr(i, j - i);
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X'))
      word.remove_prefix(2);
    std::vector<std::pair<uint8_t, uint8_t>> nibbles;  // value, care
    for (char c : word) {
      if (std::isxdigit(static_cast<unsigned char>(c))) {
        const int v = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        nibbles.emplace_back(static_cast<uint8_t>(v), uint8_t{0xf});
      } else if (wildcards && (c == 'x' || c == 'X')) {
        nibbles.emplace_back(uint8_t{0}, uint8_t{0});
      } else {
        return std::nullopt;
      }
    }
    size_t k = 0;
    for (; k + 1 < nibbles.size(); k += 2) {
      p.bytes.push_back(static_cast<uint8_t>(nibbles[k].first << 4 | nibbles[k + 1].first));
      p.care.push_back(static_cast<uint8_t>(nibbles[k].second << 4 | nibbles[k + 1].second));
    }
    if (k < nibbles.size()) {  // an odd word's last nibble is a byte of its own
      p.bytes.push_back(nibbles[k].first);
      p.care.push_back(nibbles[k].second);
    }
    i = j;
  }
  return p;
}

std::string judgeUdpReply(const UdpRule& rule, std::span<const uint8_t> reply) {
  if (reply.size() < rule.min_len || reply.size() > rule.max_len)
    return fmt::format("reply of {} bytes, outside {}-{}", reply.size(), rule.min_len,
                       rule.max_len);
  if (rule.reply) {
    const size_t n = std::min(reply.size(), rule.reply->bytes.size());
    for (size_t i = 0; i < n; ++i) {
      if ((reply[i] ^ rule.reply->bytes[i]) & rule.reply->care[i])
        return fmt::format("reply byte {} is {:02x}, expected {:02x}", i, reply[i],
                           rule.reply->bytes[i]);
    }
  }
  return "";
}

}  // namespace vipd::check
