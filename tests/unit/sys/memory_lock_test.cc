// Returning freed heap under the memory lock: the lock is lifted only around the trim, and
// taken again with the same flags.
#include "sys/linux/memory_lock.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace vipd::sys {
namespace {

long lockedKib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmLck:", 0) == 0)
      return std::stol(line.substr(6));
  }
  return -1;
}

// Many small blocks, touched, then all but the last freed: the free pages sit inside the
// heap, below a block still in use, where only malloc_trim's madvise can return them.
std::unique_ptr<char[]> fragment(std::vector<std::unique_ptr<char[]>>& blocks) {
  for (int i = 0; i < 32 * 1024; ++i) {
    blocks.emplace_back(new char[1024]);
    std::fill_n(blocks.back().get(), 1024, static_cast<char>(i));
  }
  auto keep = std::make_unique<char[]>(1024);
  blocks.clear();
  return keep;
}

// The sanitizers make mlockall a no-op (and ASan's allocator is not glibc's heap), so these
// run from a release build: scripts/test.sh builds and runs them after the ASan tier.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VIPD_NO_MEMORY_LOCK 1
#endif

TEST(MemoryLock, TrimKeepsTheOnFaultLockAndReturnsTheFreePages) {
#ifdef VIPD_NO_MEMORY_LOCK
  GTEST_SKIP() << "mlockall is a no-op under the sanitizers; run from the release build";
#endif
  ASSERT_EQ(lockMemory(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT), 0);
  std::vector<std::unique_ptr<char[]>> blocks;
  auto keep = fragment(blocks);
  const long before = lockedKib();
  ASSERT_GT(before, 0);
  EXPECT_GE(trimHeap(), size_t{16} << 20);
  EXPECT_LT(lockedKib(), before);
  // Locked again (VmLck counts the locked mappings), and mappings made from now on are
  // locked too (MCL_FUTURE retaken).
  const long after = lockedKib();
  EXPECT_GT(after, 0);
  void* m = ::mmap(nullptr, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(m, MAP_FAILED);
  EXPECT_EQ(lockedKib(), after + 4096);
  ::munmap(m, 4 << 20);
  ::munlockall();
}

TEST(MemoryLock, AFullLockIsLeftAlone) {
#ifdef VIPD_NO_MEMORY_LOCK
  GTEST_SKIP() << "mlockall is a no-op under the sanitizers; run from the release build";
#endif
  ASSERT_EQ(lockMemory(MCL_CURRENT | MCL_FUTURE), 0);
  std::vector<std::unique_ptr<char[]>> blocks;
  auto keep = fragment(blocks);
  const long before = lockedKib();
  EXPECT_EQ(trimHeap(), 0u);
  EXPECT_GE(lockedKib(), before);
  ::munlockall();
}

}  // namespace
}  // namespace vipd::sys
