#pragma once
// The daemon's log: to the console (-l, or -n without syslog), to syslog (the default, with
// keepalived's facility flag -S), or both. Lines keep keepalived's wording where operators
// grep for it ("(VI_1) Entering MASTER STATE").

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace vipd::log {

enum class Level { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

struct Settings {
  bool console = true;
  bool syslog = false;
  int facility = 3 << 3;  // LOG_DAEMON
  std::string ident = "vipd";
  bool detail = false;  // -D: debug lines too
};

void init(const Settings& s);
void write(Level level, std::string_view text);

template <class... A>
void error(fmt::format_string<A...> f, A&&... a) {
  write(Level::kError, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void warning(fmt::format_string<A...> f, A&&... a) {
  write(Level::kWarning, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(fmt::format_string<A...> f, A&&... a) {
  write(Level::kInfo, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void debug(fmt::format_string<A...> f, A&&... a) {
  write(Level::kDebug, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace vipd::log
