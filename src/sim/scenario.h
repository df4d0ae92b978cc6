#pragma once
// vipd-sim's fault scripts: one step per line, "TIME ACTION [ARGS]", e.g.
//   5s    kill r1          # the process dies (no priority-0 advert)
//   8s    start r1
//   12s   stop r2          # graceful: priority 0
//   15s   partition r1 | r2,r3
//   20s   heal
//   22s   priority r3 50   # a tracker lowered the effective priority
//   25s   fault r3 link down / recover r3
//   30s   loss 0.2 / delay 2ms [jitter]
// A NAME is a router ("r1") and means each of its instances ("r1/VI_1", ...); "r1/VI_1"
// names one. Times take keepalived's units: 1.5 (seconds), 1500ms, 200us, 2s.

#include <string>
#include <vector>

#include "base/diag.h"
#include "sim/lan.h"

namespace vipd::sim {

struct Step {
  Time at{0};
  std::string action;
  std::vector<std::string> args;
  int line = 0;
};

// Parses a script; errors name the line. Returns false if any.
bool parseScript(const std::string& text, std::vector<Step>& out, std::vector<std::string>& errors);

// Routers that `name` designates: an exact name, or every "name/..." instance.
std::vector<size_t> resolveRouters(const Lan& lan, const std::string& name);

// Applies one step to the LAN (at the LAN's current time); an error text, or "" when done.
std::string applyStep(Lan& lan, const Step& s);

// "1.5" / "1500ms" / "200us" / "2s" -> microseconds.
bool parseDuration(const std::string& text, Micros& out);

}  // namespace vipd::sim
