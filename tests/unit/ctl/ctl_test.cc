// The control protocol's request parsing, the Prometheus text writer, and `explain` on
// constructed snapshots (every branch a person reads).
#include <gtest/gtest.h>

#include "ctl/protocol.h"
#include "daemon/state_json.h"
#include "metrics/exposition.h"
#include "metrics/http_server.h"

namespace vipd {
namespace {

TEST(Protocol, ParsesRequestsFromTheCommandTable) {
  std::string err;
  auto r = ctl::parseRequest(R"({"v":1,"cmd":"show","instance":"VI_1"})", err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->cmd, "show");
  EXPECT_EQ(r->instance, "VI_1");
  EXPECT_EQ(ctl::toJson(*r).dump(), R"({"cmd":"show","instance":"VI_1","v":1})");
  // Positional words travel as "args" (absent when there are none).
  auto rs =
      ctl::parseRequest(R"({"v":1,"cmd":"rs","args":["drain","10.0.0.1:80","10.0.1.1:80"]})", err);
  ASSERT_TRUE(rs) << err;
  EXPECT_EQ(rs->args, (std::vector<std::string>{"drain", "10.0.0.1:80", "10.0.1.1:80"}));
  EXPECT_EQ(ctl::toJson(*rs).dump(),
            R"({"args":["drain","10.0.0.1:80","10.0.1.1:80"],"cmd":"rs","v":1})");
}

TEST(Protocol, RefusesWithAReason) {
  std::string err;
  EXPECT_FALSE(ctl::parseRequest("not json", err));
  EXPECT_EQ(err, "request is not a JSON object");
  EXPECT_FALSE(ctl::parseRequest(R"({"v":2,"cmd":"status"})", err));
  EXPECT_NE(err.find("unsupported protocol version"), std::string::npos);
  EXPECT_FALSE(ctl::parseRequest(R"({"v":1,"cmd":"format_disk"})", err));
  EXPECT_EQ(err, "unknown command 'format_disk'");
  EXPECT_FALSE(ctl::parseRequest(R"({"v":1,"cmd":"explain"})", err));
  EXPECT_EQ(err, "'explain' needs an instance name");
  EXPECT_FALSE(ctl::parseRequest(R"({"v":1,"cmd":"show","instance":7})", err));
  EXPECT_FALSE(ctl::parseRequest(R"({"v":1,"cmd":"rs","args":["drain",7]})", err));
  EXPECT_EQ(err, "\"args\" must be an array of strings");
}

TEST(Exposition, EscapesLabelsAndWritesIntegersPlainly) {
  metrics::Exposition e;
  e.family("x_total", "counter", "help text");
  e.sample({{"name", "a\"b\\c\nd"}}, 3);
  e.sample({}, 0.5);
  EXPECT_EQ(e.text(),
            "# HELP x_total help text\n# TYPE x_total counter\n"
            "x_total{name=\"a\\\"b\\\\c\\nd\"} 3\nx_total 0.5\n");
}

TEST(HttpServer, ParsesListenAddresses) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(metrics::parseListen("127.0.0.1:9650", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9650);
  EXPECT_TRUE(metrics::parseListen("[::1]:80", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_TRUE(metrics::parseListen(":9650", host, port));
  EXPECT_EQ(host, "");
  EXPECT_FALSE(metrics::parseListen("9650", host, port));
  EXPECT_FALSE(metrics::parseListen("h:70000", host, port));
}

daemon::VrrpRuntime::InstanceView backupView(int ours, int theirs) {
  daemon::VrrpRuntime::InstanceView v;
  v.name = "VI_1";
  v.state = vrrp::State::kBackup;
  v.priority = v.base_priority = ours;
  v.master = IpAddress::parse("10.0.0.2");
  v.primary = IpAddress::parse("10.0.0.1");
  v.master_priority = theirs;
  v.now = vrrp::Time(10'000'000);
  v.deadline = vrrp::Time(10'200'000);
  v.master_down_interval = vrrp::Micros(3'609'000);
  v.started = true;
  return v;
}

TEST(Explain, HigherPriorityMaster) {
  auto j = daemon::explainJson(backupView(100, 150));
  EXPECT_EQ(j["state"], "backup");
  EXPECT_EQ(j["master"]["priority"], 150);
  EXPECT_FALSE(j["tie_break"]["applies"]);
  EXPECT_EQ(j["timer"]["kind"], "master_down");
  EXPECT_EQ(j["timer"]["remaining_ms"], 200);
}

TEST(Explain, TieBrokenByAddress) {
  auto j = daemon::explainJson(backupView(100, 100));
  EXPECT_TRUE(j["tie_break"]["applies"]);
  EXPECT_EQ(j["tie_break"]["their_address"], "10.0.0.2");
  EXPECT_EQ(j["tie_break"]["our_address"], "10.0.0.1");
}

TEST(Explain, NopreemptKeepsALowerMaster) {
  auto v = backupView(150, 100);
  v.preempt = false;
  auto j = daemon::explainJson(v);
  EXPECT_FALSE(j["preempt"]["enabled"]);
  EXPECT_NE(j["summary"].get<std::string>().find("nopreempt"), std::string::npos);
}

TEST(Explain, PreemptDelayPending) {
  auto v = backupView(150, 100);
  v.preempt_delay = vrrp::Micros(5'000'000);
  v.preempt_at = vrrp::Time(12'000'000);
  auto j = daemon::explainJson(v);
  EXPECT_EQ(j["preempt"]["pending_ms"], 2000);
  EXPECT_EQ(j["preempt"]["delay_ms"], 5000);
}

TEST(Explain, FaultNamesTheTracker) {
  auto v = backupView(100, 150);
  v.state = vrrp::State::kFault;
  v.faulted = true;
  v.fault_why = "script chk_nginx exited with status 7";
  daemon::TrackerStatus st;
  st.key = "script chk_nginx";
  st.known = true;
  st.up = false;
  v.trackers.push_back({"script chk_nginx", 0, false, st});
  auto j = daemon::explainJson(v);
  EXPECT_EQ(j["state"], "fault");
  EXPECT_EQ(j["trackers_down"][0], "script chk_nginx (fault)");
  EXPECT_NE(j["summary"].get<std::string>().find("chk_nginx"), std::string::npos);
}

TEST(Metrics, KeepalivedExporterNamesAndStateCodes) {
  auto v = backupView(100, 150);
  v.vips = {"10.0.0.100/24"};
  const std::string text = daemon::metricsText({v}, {});
  EXPECT_NE(text.find("keepalived_vrrp_state{iname=\"VI_1\",intf=\"\",vrid=\"0\","
                      "ip_address=\"10.0.0.100\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE keepalived_advertisements_received_total counter"),
            std::string::npos);
}

}  // namespace
}  // namespace vipd
