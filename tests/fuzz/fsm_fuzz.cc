// Event-sequence fuzzer for the VRRP state machine. The input chooses the router's
// parameters and then a sequence of (time step, event) pairs; after every event the
// invariants below must hold. A violation aborts, which libFuzzer reports with the input.
//
// Invariants:
//   1. Every Transition starts from the state the router was in, and ends in state().
//   2. Addresses are held exactly while in MASTER: TakeAddresses only on entering MASTER,
//      ReleaseAddresses only on leaving it.
//   3. A timer is armed exactly in BACKUP and MASTER, never in the past, and never further
//      away than the longest timer the state can need.
//   4. Only MASTER sends adverts, except the priority-0 advert when leaving MASTER.
//   5. The advertised priority is the owner's 255 or within 1..254.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "proto/vrrp/fsm.h"
#include "proto/vrrp/timers.h"

namespace {

using namespace vipd;
using namespace vipd::vrrp;
using namespace std::chrono_literals;

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (n == 0)
      return 0;
    --n;
    return *p++;
  }
  uint16_t word() { return static_cast<uint16_t>(byte() << 8 | byte()); }
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "FSM invariant violated: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok)
    fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  RouterParams p;
  p.version = (in.byte() & 1) ? 3 : 2;
  p.vrid = static_cast<uint8_t>(in.byte() | 1);
  const uint8_t prio_byte = in.byte();
  p.priority = prio_byte == 0 ? 1 : prio_byte;
  p.advert_interval = p.version == 2 ? Micros(std::chrono::seconds(1 + in.byte() % 4))
                                     : Micros(10ms) * (1 + in.word() % 4095);
  p.primary = IpAddress::v4(0x0a000000u | in.byte());
  const uint8_t flags = in.byte();
  p.preempt = flags & 1;
  p.lower_prio_no_advert = flags & 2;
  p.higher_prio_send_advert = flags & 4;
  p.preempt_delay = (flags & 8) ? Micros(std::chrono::seconds(in.byte() % 20)) : Micros(0);
  p.down_timer_adverts = 1 + in.byte() % 10;
  p.garp_master_delay = Micros(std::chrono::seconds(in.byte() % 6));
  p.garp_master_refresh = Micros(std::chrono::seconds(in.byte() % 3 * 30));
  VirtualRouter r(p);

  // The longest a timer may legitimately be away: a down interval at the longest interval a
  // master can announce (v3: 40.95 s), a preempt delay, or a GARP refresh.
  const Micros longest =
      std::max({Micros(3 * 40950ms + 41s) * p.down_timer_adverts, p.preempt_delay,
                p.garp_master_refresh, p.garp_master_delay, p.advert_interval * 4});
  Time now{1'000'000};
  bool holding = false;
  while (in.n > 0) {
    now += Micros(in.word()) * 100;  // up to 6.5 s between events
    const uint8_t kind = in.byte() % 8;
    Event e;
    switch (kind) {
      case 0:
        e = Startup{};
        break;
      case 1:
        e = Shutdown{};
        break;
      case 2:
      case 3: {
        const uint8_t pr = in.byte();
        const uint16_t wire = static_cast<uint16_t>(1 + in.word() % 4095);
        e = AdvertIn{IpAddress::v4(0x0a000000u | in.byte()), pr,
                     p.version == 3 ? fromWireInterval(3, wire) : p.advert_interval};
        break;
      }
      case 4:
      case 5:
        if (r.deadline())
          now = std::max(now, *r.deadline());  // let timers fire often
        e = Tick{};
        break;
      case 6:
        e = PriorityChanged{static_cast<int>(in.byte()) - 20};
        break;
      default:
        e = FaultChanged{(in.byte() & 1) != 0, "fuzz"};
        break;
    }
    const State before = r.state();
    State cur = before;
    Actions out = r.handle(e, now);
    for (const auto& a : out) {
      if (auto* t = std::get_if<Transition>(&a)) {
        check(t->from == cur, "transition from the current state");
        check(t->from != t->to, "transition to the same state");
        cur = t->to;
      } else if (std::holds_alternative<TakeAddresses>(a)) {
        check(cur == State::kMaster && !holding, "take addresses only on entering MASTER");
        holding = true;
      } else if (std::holds_alternative<ReleaseAddresses>(a)) {
        check(cur == State::kMaster && holding, "release addresses only when leaving MASTER");
        holding = false;
      } else if (auto* s = std::get_if<SendAdvert>(&a)) {
        check(cur == State::kMaster, "adverts only from MASTER");
        check(s->priority == 0 || s->priority == 255 || (s->priority >= 1 && s->priority <= 254),
              "advertised priority in range");
        check(s->priority != 255 || r.isOwner(), "255 only for the owner");
      }
    }
    check(cur == r.state(), "transitions end in state()");
    check(holding == (r.state() == State::kMaster), "addresses held exactly in MASTER");
    const bool timed = r.state() == State::kBackup || r.state() == State::kMaster;
    check(r.deadline().has_value() == timed, "a timer exactly in BACKUP and MASTER");
    if (auto d = r.deadline()) {
      if (std::holds_alternative<Tick>(e))
        check(*d > now, "no timer left in the past by a tick");
      check(*d - now <= longest, "timer within the longest legitimate interval");
    }
  }
  return 0;
}
