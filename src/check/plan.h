#pragma once
// The check plan: every checker of every real server, with its timing and target resolved
// the way keepalived resolves them (check_data.c, validate_check_config):
//   checker keyword -> real_server keyword -> virtual_server keyword -> the checker type's
//   default. Defaults: delay_loop 60 s, connect_timeout 5 s, retry 1 (DNS_CHECK 3,
//   MISC_CHECK 0), delay_before_retry 1 s (HTTP_GET/SSL_GET 3 s, DNS_CHECK = delay_loop),
//   warmup = delay_loop, alpha off.
// Pure values: the engines and the probes read it, nothing in it does I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "conf/model.h"

namespace vipd::check {

using Micros = std::chrono::microseconds;

struct Timing {
  Micros delay_loop{60'000'000};
  Micros connect_timeout{5'000'000};
  Micros delay_before_retry{1'000'000};
  Micros warmup{60'000'000};
  int retry = 1;
  int rise = 1;  // vipd: consecutive successes a DOWN checker needs (keepalived: 1)
  bool alpha = false;
  friend bool operator==(const Timing&, const Timing&) = default;
};

// Where a network checker connects and from where (connect_ip/connect_port, bindto,
// bind_port, bind_if, fwmark).
struct Target {
  IpAddress addr;
  int port = 0;
  std::optional<IpAddress> bindto;
  int bind_port = 0;
  std::string bind_if;
  std::optional<uint32_t> fwmark;
  friend bool operator==(const Target&, const Target&) = default;
};

// A checker's own keywords (urls, misc_path, payload, ...) where the configuration holds
// them. A plan refers to the configuration it was made from and must not outlive it (the
// checker loop keeps both): a copy was 888 bytes a checker, most of a TCP_CHECK's memory.
// Compared by value, so a reload can tell an unchanged checker.
class CheckerRef {
 public:
  CheckerRef() = default;
  explicit CheckerRef(const conf::Checker& c) : p_(&c) {}
  const conf::Checker& operator*() const { return *p_; }
  const conf::Checker* operator->() const { return p_; }
  friend bool operator==(const CheckerRef& a, const CheckerRef& b) {
    return a.p_ == b.p_ || (a.p_ && b.p_ && *a.p_ == *b.p_);
  }

 private:
  const conf::Checker* p_ = nullptr;
};

struct CheckSpec {
  conf::CheckerKind kind = conf::CheckerKind::kTcp;
  Timing timing;
  Target target;
  CheckerRef conf;
  std::string label;  // "HTTP_GET [10.0.0.11]:tcp:80", for logs and views
  // HTTP_GET / SSL_GET: the Host header when a url has no virtualhost of its own
  // (checker, then real_server, then virtual_server virtualhost; else the address).
  std::optional<std::string> virtualhost;
  // FILE_CHECK: the global track_file it names.
  std::string file_path;
  conf::Weight file_weight{1, false};
  // MISC_CHECK: misc_timeout, else the virtual server's delay_loop (check_misc.c), and
  // the script with the checker's own `user NAME [GROUP]` line applied.
  Micros misc_timeout{0};
  std::optional<conf::ScriptCommand> misc_script;
  // SMTP_CHECK: HELO name (checker, else global smtp_helo_name, else router_id).
  std::string helo_name;
  friend bool operator==(const CheckSpec&, const CheckSpec&) = default;
};

struct RealServerSpec {
  std::string key;  // keepalived's form, "[10.0.0.11]:tcp:80"; unique within its VS
  IpAddress addr;
  int port = 0;
  int weight = 1;
  bool inhibit_on_failure = false;
  bool alpha = false;
  bool smtp_alert = true;  // keepalived's backward-compatible default for real servers
  Micros slowstart{0};     // vipd: weight ramps from 1 to `weight` over it after a return
  std::optional<conf::ScriptCommand> notify_up, notify_down;
  std::vector<CheckSpec> checks;
  SourceLoc loc;
  friend bool operator==(const RealServerSpec&, const RealServerSpec&) = default;
};

struct VirtualServerSpec {
  std::string key;  // keepalived's FMT_VS: "[10.0.0.1]:tcp:80", "FWM 1", "[GROUP]:80"
  conf::L4Protocol protocol = conf::L4Protocol::kTcp;
  int quorum = 1, hysteresis = 0;
  bool omega = false, ha_suspend = false, smtp_alert = false;
  std::optional<conf::ScriptCommand> quorum_up, quorum_down;
  std::optional<conf::SorryServer> sorry;
  std::vector<RealServerSpec> real_servers;
  SourceLoc loc;
  friend bool operator==(const VirtualServerSpec&, const VirtualServerSpec&) = default;
};

struct Plan {
  std::vector<VirtualServerSpec> virtual_servers;
  size_t checkerCount() const;
};

// The plan refers to cfg's checkers: cfg must outlive it.
Plan makePlan(const conf::Config& cfg);

std::string_view checkerName(conf::CheckerKind k);  // "HTTP_GET", "TCP_CHECK", ...
// keepalived's FMT_VS: "[ADDR]:proto:PORT", "FWM N", "[GROUP]:PORT".
std::string virtualServerKey(const conf::VirtualServer& v, conf::L4Protocol proto);
// keepalived's "[ADDR]:proto:PORT".
std::string trio(const IpAddress& a, conf::L4Protocol p, int port);

}  // namespace vipd::check
