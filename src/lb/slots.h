#pragma once
// The lookup tables behind the nftables schedulers, pure. The data plane picks a slot
// (numgen for rr/wrr, jhash for sh/dh/mh) and the slot names a backend; these functions fill
// the slots the way IPVS's schedulers do, so the split over new connections is IPVS's.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lb/pool.h"

namespace vipd::lb {

// Most slots a weighted table may have; heavier weight sets are scaled down (each live
// backend keeps at least one slot), which bounds a rule's size.
inline constexpr size_t kMaxWrrSlots = 4096;
// IPVS's sh/dh table (IP_VS_SH_TAB_SIZE, IP_VS_DH_TAB_SIZE).
inline constexpr size_t kHashTableSize = 256;
// IPVS mh's default table size (a prime, ip_vs_mh.c primes[IP_VS_MH_TAB_INDEX - 8]).
inline constexpr size_t kMaglevSize = 4093;

// Weights divided by their greatest common divisor (and scaled so they add up to at most
// `cap`, each at least 1).
std::vector<int64_t> reducedWeights(const std::vector<Backend>& b, size_t cap);

// IPVS wrr's order (ip_vs_wrr.c): passes from the highest weight down, each pass taking
// every backend whose weight reaches it; length = sum of reduced weights.
std::vector<uint32_t> wrrSequence(const std::vector<Backend>& b);

// IPVS sh/dh's bucket table (ip_vs_sh_reassign): backends in turn, each taking as many
// consecutive buckets as its reduced weight, until the table is full.
std::vector<uint32_t> hashBuckets(const std::vector<Backend>& b, size_t size = kHashTableSize);

// Maglev (Eisenbud et al., NSDI 2016, section 3.4; IPVS mh): each backend walks its own
// permutation of the table (offset and skip from a fixed hash of address and port, so two
// directors with the same backends build the same table) and takes the next free slot, as
// many times per round as its reduced weight.
std::vector<uint32_t> maglevTable(const std::vector<Backend>& b, size_t size = kMaglevSize);

// IPVS fo: the backend of highest weight (the first such one).
uint32_t failoverChoice(const std::vector<Backend>& b);

// Consecutive equal slots as ranges, for a map's interval elements.
struct SlotRange {
  uint32_t first = 0, last = 0, backend = 0;
};
std::vector<SlotRange> slotRanges(const std::vector<uint32_t>& slots);

}  // namespace vipd::lb
