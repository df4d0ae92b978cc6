// Adoption of what scripts leave behind: /proc/PID/stat parsing, and a real script that
// starts a daemon (setsid, so out of the script's process group) and exits.
#include "sys/linux/child_process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <thread>

namespace vipd::sys {
namespace {

TEST(ProcStat, CommandWithSpacesAndParentheses) {
  auto st = parseProcStat("4242 (a (b) c) S 17 4242 4242 0 -1 4194560 93 0 0 0");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 17);
  EXPECT_EQ(st->pgrp, 4242);
  st = parseProcStat("7 (sleep) Z 1 7");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'Z');
}

TEST(ProcStat, NotOne) {
  EXPECT_FALSE(parseProcStat(""));
  EXPECT_FALSE(parseProcStat("12 (x)"));
  EXPECT_FALSE(parseProcStat("12 (x) S"));
  EXPECT_FALSE(parseProcStat("12 (x) S abc 3"));
  EXPECT_FALSE(parseProcStat("12 (x) S -5 3"));
}

bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

TEST(Adoption, ADaemonLeftByAScriptIsAdoptedReapedAndStopped) {
  becomeSubreaper();
  // The daemon ignores SIGTERM: stopAdopted must fall back to SIGKILL.
  auto r = spawn({{"/bin/sh", "-c", "setsid sh -c 'trap \"\" TERM; sleep 30' & exit 0"}, {}});
  ASSERT_TRUE(r.child);
  pollfd p{r.child->pidfd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  const int status = reap(*r.child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The script's exit reparents its background child to us (it may not have exec'ed yet:
  // poll for it).
  std::vector<Adopted> fresh;
  for (int i = 0; i < 100 && fresh.empty(); ++i) {
    fresh = scanAdopted().fresh;
    if (fresh.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(fresh.size(), 1U);
  const pid_t daemon = fresh[0].pid;
  EXPECT_TRUE(alive(daemon));
  EXPECT_EQ(adoptedCount(), 1U);
  EXPECT_TRUE(scanAdopted().fresh.empty());  // logged once
  const auto t0 = std::chrono::steady_clock::now();
  const auto stopped = stopAdopted(std::chrono::milliseconds(200));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_GE(stopped.size(), 1U);
  EXPECT_EQ(stopped[0].pid, daemon);
  EXPECT_LT(took, std::chrono::milliseconds(1200));
  EXPECT_FALSE(alive(daemon));  // killed and reaped: no zombie either
  EXPECT_EQ(adoptedCount(), 0U);
}

TEST(Adoption, OurOwnScriptsAreNotAdopted) {
  auto r = spawn({{"/bin/sleep", "5"}, {}});
  ASSERT_TRUE(r.child);
  const auto scan = scanAdopted();
  for (const auto& a : scan.fresh)
    EXPECT_NE(a.pid, r.child->pid);
  killGroup(*r.child, SIGKILL);
  reap(*r.child);
}

}  // namespace
}  // namespace vipd::sys
