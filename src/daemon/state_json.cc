#include "daemon/state_json.h"

#include <fmt/format.h>

#include <chrono>

#include "metrics/exposition.h"

namespace vipd::daemon {
namespace {

using nlohmann::json;
using View = VrrpRuntime::InstanceView;

int64_t ms(vrrp::Micros d) {
  return d.count() / 1000;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json addr(const std::optional<IpAddress>& a) {
  return a ? json(a->str()) : json(nullptr);
}

json summary(const View& v) {
  return {{"name", v.name},
          {"interface", v.ifname},
          {"vrid", v.vrid},
          {"family", v.family},
          {"version", v.version},
          {"state", lower(vrrp::toString(v.state))},
          {"priority", v.priority},
          {"base_priority", v.base_priority},
          {"master", addr(v.master)},
          {"master_priority", v.master_priority},
          {"vips", v.vips},
          {"in_state_ms", ms(v.now - v.state_since)},
          {"fault", v.faulted ? json(v.fault_why) : json(nullptr)},
          {"sync_group", v.sync_group.empty() ? json(nullptr) : json(v.sync_group)}};
}

json trackerJson(const VrrpRuntime::TrackerView& t) {
  const auto space = t.key.find(' ');
  json j{{"kind", t.key.substr(0, space)},
         {"name", t.key.substr(space + 1)},
         {"weight", t.weight},
         {"reverse", t.reverse},
         {"known", t.status.known},
         {"up", t.status.up},
         {"detail", t.status.detail},
         {"runs", t.status.runs},
         {"failures", t.status.failures}};
  if (t.status.value)
    j["value"] = *t.status.value;
  return j;
}

const char* stateCode(vrrp::State s) {
  switch (s) {
    case vrrp::State::kInit:
      return "0";
    case vrrp::State::kBackup:
      return "1";
    case vrrp::State::kMaster:
      return "2";
    case vrrp::State::kFault:
      return "3";
  }
  return "0";
}

}  // namespace

json statusJson(const Views& views, const DaemonInfo& d) {
  json list = json::array();
  for (const auto& v : views)
    list.push_back(summary(v));
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  json out = {{"daemon",
               {{"pid", d.pid},
                {"version", d.version},
                {"config_file", d.config_file},
                {"uptime_ms", now_ms - d.started_wall_ms}}},
              {"instances", list}};
  if (const auto& c = d.conntrack) {
    out["conntrack_sync"] = {{"instance", c->instance},
                             {"role", c->role},
                             {"conntrackd_running", c->daemon_running},
                             {"commits", c->commits},
                             {"commit_failures", c->commit_failures},
                             {"commit_timeouts", c->commit_timeouts},
                             {"last_commit_ms", c->last_commit_ms}};
  }
  return out;
}

json showJson(const View& v) {
  json j = summary(v);
  j["config"] = {{"advert_interval_ms", ms(v.advert_interval)},
                 {"preempt", v.preempt},
                 {"preempt_delay_ms", ms(v.preempt_delay)},
                 {"accept", v.accept},
                 {"unicast", v.unicast},
                 {"source", addr(v.primary)}};
  json drops = json::object();
  for (size_t r = 0; r < v.counters.drops.size(); ++r) {
    if (v.counters.drops[r])
      drops[std::string(vrrp::toString(static_cast<vrrp::DropReason>(r)))] = v.counters.drops[r];
  }
  j["counters"] = {{"adverts_sent", v.counters.adverts_sent},
                   {"adverts_received", v.counters.adverts_received},
                   {"transitions", v.counters.transitions},
                   {"became_master", v.became_master},
                   {"released_master", v.released_master},
                   {"priority_zero_sent", v.priority_zero_sent},
                   {"priority_zero_received", v.priority_zero_received},
                   {"garps_sent", v.counters.garps_sent},
                   {"send_errors", v.counters.send_errors},
                   {"address_errors", v.counters.address_errors},
                   {"addresses_restored", v.counters.addresses_restored},
                   {"drops", drops}};
  json trackers = json::array();
  for (const auto& t : v.trackers)
    trackers.push_back(trackerJson(t));
  j["trackers"] = trackers;
  json hist = json::array();
  for (const auto& h : v.history) {
    hist.push_back({{"at_ms", h.wall_ms},
                    {"from", lower(vrrp::toString(h.from))},
                    {"to", lower(vrrp::toString(h.to))},
                    {"reason", h.reason},
                    {"detail", h.detail}});
  }
  j["transitions"] = hist;
  return j;
}

json explainJson(const View& v) {
  json reasons = json::array();
  std::string headline;
  const bool owner = v.base_priority == 255;
  json tie = {{"applies", false}};
  const auto ours = v.primary ? v.primary->str() : std::string();
  switch (v.state) {
    case vrrp::State::kInit:
      headline = v.started ? "stopped" : "waiting for the first result of its fault trackers";
      break;
    case vrrp::State::kFault:
      headline = "in FAULT: " + v.fault_why;
      reasons.push_back("fault: " + v.fault_why);
      break;
    case vrrp::State::kMaster:
      headline =
          owner ? "master: address owner (priority 255)"
                : fmt::format("master: no advert with a higher priority than {} heard", v.priority);
      reasons.push_back(
          fmt::format("effective priority {} (base {})", v.priority, v.base_priority));
      break;
    case vrrp::State::kBackup: {
      const std::string them = v.master ? v.master->str() : std::string("?");
      if (!v.master) {
        headline = "backup: no master heard yet; becomes master when the down timer fires";
      } else if (v.master_priority > v.priority) {
        headline = fmt::format("backup: master {} has priority {} > our {}", them,
                               v.master_priority, v.priority);
      } else if (v.master_priority == v.priority) {
        tie = {
            {"applies", true}, {"our_address", ours}, {"their_address", them}, {"winner", "them"}};
        headline = fmt::format(
            "backup: equal priority {}, and master {} has the higher primary address than our {}",
            v.priority, them, ours);
      } else if (!v.preempt) {
        headline =
            fmt::format("backup: master {} has lower priority {} < our {}, but nopreempt keeps it",
                        them, v.master_priority, v.priority);
      } else if (v.preempt_at) {
        headline =
            fmt::format("backup: preempting master {} (priority {} < our {}) after preempt_delay",
                        them, v.master_priority, v.priority);
      } else {
        headline = fmt::format(
            "backup: master {} has lower priority {} < our {}; taking over when the down timer "
            "fires",
            them, v.master_priority, v.priority);
      }
      break;
    }
  }
  json timer = nullptr;
  if (v.deadline) {
    timer = {{"kind", v.state == vrrp::State::kMaster ? "advert" : "master_down"},
             {"remaining_ms", ms(*v.deadline - v.now)},
             {"interval_ms",
              ms(v.state == vrrp::State::kMaster ? v.advert_interval : v.master_down_interval)}};
  }
  json faults = json::array();
  for (const auto& t : v.trackers) {
    if (t.status.known && !t.status.up)
      faults.push_back(t.key +
                       (t.weight == 0 ? " (fault)" : fmt::format(" (weight {})", t.weight)));
  }
  return {{"name", v.name},
          {"state", lower(vrrp::toString(v.state))},
          {"summary", headline},
          {"reasons", reasons},
          {"priority", {{"effective", v.priority}, {"base", v.base_priority}, {"owner", owner}}},
          {"master",
           {{"address", addr(v.master)},
            {"priority", v.master_priority},
            {"us", v.state == vrrp::State::kMaster}}},
          {"tie_break", tie},
          {"preempt",
           {{"enabled", v.preempt},
            {"delay_ms", ms(v.preempt_delay)},
            {"pending_ms", v.preempt_at ? json(ms(*v.preempt_at - v.now)) : json(nullptr)}}},
          {"timer", timer},
          {"trackers_down", faults},
          {"last_transition", v.history.empty()
                                  ? json(nullptr)
                                  : json{{"to", lower(vrrp::toString(v.history.back().to))},
                                         {"reason", v.history.back().reason},
                                         {"detail", v.history.back().detail}}}};
}

std::string metricsText(const Views& views, const DaemonInfo& d) {
  metrics::Exposition e;
  e.family("keepalived_up", "gauge", "1 while vipd is running (keepalived-exporter name).");
  e.sample({}, 1);
  auto base = [](const View& v) {
    return metrics::Labels{{"iname", v.name},
                           {"intf", v.ifname},
                           {"vrid", std::to_string(v.vrid)},
                           {"state", lower(vrrp::toString(v.state))}};
  };
  e.family("keepalived_vrrp_state", "gauge",
           "Instance state: 0 init, 1 backup, 2 master, 3 fault (one series per VIP).");
  for (const auto& v : views) {
    for (const auto& vip : v.vips) {
      const std::string ip = vip.substr(0, vip.find('/'));
      e.sample({{"iname", v.name},
                {"intf", v.ifname},
                {"vrid", std::to_string(v.vrid)},
                {"ip_address", ip}},
               std::stod(stateCode(v.state)));
    }
  }
  auto counter = [&](const char* name, const char* help, auto value) {
    e.family(name, "counter", help);
    for (const auto& v : views)
      e.sample(base(v), static_cast<double>(value(v)));
  };
  using R = vrrp::DropReason;
  auto drop = [](const View& v, R r) { return v.counters.drops[static_cast<size_t>(r)]; };
  counter("keepalived_advertisements_received_total", "VRRP adverts accepted.",
          [](const View& v) { return v.counters.adverts_received; });
  counter("keepalived_advertisements_sent_total", "VRRP adverts sent.",
          [](const View& v) { return v.counters.adverts_sent; });
  counter("keepalived_become_master_total", "Transitions to MASTER.",
          [](const View& v) { return v.became_master; });
  counter("keepalived_release_master_total", "Transitions out of MASTER.",
          [](const View& v) { return v.released_master; });
  counter("keepalived_packet_length_errors_total", "Adverts dropped as too short.",
          [&](const View& v) { return drop(v, R::kTooShort); });
  counter("keepalived_advertisements_interval_errors_total",
          "Adverts dropped for a wrong interval (v2).",
          [&](const View& v) { return drop(v, R::kInterval); });
  counter("keepalived_ip_ttl_errors_total", "Adverts dropped for a TTL other than 255.",
          [&](const View& v) { return drop(v, R::kTtl); });
  counter("keepalived_invalid_type_received_total", "Adverts dropped for their type.",
          [&](const View& v) { return drop(v, R::kType); });
  counter("keepalived_address_list_errors_total", "Adverts dropped for their address list.",
          [&](const View& v) { return drop(v, R::kAddressList); });
  counter("keepalived_authentication_invalid_total", "Adverts with another auth type.",
          [&](const View& v) { return drop(v, R::kAuthType); });
  counter("keepalived_authentication_mismatch_total", "Adverts with or without AH unexpectedly.",
          [&](const View& v) { return drop(v, R::kAhMismatch); });
  counter("keepalived_authentication_failure_total", "Adverts failing authentication.",
          [&](const View& v) { return drop(v, R::kAuthFailed) + drop(v, R::kAhIcv); });
  counter("keepalived_priority_zero_received_total", "Priority-0 adverts received.",
          [](const View& v) { return v.priority_zero_received; });
  counter("keepalived_priority_zero_sent_total", "Priority-0 adverts sent.",
          [](const View& v) { return v.priority_zero_sent; });
  // vipd's own.
  auto gauge = [&](const char* name, const char* help, auto value) {
    e.family(name, "gauge", help);
    for (const auto& v : views)
      e.sample(base(v), static_cast<double>(value(v)));
  };
  gauge("vipd_vrrp_priority", "Effective priority (base plus trackers).",
        [](const View& v) { return v.priority; });
  gauge("vipd_vrrp_base_priority", "Configured priority.",
        [](const View& v) { return v.base_priority; });
  gauge("vipd_vrrp_state_seconds", "Seconds in the current state.",
        [](const View& v) { return static_cast<double>((v.now - v.state_since).count()) / 1e6; });
  counter("vipd_vrrp_transitions_total", "State transitions.",
          [](const View& v) { return v.counters.transitions; });
  counter("vipd_gratuitous_arps_sent_total", "Gratuitous ARPs and unsolicited NAs sent.",
          [](const View& v) { return v.counters.garps_sent; });
  e.family("vipd_vrrp_drops_total", "counter", "Received packets dropped, by reason.");
  for (const auto& v : views) {
    for (size_t r = 0; r < v.counters.drops.size(); ++r) {
      auto l = base(v);
      l.emplace_back("reason", std::string(vrrp::toString(static_cast<R>(r))));
      e.sample(l, static_cast<double>(v.counters.drops[r]));
    }
  }
  // Trackers: one series per tracker (not per instance using it).
  std::map<std::string, TrackerStatus> trackers;
  for (const auto& v : views) {
    for (const auto& t : v.trackers)
      trackers[t.key] = t.status;
  }
  e.family("keepalived_script_status", "gauge", "vrrp_script result: 1 good, 0 failing.");
  for (const auto& [key, st] : trackers) {
    if (key.rfind("script ", 0) == 0)
      e.sample({{"name", key.substr(7)}}, st.up ? 1 : 0);
  }
  e.family("vipd_tracker_up", "gauge", "Tracker state: 1 up, 0 down.");
  for (const auto& [key, st] : trackers) {
    const auto sp = key.find(' ');
    e.sample({{"kind", key.substr(0, sp)}, {"name", key.substr(sp + 1)}}, st.up ? 1 : 0);
  }
  e.family("vipd_script_runs_total", "counter", "vrrp_script runs.");
  for (const auto& [key, st] : trackers) {
    if (key.rfind("script ", 0) == 0)
      e.sample({{"name", key.substr(7)}}, static_cast<double>(st.runs));
  }
  e.family("vipd_script_failures_total", "counter", "vrrp_script runs that failed or timed out.");
  for (const auto& [key, st] : trackers) {
    if (key.rfind("script ", 0) == 0)
      e.sample({{"name", key.substr(7)}}, static_cast<double>(st.failures));
  }
  const auto& n = d.notify;
  e.family("vipd_notify_scripts_total", "counter", "Notify scripts started.");
  e.sample({}, static_cast<double>(n.scripts_run));
  e.family("vipd_notify_script_failures_total", "counter", "Notify scripts that failed.");
  e.sample({}, static_cast<double>(n.script_failures));
  e.family("vipd_notify_fifo_lines_total", "counter", "Lines written to notify FIFOs.");
  e.sample({}, static_cast<double>(n.fifo_lines));
  e.family("vipd_smtp_alerts_total", "counter", "SMTP alerts by result.");
  e.sample({{"result", "sent"}}, static_cast<double>(n.mails_sent));
  e.sample({{"result", "failed"}}, static_cast<double>(n.mail_failures));
  if (const auto& c = d.conntrack) {
    e.family("vipd_conntrack_commits_total", "counter",
             "conntrack_sync commits a new master's VIPs waited for, by result.");
    e.sample({{"result", "ok"}},
             static_cast<double>(c->commits - c->commit_failures - c->commit_timeouts));
    e.sample({{"result", "failed"}}, static_cast<double>(c->commit_failures));
    e.sample({{"result", "timeout"}}, static_cast<double>(c->commit_timeouts));
    e.family("vipd_conntrack_last_commit_seconds", "gauge",
             "How long the VIPs waited for the last commit.");
    e.sample({}, c->last_commit_ms / 1000.0);
    e.family("vipd_conntrack_daemon_up", "gauge", "1 while the conntrackd vipd runs is running.");
    e.sample({}, c->daemon_running ? 1 : 0);
    e.family("vipd_conntrack_daemon_starts_total", "counter", "conntrackd starts (restarts).");
    e.sample({}, static_cast<double>(c->daemon_starts));
    e.family("vipd_conntrack_request_failures_total", "counter",
             "conntrackd requests other than the commit that failed.");
    e.sample({}, static_cast<double>(c->request_failures));
  }
  return e.text();
}

}  // namespace vipd::daemon
