#include "daemon/options.h"

#include <gtest/gtest.h>

#include <csignal>

namespace vipd::daemon {
namespace {

TEST(Options, KeepalivedFlagsBundledAndSeparate) {
  auto r = parseOptions({"-nlD", "-f", "/etc/k.conf", "-P", "-p", "/run/a.pid", "-i", "main"});
  ASSERT_FALSE(r.error) << *r.error;
  const auto& o = r.options;
  EXPECT_TRUE(o.foreground && o.log_console && o.log_detail && o.vrrp_only);
  EXPECT_EQ(o.config_file, "/etc/k.conf");
  EXPECT_EQ(o.pid_file, "/run/a.pid");
  EXPECT_EQ(o.config_id, "main");
}

TEST(Options, LongFormsAndAttachedValues) {
  auto r =
      parseOptions({"--use-file=/x.conf", "--config-test", "--lenient", "-fother", "--dump-conf"});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.options.config_file, "other");  // the last -f wins
  EXPECT_TRUE(r.options.config_test);
  EXPECT_FALSE(r.options.config_test_log);
  EXPECT_TRUE(r.options.lenient);
  EXPECT_TRUE(r.options.dump_conf);
  auto t = parseOptions({"--config-test=/tmp/log"});
  EXPECT_EQ(t.options.config_test_log, "/tmp/log");
}

TEST(Options, Errors) {
  EXPECT_TRUE(parseOptions({"--bogus"}).error);
  EXPECT_TRUE(parseOptions({"-f"}).error);
  EXPECT_TRUE(parseOptions({"-Z"}).error);
  EXPECT_TRUE(parseOptions({"stray"}).error);
  EXPECT_TRUE(parseOptions({"--dont-fork=yes"}).error);
}

TEST(Options, SignalNumbersMatchKeepalived) {
  EXPECT_EQ(signalNumberFor("STOP"), SIGTERM);
  EXPECT_EQ(signalNumberFor("RELOAD"), SIGHUP);
  EXPECT_EQ(signalNumberFor("DATA"), SIGUSR1);
  EXPECT_EQ(signalNumberFor("STATS"), SIGUSR2);
  EXPECT_EQ(signalNumberFor("JSON"), SIGRTMIN + 2);
  EXPECT_FALSE(signalNumberFor("NOPE"));
}

}  // namespace
}  // namespace vipd::daemon
