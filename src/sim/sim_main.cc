// vipd-sim: run keepalived.conf files on a simulated LAN under a scripted fault and print
// what every virtual router does, and why. The engine and codec are the daemon's own.
//
//   vipd-sim --router r1=10.0.0.1:r1.conf --router r2=10.0.0.2:r2.conf
//   vipd-sim ... --at "5s kill r1" --at "12s start r1" --until 20s
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/instance_plan.h"
#include "sim/lan.h"
#include "sim/scenario.h"

namespace {

using namespace vipd;

void usage() {
  std::fputs(
      "usage: vipd-sim --router NAME=ADDRESS:CONFIG [--router ...] [options]\n"
      "  --router NAME=ADDRESS:CONFIG  a router with this primary address running the\n"
      "                                vrrp_instances of CONFIG (keepalived.conf syntax);\n"
      "                                instances on the same interface name share a segment\n"
      "  --at \"TIME ACTION [ARGS]\"     one fault step (see below); repeatable\n"
      "  --script FILE                 fault steps, one per line\n"
      "  --until TIME                  simulated time to run (default 20s)\n"
      "  --delay TIME [--jitter TIME]  one-way packet delay (default 100us)\n"
      "  --loss P                      packet loss probability 0..1\n"
      "  --seed N                      random seed for loss and jitter (default 1)\n"
      "actions: start NAME | stop NAME | kill NAME | priority NAME N | fault NAME [WHY] |\n"
      "         recover NAME | partition A,B | C | heal | loss P | delay TIME [JITTER]\n",
      stderr);
}

std::string seconds(sim::Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%9.3f s", static_cast<double>(t.count()) / 1e6);
  return buf;
}

struct RouterArg {
  std::string name, config;
  IpAddress addr;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<RouterArg> routers;
  std::vector<std::string> steps_text;
  sim::Micros until = std::chrono::seconds(20), delay{100}, jitter{0};
  double loss = 0;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "vipd-sim: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    auto duration = [&](sim::Micros& out) {
      std::string v = value();
      if (!sim::parseDuration(v, out)) {
        std::fprintf(stderr, "vipd-sim: %s: '%s' is not a time\n", a.c_str(), v.c_str());
        std::exit(2);
      }
    };
    if (a == "--router") {
      std::string v = value();
      auto eq = v.find('='), colon = v.find(':', eq == std::string::npos ? 0 : eq);
      std::optional<IpAddress> addr;
      if (eq != std::string::npos && colon != std::string::npos) {
        addr = IpAddress::parse(v.substr(eq + 1, colon - eq - 1));
      }
      if (!addr) {
        std::fprintf(stderr, "vipd-sim: --router wants NAME=ADDRESS:CONFIG, got '%s'\n", v.c_str());
        return 2;
      }
      routers.push_back({v.substr(0, eq), v.substr(colon + 1), *addr});
    } else if (a == "--at") {
      steps_text.push_back(value());
    } else if (a == "--script") {
      std::ifstream f(value());
      std::stringstream ss;
      ss << f.rdbuf();
      if (!f) {
        std::fprintf(stderr, "vipd-sim: cannot read %s\n", argv[i]);
        return 4;
      }
      steps_text.push_back(ss.str());
    } else if (a == "--until") {
      duration(until);
    } else if (a == "--delay") {
      duration(delay);
    } else if (a == "--jitter") {
      duration(jitter);
    } else if (a == "--loss") {
      loss = std::strtod(value().c_str(), nullptr);
    } else if (a == "--seed") {
      seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "vipd-sim: unknown option %s\n", a.c_str());
      usage();
      return 2;
    }
  }
  if (routers.empty()) {
    usage();
    return 2;
  }

  sim::Lan lan(seed);
  lan.setDelay(delay, jitter);
  lan.setLoss(loss);
  std::map<std::string, int> segments;
  for (const auto& r : routers) {
    auto loaded = conf::loadFile(r.config, conf::defaultPreprocessOptions(), false);
    if (!loaded.ok()) {
      std::fprintf(stderr, "vipd-sim: %s:\n%s", r.config.c_str(), loaded.diags.str().c_str());
      return loaded.file_missing ? 4 : 5;
    }
    for (const auto& inst : loaded.config.instances) {
      auto plan = core::planInstance(inst, loaded.config.global, r.addr);
      auto [seg, fresh] =
          segments.try_emplace(inst.interface.value_or(""), static_cast<int>(segments.size()));
      (void)fresh;
      lan.add(sim::RouterSpec{r.name + "/" + inst.name, plan.params, plan.rx, seg->second});
    }
  }

  std::vector<sim::Step> steps;
  std::vector<std::string> errors;
  for (const auto& t : steps_text)
    sim::parseScript(t, steps, errors);
  for (const auto& s : steps) {
    if (s.action == "partition" || s.action == "heal" || s.action == "loss" || s.action == "delay")
      continue;
    if (!s.args.empty() && sim::resolveRouters(lan, s.args[0]).empty())
      errors.push_back("step '" + s.action + " " + s.args[0] + "': no such router");
  }
  if (!errors.empty()) {
    for (const auto& e : errors)
      std::fprintf(stderr, "vipd-sim: %s\n", e.c_str());
    return 2;
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const sim::Step& x, const sim::Step& y) { return x.at < y.at; });

  lan.on_log = [&](const sim::LogEntry& e) {
    using K = sim::LogEntry::Kind;
    std::string who =
        e.kind == K::kNote && (e.text.rfind("network", 0) == 0) ? "-" : lan.name(e.router);
    if (e.kind == K::kTransition) {
      std::printf("%s  %-16s %s -> %s  %s: %s\n", seconds(e.at).c_str(), who.c_str(),
                  std::string(vrrp::toString(e.transition.from)).c_str(),
                  std::string(vrrp::toString(e.transition.to)).c_str(),
                  std::string(vrrp::toString(e.transition.reason)).c_str(), e.text.c_str());
    } else if (e.kind == K::kDrop) {
      std::printf("%s  %-16s dropped an advert: %s\n", seconds(e.at).c_str(), who.c_str(),
                  e.text.c_str());
    } else {
      std::printf("%s  %-16s %s\n", seconds(e.at).c_str(), who.c_str(), e.text.c_str());
    }
  };
  for (size_t r = 0; r < lan.size(); ++r)
    lan.start(r);
  for (const auto& s : steps) {
    lan.runUntil(s.at);
    if (auto err = sim::applyStep(lan, s); !err.empty()) {
      std::fprintf(stderr, "vipd-sim: step at line %d: %s\n", s.line, err.c_str());
      return 2;
    }
  }
  lan.runUntil(until);

  std::printf("\n%-16s %-7s %-6s %4s %8s %8s %7s\n", "router", "state", "vrid", "prio", "adverts",
              "masters", "running");
  for (size_t r = 0; r < lan.size(); ++r) {
    const auto& v = lan.router(r);
    std::printf("%-16s %-7s %-6d %4d %8llu %8llu %7s\n", lan.name(r).c_str(),
                std::string(vrrp::toString(v.state())).c_str(), v.params().vrid, v.priority(),
                static_cast<unsigned long long>(v.stats().adverts_sent),
                static_cast<unsigned long long>(v.stats().became_master),
                lan.running(r) ? "yes" : "no");
  }
  return 0;
}
