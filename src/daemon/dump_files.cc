#include "daemon/dump_files.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

namespace vipd::daemon {
namespace {

// keepalived's numeric states in the JSON dump (vrrp.h): INIT 0, BACKUP 1, MASTER 2, FAULT 3.
int stateNumber(vrrp::State s) {
  switch (s) {
    case vrrp::State::kInit:
      return 0;
    case vrrp::State::kBackup:
      return 1;
    case vrrp::State::kMaster:
      return 2;
    case vrrp::State::kFault:
      return 3;
  }
  return 0;
}

uint64_t drops(const InstanceCounters& c, vrrp::DropReason r) {
  return c.drops[static_cast<size_t>(r)];
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\')
      out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(ch));
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::string formatData(const std::vector<VrrpRuntime::InstanceView>& v) {
  std::string out = "------< VRRP Topology >------\n";
  for (const auto& i : v) {
    out += fmt::format(" VRRP Instance = {}\n", i.name);
    out += fmt::format("   State = {}\n", vrrp::toString(i.state));
    out += fmt::format("   Master router = {}\n", i.master ? i.master->str() : "");
    out += fmt::format("   Interface = {}\n", i.ifname);
    out += fmt::format("   Virtual Router ID = {}\n", i.vrid);
    out += fmt::format("   Priority = {}\n", i.base_priority);
    out += fmt::format("   Effective priority = {}\n", i.priority);
  }
  return out;
}

std::string formatCheckData(const nlohmann::json& view) {
  std::string out = "------< Health checkers >------\n";
  auto str = [](const nlohmann::json& j) {
    return j.is_string() ? j.get<std::string>() : j.is_null() ? std::string() : j.dump();
  };
  for (const auto& v : view.value("virtual_servers", nlohmann::json::array())) {
    out += " ------< Virtual server >------\n";
    out += fmt::format(" VS = {} ({})\n", str(v["key"]), str(v["name"]));
    out += fmt::format("   protocol = {}\n", str(v["protocol"]));
    out += fmt::format("   lb_algo = {} (applied as {})\n", str(v["lb_algo"]), str(v["scheduler"]));
    out += fmt::format("   lb_kind = {}\n", str(v["method"]));
    out += fmt::format("   quorum = {}, hysteresis = {}\n", str(v["quorum"]), str(v["hysteresis"]));
    out += fmt::format("   quorum state = {}\n", v["quorum_up"].get<bool>() ? "UP" : "DOWN");
    if (!v["sorry_server"].is_null())
      out += fmt::format("   sorry server = {}{}\n", str(v["sorry_server"]),
                         v["sorry_active"].get<bool>() ? " (active)" : "");
    for (const auto& r : v["real_servers"]) {
      out += "   ------< Real server >------\n";
      out += fmt::format("   RS = {}, WEIGHT = {} EFF WEIGHT = {}\n", str(r["key"]),
                         str(r["configured_weight"]), str(r["weight"]));
      out += fmt::format("   alive = {}\n", r["state"] == "up" ? 1 : 0);
      out += fmt::format("   in pool = {}{}\n", r["in_pool"].get<bool>() ? "yes" : "no",
                         r["drained"].get<bool>() ? " (drained)" : "");
      out += fmt::format("   flaps = {}\n", str(r["flaps"]));
      for (const auto& c : r["checkers"])
        out += fmt::format("     {}: {}, last {}\n", str(c["label"]),
                           c["up"].get<bool>() ? "UP" : "DOWN", str(c["last"]));
    }
  }
  return out;
}

std::string formatStats(const std::vector<VrrpRuntime::InstanceView>& v) {
  std::string out;
  for (const auto& i : v) {
    const auto& c = i.counters;
    out += fmt::format("VRRP Instance: {}\n", i.name);
    out += fmt::format("  Advertisements:\n    Received: {}\n    Sent: {}\n", c.adverts_received,
                       c.adverts_sent);
    out += fmt::format("  Packet Errors:\n    Length: {}\n    TTL: {}\n    Invalid Type: {}\n",
                       drops(c, vrrp::DropReason::kTooShort), drops(c, vrrp::DropReason::kTtl),
                       drops(c, vrrp::DropReason::kType));
    out += fmt::format("    Advertisement Interval: {}\n    Address List: {}\n",
                       drops(c, vrrp::DropReason::kInterval),
                       drops(c, vrrp::DropReason::kAddressList));
    out += fmt::format(
        "  Authentication Errors:\n    Invalid Type: {}\n    Type Mismatch: {}\n    Failure: {}\n",
        drops(c, vrrp::DropReason::kAuthType), drops(c, vrrp::DropReason::kAhMismatch),
        drops(c, vrrp::DropReason::kAuthFailed) + drops(c, vrrp::DropReason::kAhIcv));
  }
  return out;
}

std::string formatJson(const std::vector<VrrpRuntime::InstanceView>& v) {
  std::string out = "[";
  for (size_t k = 0; k < v.size(); ++k) {
    const auto& i = v[k];
    const auto& c = i.counters;
    if (k)
      out += ",";
    out += fmt::format(
        "{{\"data\":{{\"iname\":{},\"state\":{},\"wantstate\":{},\"ifp_ifname\":{},"
        "\"vrid\":{},\"base_priority\":{},\"effective_priority\":{},\"master_ipaddr\":{}}},",
        jsonString(i.name), stateNumber(i.state), stateNumber(i.state), jsonString(i.ifname),
        i.vrid, i.base_priority, i.priority, jsonString(i.master ? i.master->str() : ""));
    out += fmt::format(
        "\"stats\":{{\"advert_rcvd\":{},\"advert_sent\":{},\"become_master\":{},"
        "\"release_master\":{},\"packet_len_err\":{},\"advert_interval_err\":{},"
        "\"ip_ttl_err\":{},\"invalid_type_rcvd\":{},\"addr_list_err\":{},"
        "\"invalid_authtype\":{},\"authtype_mismatch\":{},\"auth_failure\":{},"
        "\"pri_zero_rcvd\":{},\"pri_zero_sent\":{}}}}}",
        c.adverts_received, c.adverts_sent, i.became_master, i.released_master,
        drops(c, vrrp::DropReason::kTooShort), drops(c, vrrp::DropReason::kInterval),
        drops(c, vrrp::DropReason::kTtl), drops(c, vrrp::DropReason::kType),
        drops(c, vrrp::DropReason::kAddressList), drops(c, vrrp::DropReason::kAuthType),
        drops(c, vrrp::DropReason::kAhMismatch),
        drops(c, vrrp::DropReason::kAuthFailed) + drops(c, vrrp::DropReason::kAhIcv),
        i.priority_zero_received, i.priority_zero_sent);
  }
  return out + "]\n";
}

bool writeFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!(f << text))
      return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace vipd::daemon
