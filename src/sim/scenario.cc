#include "sim/scenario.h"

#include <sstream>

#include "base/text.h"

namespace vipd::sim {

bool parseDuration(const std::string& text, Micros& out) {
  struct Unit {
    const char* suffix;
    double scale;
  };
  for (Unit u : {Unit{"us", 1}, Unit{"ms", 1e3}, Unit{"s", 1e6}, Unit{"", 1e6}}) {
    std::string_view t(text);
    std::string_view suf(u.suffix);
    if (t.size() <= suf.size() || t.substr(t.size() - suf.size()) != suf)
      continue;
    std::string num(t.substr(0, t.size() - suf.size()));
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (end == num.c_str() || *end != '\0' || v < 0)
      return false;
    out = Micros(static_cast<int64_t>(v * u.scale + 0.5));
    return true;
  }
  return false;
}

bool parseScript(const std::string& text, std::vector<Step>& out,
                 std::vector<std::string>& errors) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  const size_t before = errors.size();
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.resize(hash);
    std::istringstream words(line);
    std::string at;
    if (!(words >> at))
      continue;
    Step s;
    s.line = n;
    if (!parseDuration(at, s.at)) {
      errors.push_back("line " + std::to_string(n) + ": '" + at + "' is not a time");
      continue;
    }
    if (!(words >> s.action)) {
      errors.push_back("line " + std::to_string(n) + ": no action after the time");
      continue;
    }
    for (std::string w; words >> w;)
      s.args.push_back(w);
    out.push_back(std::move(s));
  }
  return errors.size() == before;
}

std::vector<size_t> resolveRouters(const Lan& lan, const std::string& name) {
  std::vector<size_t> out;
  for (size_t i = 0; i < lan.size(); ++i) {
    const auto& n = lan.name(i);
    if (n == name ||
        (n.size() > name.size() && n.compare(0, name.size(), name) == 0 && n[name.size()] == '/')) {
      out.push_back(i);
    }
  }
  return out;
}

std::string applyStep(Lan& lan, const Step& s) {
  const auto& a = s.args;
  auto routers = [&](size_t k) {
    return k < a.size() ? resolveRouters(lan, a[k]) : std::vector<size_t>{};
  };
  auto need = [&](size_t n) { return a.size() >= n; };
  const std::string& act = s.action;
  if (act == "heal") {
    lan.heal();
    return "";
  }
  if (act == "loss" && need(1)) {
    lan.setLoss(std::strtod(a[0].c_str(), nullptr));
    return "";
  }
  if (act == "delay" && need(1)) {
    Micros d{0}, j{0};
    if (!parseDuration(a[0], d) || (a.size() > 1 && !parseDuration(a[1], j)))
      return "bad delay";
    lan.setDelay(d, j);
    return "";
  }
  if (act == "partition") {
    std::vector<std::set<size_t>> groups(1);
    for (const auto& w : a) {
      if (w == "|") {
        groups.emplace_back();
        continue;
      }
      for (const auto& part : split(w, ',')) {
        auto rs = resolveRouters(lan, part);
        if (rs.empty())
          return "no router '" + part + "'";
        groups.back().insert(rs.begin(), rs.end());
      }
    }
    lan.partition(groups);
    return "";
  }
  if (!need(1))
    return "'" + act + "' needs a router";
  auto rs = routers(0);
  if (rs.empty())
    return "no router '" + a[0] + "'";
  for (size_t r : rs) {
    if (act == "start") {
      lan.start(r);
    } else if (act == "stop") {
      lan.stop(r);
    } else if (act == "kill") {
      lan.kill(r);
    } else if (act == "priority" && need(2)) {
      lan.setPriority(r, std::atoi(a[1].c_str()));
    } else if (act == "fault" || act == "recover") {
      std::string why;
      for (size_t k = 1; k < a.size(); ++k)
        why += (k > 1 ? " " : "") + a[k];
      lan.setFault(r, act == "fault", why.empty() ? "fault" : why);
    } else {
      return "unknown action '" + act + "'";
    }
  }
  return "";
}

}  // namespace vipd::sim
