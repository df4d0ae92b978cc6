#include "lb/slots.h"

#include <algorithm>
#include <numeric>

namespace vipd::lb {
namespace {

// FNV-1a over the backend's address and port, seeded: fixed, so every director computes
// the same permutation for the same backend.
uint64_t backendHash(const Backend& b, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  auto mix = [&h](uint8_t byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  const size_t n = b.addr.isV4() ? 4 : 16;
  for (size_t i = 0; i < n; ++i)
    mix(b.addr.bytes()[i]);
  mix(static_cast<uint8_t>(b.port >> 8));
  mix(static_cast<uint8_t>(b.port & 0xff));
  // A final avalanche (splitmix64) so that neighbouring addresses spread.
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

std::vector<int64_t> reducedWeights(const std::vector<Backend>& b, size_t cap) {
  std::vector<int64_t> w;
  w.reserve(b.size());
  int64_t g = 0;
  for (const auto& x : b)
    g = std::gcd(g, std::max<int64_t>(1, x.weight));
  int64_t sum = 0;
  for (const auto& x : b) {
    w.push_back(std::max<int64_t>(1, x.weight) / std::max<int64_t>(1, g));
    sum += w.back();
  }
  if (sum > static_cast<int64_t>(cap) && !w.empty()) {
    const double scale =
        static_cast<double>(cap - b.size()) / static_cast<double>(std::max<int64_t>(1, sum));
    for (auto& x : w)
      x = 1 + static_cast<int64_t>(static_cast<double>(x) * scale);
  }
  return w;
}

std::vector<uint32_t> wrrSequence(const std::vector<Backend>& b) {
  const auto w = reducedWeights(b, kMaxWrrSlots);
  std::vector<uint32_t> seq;
  const int64_t mw = w.empty() ? 0 : *std::max_element(w.begin(), w.end());
  for (int64_t cw = mw; cw > 0; --cw) {
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] >= cw)
        seq.push_back(static_cast<uint32_t>(i));
    }
  }
  return seq;
}

std::vector<uint32_t> hashBuckets(const std::vector<Backend>& b, size_t size) {
  std::vector<uint32_t> t;
  if (b.empty())
    return t;
  const auto w = reducedWeights(b, size);
  t.reserve(size);
  size_t i = 0;
  int64_t taken = 0;
  while (t.size() < size) {
    t.push_back(static_cast<uint32_t>(i));
    if (++taken >= w[i]) {
      taken = 0;
      i = (i + 1) % b.size();
    }
  }
  return t;
}

std::vector<uint32_t> maglevTable(const std::vector<Backend>& b, size_t size) {
  constexpr uint32_t kFree = UINT32_MAX;
  std::vector<uint32_t> t(size, kFree);
  if (b.empty())
    return {};
  const auto turns = reducedWeights(b, size);
  std::vector<uint64_t> offset(b.size()), skip(b.size()), next(b.size(), 0);
  for (size_t i = 0; i < b.size(); ++i) {
    offset[i] = backendHash(b[i], 0x5eed0ff5e7) % size;
    skip[i] = backendHash(b[i], 0x5eed5c1b) % (size - 1) + 1;
  }
  size_t filled = 0;
  while (true) {
    for (size_t i = 0; i < b.size(); ++i) {
      for (int64_t k = 0; k < turns[i]; ++k) {
        uint64_t c = (offset[i] + next[i] * skip[i]) % size;
        while (t[c] != kFree) {
          ++next[i];
          c = (offset[i] + next[i] * skip[i]) % size;
        }
        t[c] = static_cast<uint32_t>(i);
        ++next[i];
        if (++filled == size)
          return t;
      }
    }
  }
}

uint32_t failoverChoice(const std::vector<Backend>& b) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < b.size(); ++i) {
    if (b[i].weight > b[best].weight)
      best = i;
  }
  return best;
}

std::vector<SlotRange> slotRanges(const std::vector<uint32_t>& slots) {
  std::vector<SlotRange> out;
  for (uint32_t i = 0; i < slots.size(); ++i) {
    if (!out.empty() && out.back().backend == slots[i] && out.back().last + 1 == i)
      out.back().last = i;
    else
      out.push_back({i, i, slots[i]});
  }
  return out;
}

}  // namespace vipd::lb
