#pragma once
// One attempt of a network checker (TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, DNS_CHECK,
// UDP_CHECK, PING_CHECK) against its real server: non-blocking, on the checker loop,
// bounded by connect_timeout for the whole attempt. The verdict rules are the pure ones in
// src/check; this only moves bytes.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "check/datagram.h"
#include "check/http.h"
#include "check/plan.h"
#include "probe/stream.h"

namespace vipd::probe {

struct Outcome {
  bool ok = false;
  std::string reason;  // empty when ok
  // The attempt could not be made for want of this host's resources (no descriptor left):
  // no verdict on the server (base/resources.h).
  bool local = false;
};
using Done = std::function<void(Outcome)>;

// What a checker needs that can be worked out once per configuration: compiled regexes,
// parsed hex payloads. `prepare` reports what is wrong with the checker's keywords, so
// `vipd -t` can refuse it at its line.
struct Prepared {
  std::vector<std::unique_ptr<check::Regex>> regex;  // per url (nullptr: none)
  check::UdpRule udp;
  std::vector<uint8_t> payload;
};
std::unique_ptr<Prepared> prepare(const check::CheckSpec& spec, std::string& error);

class Attempt {
 public:
  virtual ~Attempt() = default;
};

// Starts an attempt; `done` is called once, from the loop, as the attempt's last action
// (the caller may destroy the attempt inside it). `spec` and `prep` must outlive it.
std::unique_ptr<Attempt> start(Env& env, const check::CheckSpec& spec, const Prepared& prep,
                               Done done);

}  // namespace vipd::probe
