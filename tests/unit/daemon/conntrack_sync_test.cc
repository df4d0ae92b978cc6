#include "daemon/conntrack_sync.h"

#include <gtest/gtest.h>

#include <sstream>

namespace vipd::daemon {
namespace {

using Argv = std::vector<std::string>;

// conntrackd(8)'s primary-backup order: the commit first (the VIPs wait for it alone).
TEST(ConntrackSync, RequestsPerRole) {
  conf::ConntrackSync c;
  c.config = "/etc/ct.conf";
  c.program = "/usr/sbin/conntrackd";
  const Argv base{"/usr/sbin/conntrackd", "-C", "/etc/ct.conf"};
  auto with = [&](const char* flag) {
    Argv a = base;
    a.push_back(flag);
    return a;
  };
  EXPECT_EQ(conntrackdRequests(c, SyncRole::kMaster),
            (std::vector<Argv>{with("-c"), with("-f"), with("-R"), with("-B")}));
  EXPECT_EQ(conntrackdRequests(c, SyncRole::kBackup), (std::vector<Argv>{with("-t"), with("-n")}));
  EXPECT_EQ(conntrackdRequests(c, SyncRole::kFault), (std::vector<Argv>{with("-t")}));
}

TEST(ConntrackSync, LockFileOfConfig) {
  std::istringstream conf(
      "Sync {\n  Mode FTFW {\n  }\n}\nGeneral {\n  HashSize 8192\n"
      "\tLockFile   /var/lock/conntrack.lock\n  UNIX {\n    Path /run/ct.ctl\n  }\n}\n");
  EXPECT_EQ(lockFileOf(conf), "/var/lock/conntrack.lock");
  std::istringstream none("General {\n  LockFileX /a\n  LockFile\n}\n");
  EXPECT_EQ(lockFileOf(none), std::nullopt);
}

}  // namespace
}  // namespace vipd::daemon
