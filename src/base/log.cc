#include "base/log.h"

#include <syslog.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace vipd::log {
namespace {

Settings g_settings;

}  // namespace

void init(const Settings& s) {
  g_settings = s;
  if (s.syslog)
    ::openlog(g_settings.ident.c_str(), LOG_PID, s.facility);
}

void write(Level level, std::string_view text) {
  if (level == Level::kDebug && !g_settings.detail)
    return;
  if (g_settings.console) {
    // keepalived's console format with milliseconds: failover timing is read from logs.
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm;
    ::localtime_r(&t, &tm);
    char stamp[64];
    std::strftime(stamp, sizeof stamp, "%a %b %e %H:%M:%S", &tm);
    std::fprintf(stderr, "%s.%03d %d: %.*s\n", stamp, static_cast<int>(ms.count()),
                 tm.tm_year + 1900, static_cast<int>(text.size()), text.data());
    std::fflush(stderr);
  }
  if (g_settings.syslog) {
    ::syslog(static_cast<int>(level), "%.*s", static_cast<int>(text.size()), text.data());
  }
}

}  // namespace vipd::log
