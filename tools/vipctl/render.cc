#include "vipctl/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace vipctl {
namespace {

using nlohmann::json;

std::string paint(const Style& s, const std::string& text, const char* code) {
  return s.color ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

std::string stateWord(const Style& s, const std::string& state) {
  std::string up = state;
  std::transform(up.begin(), up.end(), up.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (state == "master")
    return paint(s, up, "1;32");
  if (state == "fault")
    return paint(s, up, "1;31");
  if (state == "backup")
    return paint(s, up, "33");
  return up;
}

std::string str(const json& j) {
  if (j.is_null())
    return "-";
  if (j.is_string())
    return j.get<std::string>();
  return j.dump();
}

// Columns padded on their visible width (colour codes take no room).
std::string table(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<size_t>& visible) {
  std::vector<size_t> width;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const size_t w = visible[r * rows[0].size() + c];
      if (width.size() <= c)
        width.push_back(0);
      width[c] = std::max(width[c], w);
    }
  }
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      out += rows[r][c];
      if (c + 1 < rows[r].size())
        out += std::string(width[c] - visible[r * rows[0].size() + c] + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string humanDuration(int64_t ms) {
  if (ms < 0)
    ms = 0;
  if (ms < 10'000)
    return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000);
  const int64_t s = ms / 1000;
  if (s < 3600)
    return fmt::format("{} min {} s", s / 60, s % 60);
  if (s < 86400)
    return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
  return fmt::format("{} d {} h", s / 86400, (s % 86400) / 3600);
}

std::string renderStatus(const json& r, const Style& s) {
  std::vector<std::vector<std::string>> rows{
      {"INSTANCE", "INTERFACE", "VRID", "STATE", "PRIO", "MASTER", "VIPS", "IN STATE"}};
  std::vector<size_t> visible;
  for (const auto& c : rows[0])
    visible.push_back(c.size());
  for (const auto& i : r.at("instances")) {
    std::string vips;
    for (const auto& v : i.at("vips"))
      vips += (vips.empty() ? "" : ",") + v.get<std::string>();
    const std::string state = i.at("state").get<std::string>();
    const std::string prio =
        i.at("priority") == i.at("base_priority")
            ? str(i.at("priority"))
            : fmt::format("{}/{}", str(i.at("priority")), str(i.at("base_priority")));
    std::vector<std::string> row{str(i.at("name")),
                                 str(i.at("interface")),
                                 str(i.at("vrid")),
                                 stateWord(s, state),
                                 prio,
                                 str(i.at("master")),
                                 vips.empty() ? "-" : vips,
                                 humanDuration(i.at("in_state_ms").get<int64_t>())};
    for (size_t c = 0; c < row.size(); ++c)
      visible.push_back(c == 3 ? state.size() : row[c].size());
    rows.push_back(std::move(row));
  }
  std::string out = table(rows, visible);
  for (const auto& i : r.at("instances")) {
    if (!i.at("fault").is_null())
      out += paint(s, fmt::format("{}: {}\n", str(i.at("name")), str(i.at("fault"))), "31");
  }
  if (r.contains("conntrack_sync")) {
    const auto& c = r.at("conntrack_sync");
    out += fmt::format(
        "conntrack_sync: follows {}, told {}, conntrackd {}; {} commit(s) ({} failed, {} timed "
        "out), the last {:.1f} ms\n",
        str(c.at("instance")),
        c.at("role").get<std::string>().empty() ? "nothing yet" : str(c.at("role")),
        c.at("conntrackd_running").get<bool>() ? "running" : paint(s, "not running", "31"),
        str(c.at("commits")), str(c.at("commit_failures")), str(c.at("commit_timeouts")),
        c.at("last_commit_ms").get<double>());
  }
  return out;
}

std::string renderShow(const json& r, const Style& s) {
  std::string out =
      fmt::format("{}  {}  vrid {} on {} ({}, VRRPv{})\n", paint(s, str(r.at("name")), "1"),
                  stateWord(s, r.at("state").get<std::string>()), str(r.at("vrid")),
                  str(r.at("interface")), str(r.at("family")), str(r.at("version")));
  out += fmt::format("  priority      {} (base {})\n", str(r.at("priority")),
                     str(r.at("base_priority")));
  out += fmt::format("  master        {} (priority {})\n", str(r.at("master")),
                     str(r.at("master_priority")));
  out += fmt::format("  in state      {}\n", humanDuration(r.at("in_state_ms").get<int64_t>()));
  const auto& c = r.at("config");
  out += fmt::format("  advert        every {} ms, {}, preempt {}{}, accept {}\n",
                     str(c.at("advert_interval_ms")),
                     c.at("unicast").get<bool>() ? "unicast" : "multicast",
                     c.at("preempt").get<bool>() ? "on" : "off",
                     c.at("preempt_delay_ms").get<int64_t>() > 0
                         ? fmt::format(" (delay {} ms)", str(c.at("preempt_delay_ms")))
                         : "",
                     c.at("accept").get<bool>() ? "on" : "off");
  std::string vips;
  for (const auto& v : r.at("vips"))
    vips += (vips.empty() ? "" : " ") + v.get<std::string>();
  out += fmt::format("  vips          {}\n", vips.empty() ? "-" : vips);
  if (!r.at("fault").is_null())
    out += paint(s, fmt::format("  fault         {}\n", str(r.at("fault"))), "31");
  const auto& k = r.at("counters");
  out += fmt::format(
      "  counters      sent {} received {} transitions {} garps {} prio0 sent/rcvd {}/{}\n",
      str(k.at("adverts_sent")), str(k.at("adverts_received")), str(k.at("transitions")),
      str(k.at("garps_sent")), str(k.at("priority_zero_sent")),
      str(k.at("priority_zero_received")));
  if (!k.at("drops").empty()) {
    out += "  drops        ";
    for (const auto& [reason, n] : k.at("drops").items())
      out += fmt::format(" {}={}", reason, str(n));
    out += "\n";
  }
  if (!r.at("trackers").empty()) {
    out += "  trackers\n";
    for (const auto& t : r.at("trackers")) {
      const bool up = t.at("up").get<bool>();
      out += fmt::format(
          "    {:<9} {:<20} {:<6} weight {:>4}{}  {}\n", str(t.at("kind")), str(t.at("name")),
          !t.at("known").get<bool>() ? "?" : paint(s, up ? "up" : "down", up ? "32" : "31"),
          str(t.at("weight")), t.at("reverse").get<bool>() ? " reverse" : "", str(t.at("detail")));
    }
  }
  if (!r.at("transitions").empty()) {
    out += "  last transitions\n";
    for (const auto& h : r.at("transitions")) {
      const int64_t at = h.at("at_ms").get<int64_t>();
      const std::time_t t = static_cast<std::time_t>(at / 1000);
      std::tm tm{};
      ::localtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
      out += fmt::format("    {}.{:03}  {} -> {}  {}: {}\n", buf, at % 1000, str(h.at("from")),
                         str(h.at("to")), str(h.at("reason")), str(h.at("detail")));
    }
  }
  return out;
}

std::string renderExplain(const json& r, const Style& s) {
  std::string out =
      fmt::format("{} is {}\n  {}\n", paint(s, str(r.at("name")), "1"),
                  stateWord(s, r.at("state").get<std::string>()), str(r.at("summary")));
  const auto& p = r.at("priority");
  out += fmt::format("  our priority     {} (base {}{})\n", str(p.at("effective")),
                     str(p.at("base")), p.at("owner").get<bool>() ? ", address owner" : "");
  const auto& m = r.at("master");
  if (!m.at("us").get<bool>())
    out += fmt::format("  master heard     {} priority {}\n", str(m.at("address")),
                       str(m.at("priority")));
  const auto& t = r.at("tie_break");
  if (t.at("applies").get<bool>())
    out += fmt::format("  tie-break        equal priority: {} > {} (higher primary address wins)\n",
                       str(t.at("their_address")), str(t.at("our_address")));
  const auto& pr = r.at("preempt");
  out += fmt::format(
      "  preempt          {}{}{}\n", pr.at("enabled").get<bool>() ? "on" : "off (nopreempt)",
      pr.at("delay_ms").get<int64_t>() > 0 ? fmt::format(", delay {} ms", str(pr.at("delay_ms")))
                                           : "",
      pr.at("pending_ms").is_null()
          ? ""
          : fmt::format(", preempting in {} ms", str(pr.at("pending_ms"))));
  if (!r.at("timer").is_null()) {
    const auto& tm = r.at("timer");
    out += fmt::format("  timer            {} in {} ms (interval {} ms)\n", str(tm.at("kind")),
                       str(tm.at("remaining_ms")), str(tm.at("interval_ms")));
  }
  for (const auto& f : r.at("trackers_down"))
    out += paint(s, fmt::format("  tracker down     {}\n", str(f)), "31");
  if (!r.at("last_transition").is_null()) {
    const auto& l = r.at("last_transition");
    out += fmt::format("  last transition  to {}: {}: {}\n", str(l.at("to")), str(l.at("reason")),
                       str(l.at("detail")));
  }
  return out;
}

std::string renderReload(const json& r, const Style&) {
  if (r.value("unchanged", false))
    return fmt::format("reloaded: the configuration reads the same; {} kept, nothing applied\n",
                       str(r.at("kept")));
  return fmt::format("reloaded: {} kept, {} updated in place, {} restarted, {} added, {} removed\n",
                     str(r.at("kept")), str(r.at("updated_in_place")), str(r.at("changed")),
                     str(r.at("added")), str(r.at("removed")));
}

}  // namespace vipctl

namespace vipctl {

// vipctl vs: a line per virtual server, then its real servers as a table.
std::string renderVirtualServers(const json& r, const Style& s) {
  std::string out;
  const auto& list = r.at("virtual_servers");
  if (list.empty())
    return "no virtual servers\n";
  for (const auto& v : list) {
    std::string head =
        fmt::format("VS {}  {} {} {}  quorum {} ({}+{})", paint(s, str(v.at("name")), "1"),
                    str(v.at("protocol")), str(v.at("scheduler")), str(v.at("method")),
                    v.at("quorum_up").get<bool>() ? paint(s, "up", "32") : paint(s, "lost", "1;31"),
                    str(v.at("quorum")), str(v.at("hysteresis")));
    if (!v.at("sorry_server").is_null())
      head += fmt::format("  sorry server {}{}", str(v.at("sorry_server")),
                          v.at("sorry_active").get<bool>() ? paint(s, " ACTIVE", "1;33") : "");
    if (v.value("ha_suspended", false))
      head += "  checks suspended (ha_suspend)";
    out += head + "\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<size_t> visible;
    for (const auto& rs : v.at("real_servers")) {
      const bool up = rs.at("state") == "up";
      const bool drained = rs.at("drained").get<bool>();
      const std::string state = drained ? "DRAINED" : up ? "UP" : "DOWN";
      const std::string painted = paint(s, state, drained ? "33" : up ? "32" : "1;31");
      std::string weight = fmt::format("weight {}", str(rs.at("weight")));
      if (!rs.at("weight_set").is_null())
        weight += " (set)";
      if (rs.value("ramping", false))
        weight += " (slowstart)";
      if (rs.value("flaps", 0) > 0)
        weight += fmt::format(", {} flap(s)", rs.value("flaps", 0));
      std::string pool = rs.at("in_pool").get<bool>() ? "in pool" : "out of pool";
      // The data plane's count of connections sent to it (NAT address front ends).
      if (rs.contains("traffic") && rs.at("traffic").is_object())
        pool += fmt::format(", {} conns", str(rs.at("traffic").at("conns")));
      std::string checks;
      for (const auto& c : rs.at("checkers")) {
        if (!checks.empty())
          checks += "; ";
        checks += fmt::format("{} {}", str(c.at("type")),
                              c.at("last").is_null() ? "not run yet" : str(c.at("last")));
        if (!c.at("latency_ms").is_null())
          checks += fmt::format(" ({:.1f} ms)", c.at("latency_ms").get<double>());
      }
      const std::string since = "for " + humanDuration(rs.at("since_ms").get<int64_t>());
      rows.push_back({"  " + str(rs.at("name")), painted, weight, pool, since, checks});
      for (const auto& cell : rows.back())
        visible.push_back(cell.size());
      visible[visible.size() - 5] = state.size();
    }
    if (!rows.empty())
      out += table(rows, visible);
  }
  return out;
}

}  // namespace vipctl
