#pragma once
// The health of every real server and virtual server from its checkers' attempts, pure.
// keepalived's rules (ipwrapper.c):
//   - a real server is alive only while every one of its checkers is up; one without
//     checkers is always alive;
//   - its weight is the configured one, or what misc_dynamic (exit status - 2) or a
//     FILE_CHECK (value x weight) makes of it;
//   - a virtual server has quorum while the weights of its live real servers add up to
//     `quorum`: it is gained at quorum + hysteresis and lost below quorum - hysteresis.
// The runtime feeds attempt results in and acts on the changes that come out (logs,
// notify scripts, FIFO lines, mail, and with issue 14 the load balancer's desired state).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/checker_state.h"
#include "check/plan.h"

namespace vipd::check {

struct CheckId {
  size_t vs = 0, rs = 0, ck = 0;
  friend bool operator==(const CheckId&, const CheckId&) = default;
};

// What one attempt found.
struct Result {
  bool ok = false;
  std::string reason;  // why it failed ("connection refused", "status 404 not in 200-299")
  // misc_dynamic / FILE_CHECK: the real server's weight this attempt asks for.
  std::optional<int64_t> weight;
};

struct Change {
  enum class Kind { kChecker, kRealServer, kWeight, kQuorum };
  Kind kind = Kind::kChecker;
  CheckId id;               // vs and rs always; ck for kChecker
  bool up = false;          // the new verdict / alive / quorum state
  int64_t weight = 0;       // kWeight: the real server's new weight; kQuorum: live weight sum
  int64_t threshold = 0;    // kQuorum: the threshold that was crossed
  CheckerState::Step step;  // kChecker: the attempt that changed it
};

class Health {
 public:
  explicit Health(const Plan& plan);

  // One attempt's result; returns the checker's step (next attempt due) and appends what
  // changed, checker first, then its real server, then its virtual server.
  CheckerState::Step record(CheckId id, const Result& r, Micros now, std::vector<Change>& out);

  CheckerState& checker(CheckId id) { return vs_[id.vs].rs[id.rs].checks[id.ck]; }
  const CheckerState& checker(CheckId id) const { return vs_[id.vs].rs[id.rs].checks[id.ck]; }
  bool alive(size_t vs, size_t rs) const { return vs_[vs].rs[rs].failed == 0; }
  int64_t weight(size_t vs, size_t rs) const { return vs_[vs].rs[rs].weight; }
  bool quorumUp(size_t vs) const { return vs_[vs].quorum_up; }
  int64_t liveWeight(size_t vs) const;

  // A reload keeps what was known of an unchanged checker (same virtual server, real
  // server, position and keywords): its verdict, retry count and the weight it asked for
  // (-1: none). Nothing is reported: nothing changed. The real server's configured weight
  // is the new one.
  void restore(CheckId id, const CheckerState& st, int64_t dynamic);
  int64_t dynamic(CheckId id) const { return vs_[id.vs].rs[id.rs].dynamic[id.ck]; }
  // After the restores: a virtual server that existed keeps its quorum state; a new one
  // starts as at startup.
  void restoreQuorum(size_t vs, std::optional<bool> up);

 private:
  struct Rs {
    std::vector<CheckerState> checks;
    int failed = 0;  // checkers down
    int64_t base = 1, weight = 1;
    std::vector<int64_t> dynamic;  // per checker: the weight it asks for, if any (-1: none)
  };
  struct Vs {
    std::vector<Rs> rs;
    int quorum = 1, hysteresis = 0;
    bool quorum_up = true;
  };
  void updateQuorum(size_t vs, std::vector<Change>& out);
  std::vector<Vs> vs_;
};

}  // namespace vipd::check
