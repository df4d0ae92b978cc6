// The process connector on the real kernel (root, initial network namespace: where CI runs;
// the namespace tests cover the /proc fallback).
#include "sys/linux/proc_events.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "sys/linux/child_process.h"

namespace vipd::sys {
namespace {

TEST(ProcEvents, SeesExecAndExitOfAChild) {
  ProcEvents events;
  auto r = spawn({{"/bin/sleep", "0.1"}, std::nullopt});
  ASSERT_TRUE(r.child);
  bool exec = false, exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(exec && exited) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{events.fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    events.drain([&](const ProcEvent& e) {
      if (e.pid != r.child->pid)
        return;
      exec |= e.kind == ProcEvent::Kind::kExec;
      exited |= e.kind == ProcEvent::Kind::kExit;
    });
  }
  EXPECT_TRUE(exec);
  EXPECT_TRUE(exited);
  EXPECT_EQ(WEXITSTATUS(reap(*r.child)), 0);
}

TEST(ChildProcess, ExitStatusAndMissingProgram) {
  auto ok = spawn({{"/bin/sh", "-c", "exit 3"}, std::nullopt});
  ASSERT_TRUE(ok.child);
  EXPECT_EQ(WEXITSTATUS(reap(*ok.child)), 3);
  auto missing = spawn({{"/nonexistent/vipd-test"}, std::nullopt});
  ASSERT_TRUE(missing.child);
  EXPECT_EQ(WEXITSTATUS(reap(*missing.child)), 127);
}

TEST(ChildProcess, SignalsAreUnblockedInTheChild) {
  // The daemon blocks SIGTERM for its signalfd; a script must still die of it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  auto r = spawn({{"/bin/sleep", "30"}, std::nullopt});
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ASSERT_TRUE(r.child);
  usleep(50'000);
  killGroup(*r.child, SIGTERM);
  const int st = reap(*r.child);
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGTERM);
}

}  // namespace
}  // namespace vipd::sys
