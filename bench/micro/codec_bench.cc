// Micro-benchmarks for the advert path: encode, decode + receive checks, AH, and the engine's
// per-event cost. Figures, not assertions: build with -DVIPD_BENCH=ON (see bench/README.md).
#include <benchmark/benchmark.h>

#include "proto/vrrp/ah.h"
#include "proto/vrrp/fsm.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/receive.h"

namespace {

using namespace vipd;
using namespace vipd::vrrp;
using namespace std::chrono_literals;

IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

Advert advert(int version) {
  return Advert{static_cast<uint8_t>(version),
                51,
                100,
                static_cast<uint16_t>(version == 2 ? 1 : 100),
                AuthType::kNone,
                {},
                {ip("192.168.1.100")}};
}

void BM_EncodeV3(benchmark::State& st) {
  const auto a = advert(3);
  const EncodeOptions o{ip("192.168.1.10"), ip("224.0.0.18"), false};
  for (auto _ : st)
    benchmark::DoNotOptimize(encode(a, o));
}
BENCHMARK(BM_EncodeV3);

void BM_DecodeAndCheckV3(benchmark::State& st) {
  const auto bytes = encode(advert(3), {ip("192.168.1.10"), ip("224.0.0.18"), false});
  const RxMeta meta{ip("192.168.1.10"), ip("224.0.0.18"), 255, true};
  InstanceRxConfig rx;
  rx.vrid = 51;
  rx.addrs = {ip("192.168.1.100")};
  for (auto _ : st) {
    auto d = decode(bytes, meta);
    benchmark::DoNotOptimize(checkAgainstInstance(std::get<Decoded>(d).advert, meta.src, rx));
  }
}
BENCHMARK(BM_DecodeAndCheckV3);

void BM_AhEncode(benchmark::State& st) {
  auto a = advert(2);
  a.auth_type = AuthType::kAh;
  const auto msg = encode(a, {ip("10.0.0.1"), ip("224.0.0.18"), false});
  const AhKey key = passwordBytes("secret12");
  uint32_t seq = 1;
  for (auto _ : st) {
    benchmark::DoNotOptimize(encodeAhDatagram(
        msg,
        {ip("10.0.0.1"), ip("224.0.0.18"), static_cast<uint16_t>(seq | 1), seq, 255, false, {}},
        key));
    ++seq;
  }
}
BENCHMARK(BM_AhEncode);

// The master's steady state: one Adver_Timer expiry -> one SendAdvert + ArmTimer.
void BM_FsmMasterTick(benchmark::State& st) {
  RouterParams p;
  p.priority = 255;
  p.advert_interval = 10ms;
  p.primary = ip("10.0.0.1");
  VirtualRouter r(p);
  Time now{1'000'000};
  r.handle(Startup{}, now);
  for (auto _ : st) {
    now = *r.deadline();
    benchmark::DoNotOptimize(r.handle(Tick{}, now));
  }
}
BENCHMARK(BM_FsmMasterTick);

// The backup's steady state: one advert from the master -> one timer reset.
void BM_FsmBackupAdvert(benchmark::State& st) {
  RouterParams p;
  p.priority = 100;
  p.advert_interval = 10ms;
  p.primary = ip("10.0.0.2");
  VirtualRouter r(p);
  Time now{1'000'000};
  r.handle(Startup{}, now);
  const AdvertIn in{ip("10.0.0.1"), 200, 10ms};
  for (auto _ : st) {
    now += 10ms;
    benchmark::DoNotOptimize(r.handle(in, now));
  }
}
BENCHMARK(BM_FsmBackupAdvert);

}  // namespace

BENCHMARK_MAIN();
