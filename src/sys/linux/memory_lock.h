#pragma once
// The daemon's memory lock (mlockall) and giving freed heap back to the kernel under it.
//
// Locked pages cannot be given back: glibc returns the free pages inside its heap with
// madvise(MADV_DONTNEED), which the kernel refuses for locked memory (mm/madvise.c, EINVAL
// on VM_LOCKED), so malloc_trim(3) does nothing while they are locked. libnftables' parse
// of the first transaction peaks at ~60 MiB for 1,000 x 10, and those pages then stayed
// resident for the daemon's life. With MCL_ONFAULT (vipd's default) a page is locked only
// once touched, so the lock can be lifted, the free pages returned and the lock taken again
// with the same flags: what is in use stays resident and locked, what was freed is gone.
#include <cstddef>

namespace vipd::sys {

// mlockall(flags), remembered for trimHeap(); 0 or an errno value.
int lockMemory(int flags);

// Returns the heap's free pages to the kernel (malloc_trim), lifting and retaking the lock
// around it when it was taken with MCL_ONFAULT. Under a lock without MCL_ONFAULT (vrrp_no_swap:
// every mapped page resident) it does nothing: retaking that lock would fault them all back in.
// Returns how many bytes of resident memory went.
size_t trimHeap();

}  // namespace vipd::sys
