#pragma once
// Small text helpers shared by the config front end and the CLI.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd {

// Whole-string integer parse (decimal, or 0x-prefixed hex when allow_hex); nullopt on junk.
std::optional<int64_t> parseInt(std::string_view s, bool allow_hex = false);
// A keepalived <TIMER>: seconds, fractional allowed, microsecond resolution.
std::optional<int64_t> parseSecondsToMicros(std::string_view s);
// Prints microseconds as seconds without trailing zeros: 1000000 -> "1", 1500 -> "0.0015".
std::string formatMicrosAsSeconds(int64_t us);
// keepalived's <BOOL>: on|off|true|false|yes|no.
std::optional<bool> parseBool(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Pieces between separators; empty pieces are dropped ("a,,b" -> a, b).
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& words, std::string_view sep = " ");
// Quotes a word for printing back in keepalived syntax when it holds spaces or specials.
std::string quoteIfNeeded(std::string_view word);

}  // namespace vipd
