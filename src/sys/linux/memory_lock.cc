#include "sys/linux/memory_lock.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace vipd::sys {
namespace {

std::atomic<int> locked_flags{-1};  // -1: not locked

size_t residentBytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

int lockMemory(int flags) {
  if (::mlockall(flags) != 0)
    return errno;
  locked_flags = flags;
  return 0;
}

size_t trimHeap() {
  const int flags = locked_flags;
  if (flags != -1 && !(flags & MCL_ONFAULT))
    return 0;
  const size_t before = residentBytes();
  if (flags != -1)
    ::munlockall();
  ::malloc_trim(0);
  if (flags != -1)
    ::mlockall(flags);
  const size_t after = residentBytes();
  return before > after ? before - after : 0;
}

}  // namespace vipd::sys
