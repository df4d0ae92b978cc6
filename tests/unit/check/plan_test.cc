// The check plan: keepalived's inheritance and per-type defaults (check_data.c).
#include "check/plan.h"

#include <gtest/gtest.h>

#include <deque>
#include <regex>

#include "conf/config.h"

namespace vipd::check {
namespace {

// A plan refers to its configuration's checkers: the configurations stay for the whole run.
Plan planOf(const std::string& text) {
  static std::deque<conf::Config> configs;
  auto r = conf::loadText("t.conf", text, conf::defaultPreprocessOptions(), false);
  EXPECT_TRUE(r.ok()) << r.diags.str();
  return makePlan(configs.emplace_back(std::move(r.config)));
}

using std::chrono::microseconds;
constexpr microseconds s(double x) {
  return microseconds(static_cast<int64_t>(x * 1e6));
}

TEST(CheckPlan, DefaultsPerCheckerType) {
  auto p = planOf(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  real_server 10.0.0.11 80 {
    HTTP_GET {
      url {
        path /
      }
    }
    TCP_CHECK {
    }
    DNS_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
    }
  }
}
)");
  const auto& c = p.virtual_servers.at(0).real_servers.at(0).checks;
  ASSERT_EQ(c.size(), 4u);
  // HTTP_GET: retry 1, delay_before_retry 3 s; delay_loop 60 s, warmup = delay_loop.
  EXPECT_EQ(c[0].timing.retry, 1);
  EXPECT_EQ(c[0].timing.delay_before_retry, s(3));
  EXPECT_EQ(c[0].timing.delay_loop, s(60));
  EXPECT_EQ(c[0].timing.warmup, s(60));
  EXPECT_EQ(c[0].timing.connect_timeout, s(5));
  EXPECT_FALSE(c[0].timing.alpha);
  EXPECT_EQ(c[1].timing.delay_before_retry, s(1));
  // DNS_CHECK: retry 3, delay_before_retry = delay_loop.
  EXPECT_EQ(c[2].timing.retry, 3);
  EXPECT_EQ(c[2].timing.delay_before_retry, s(60));
  EXPECT_EQ(c[2].target.port, 80);
  // MISC_CHECK: retry 0; misc_timeout = the virtual server's delay_loop.
  EXPECT_EQ(c[3].timing.retry, 0);
  EXPECT_EQ(c[3].misc_timeout, s(60));
  EXPECT_EQ(c[0].label, "HTTP_GET [10.0.0.11]:tcp:80");
  EXPECT_EQ(p.virtual_servers[0].key, "[10.0.0.1]:tcp:80");
}

TEST(CheckPlan, InheritsCheckerThenRealServerThenVirtualServer) {
  auto p = planOf(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  delay_loop 10
  retry 4
  connect_timeout 2
  delay_before_retry 7
  alpha
  real_server 10.0.0.11 8080 {
    delay_loop 5
    warmup 1
    TCP_CHECK {
      connect_timeout 0.5
      connect_port 9000
      connect_ip 10.0.0.99
    }
    TCP_CHECK {
      retry 2
      alpha no
    }
  }
  real_server 10.0.0.12 {
    TCP_CHECK {
    }
  }
}
)");
  const auto& v = p.virtual_servers.at(0);
  const auto& a = v.real_servers.at(0).checks.at(0);
  EXPECT_EQ(a.timing.delay_loop, s(5));
  EXPECT_EQ(a.timing.warmup, s(1));
  EXPECT_EQ(a.timing.connect_timeout, s(0.5));
  EXPECT_EQ(a.timing.retry, 4);
  EXPECT_EQ(a.timing.delay_before_retry, s(7));
  EXPECT_TRUE(a.timing.alpha);
  EXPECT_EQ(a.target.port, 9000);
  EXPECT_EQ(a.target.addr.str(), "10.0.0.99");
  const auto& b = v.real_servers.at(0).checks.at(1);
  EXPECT_EQ(b.timing.retry, 2);
  EXPECT_FALSE(b.timing.alpha);
  EXPECT_EQ(b.timing.connect_timeout, s(2));
  EXPECT_EQ(b.target.port, 8080);
  // No port on the real server: the virtual server's.
  EXPECT_EQ(v.real_servers.at(1).port, 80);
  EXPECT_EQ(v.real_servers.at(1).checks.at(0).timing.delay_loop, s(10));
  EXPECT_EQ(v.real_servers.at(1).checks.at(0).timing.warmup, s(10));
}

TEST(CheckPlan, VirtualhostAndSmtpAlertDefaults) {
  auto p = planOf(R"(
virtual_server fwmark 7 {
  virtualhost vs.example
  real_server 10.0.0.11 80 {
    HTTP_GET {
      url {
        path /
      }
    }
  }
  real_server 10.0.0.12 80 {
    virtualhost rs.example
    smtp_alert no
    HTTP_GET {
      url {
        path /
      }
    }
  }
}
)");
  const auto& v = p.virtual_servers.at(0);
  EXPECT_EQ(v.key, "FWM 7");
  EXPECT_FALSE(v.smtp_alert);
  EXPECT_TRUE(v.real_servers[0].smtp_alert);  // keepalived's backward-compatible default
  EXPECT_FALSE(v.real_servers[1].smtp_alert);
  EXPECT_EQ(v.real_servers[0].checks[0].virtualhost, "vs.example");
  EXPECT_EQ(v.real_servers[1].checks[0].virtualhost, "rs.example");
}

TEST(CheckPlan, SmtpHostsAreCheckedEachAndUdpHexTakesWords) {
  auto p = planOf(R"(
virtual_server 10.0.0.1 25 {
  protocol TCP
  real_server 10.0.0.11 25 {
    SMTP_CHECK {
      connect_timeout 3
      host {
        connect_ip 10.0.0.21
        connect_port 2525
      }
      host {
        connect_ip 10.0.0.22
      }
    }
    UDP_CHECK {
      payload Ab12f 3 456
      require_reply
    }
  }
}
)");
  const auto& c = p.virtual_servers.at(0).real_servers.at(0).checks;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].label, "SMTP_CHECK [10.0.0.21]:tcp:2525");
  EXPECT_EQ(c[1].label, "SMTP_CHECK [10.0.0.22]:tcp:25");
  EXPECT_EQ(c[1].timing.connect_timeout, s(3));
  EXPECT_EQ(c[2].conf->payload, "Ab12f 3 456");
  EXPECT_EQ(c[2].conf->require_reply, "");
}

// A plan points at its configuration's checkers instead of copying them; specs still compare
// by the checkers' keywords, which is how a reload keeps the health of unchanged checkers.
TEST(CheckPlan, SpecsCompareByTheCheckersKeywords) {
  const char* a = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  real_server 10.0.0.11 80 {
    HTTP_GET {
      url {
        path /a
      }
    }
    MISC_CHECK {
      misc_path "/bin/check 1"
      user nobody
    }
  }
}
)";
  auto p1 = planOf(a);
  auto p2 = planOf(std::string("# moved down a line\n") + a);
  auto p3 = planOf(std::regex_replace(a, std::regex("path /a"), "path /b"));
  const auto& c1 = p1.virtual_servers.at(0).real_servers.at(0).checks;
  const auto& c2 = p2.virtual_servers.at(0).real_servers.at(0).checks;
  const auto& c3 = p3.virtual_servers.at(0).real_servers.at(0).checks;
  ASSERT_EQ(c1.size(), 2u);
  EXPECT_NE(&*c1[0].conf, &*c2[0].conf);
  EXPECT_EQ(c1[0], c2[0]);
  EXPECT_EQ(c1[1], c2[1]);
  EXPECT_NE(c1[0], c3[0]);
  EXPECT_EQ(c1[1], c3[1]);
  // MISC_CHECK's own `user` line applies to its script, not to the configuration's.
  ASSERT_TRUE(c1[1].misc_script);
  EXPECT_EQ(c1[1].misc_script->command, "/bin/check 1");
  EXPECT_EQ(c1[1].misc_script->user, "nobody");
  EXPECT_FALSE(c1[1].conf->misc_path->user);
}

}  // namespace
}  // namespace vipd::check
