#include "check/health.h"

namespace vipd::check {

Health::Health(const Plan& plan) {
  for (const auto& v : plan.virtual_servers) {
    Vs vs;
    vs.quorum = v.quorum;
    vs.hysteresis = v.hysteresis;
    for (const auto& r : v.real_servers) {
      Rs rs;
      rs.base = rs.weight = r.weight;
      for (const auto& c : r.checks) {
        rs.checks.emplace_back(c.timing);
        if (!rs.checks.back().up())
          ++rs.failed;  // alpha: down until a first success
        rs.dynamic.push_back(-1);
      }
      vs.rs.push_back(std::move(rs));
    }
    vs_.push_back(std::move(vs));
  }
  // keepalived's set_quorum_states: at start quorum is up when the live weight reaches
  // quorum + hysteresis.
  for (size_t i = 0; i < vs_.size(); ++i)
    vs_[i].quorum_up = liveWeight(i) >= vs_[i].quorum + vs_[i].hysteresis;
}

int64_t Health::liveWeight(size_t vs) const {
  int64_t sum = 0;
  for (const auto& r : vs_[vs].rs) {
    if (r.failed == 0 && r.weight > 0)
      sum += r.weight;
  }
  return sum;
}

CheckerState::Step Health::record(CheckId id, const Result& r, Micros now,
                                  std::vector<Change>& out) {
  Rs& rs = vs_[id.vs].rs[id.rs];
  CheckerState& c = rs.checks[id.ck];
  const bool was_up = c.up();
  const bool was_alive = rs.failed == 0;
  const auto step = c.record(r.ok, now);
  if (step.changed)
    out.push_back({Change::Kind::kChecker, id, step.up, 0, 0, step});
  if (was_up != c.up())
    rs.failed += c.up() ? -1 : 1;
  const bool alive = rs.failed == 0;
  bool quorum_may_move = false;
  if (alive != was_alive || (step.changed && !step.up && !was_up)) {
    // The second case: alpha's first failure makes "down" known (keepalived runs
    // notify_down then, do_rs_notifies from update_svr_checker_state).
    out.push_back({Change::Kind::kRealServer, {id.vs, id.rs, 0}, alive, rs.weight, 0, {}});
    quorum_may_move = true;
  }
  // Dynamic weights: only a passing attempt sets one (a failing script says nothing about
  // the weight it wants).
  if (r.ok && r.weight) {
    rs.dynamic[id.ck] = *r.weight;
    int64_t w = rs.base;
    for (auto d : rs.dynamic) {
      if (d >= 0)
        w = d;  // the last checker that reports a weight decides, as in keepalived
    }
    if (w != rs.weight) {
      rs.weight = w;
      out.push_back({Change::Kind::kWeight, {id.vs, id.rs, 0}, alive, w, 0, {}});
      quorum_may_move = true;
    }
  }
  if (quorum_may_move)
    updateQuorum(id.vs, out);
  return step;
}

void Health::restore(CheckId id, const CheckerState& st, int64_t dynamic) {
  Rs& rs = vs_[id.vs].rs[id.rs];
  CheckerState& c = rs.checks[id.ck];
  const bool was_up = c.up();
  const Timing t = c.timing();
  c = st;
  c.retime(t);
  if (was_up != c.up())
    rs.failed += c.up() ? -1 : 1;
  rs.dynamic[id.ck] = dynamic;
  rs.weight = rs.base;
  for (auto d : rs.dynamic) {
    if (d >= 0)
      rs.weight = d;
  }
}

void Health::restoreQuorum(size_t i, std::optional<bool> up) {
  vs_[i].quorum_up = up.value_or(liveWeight(i) >= vs_[i].quorum + vs_[i].hysteresis);
}

void Health::updateQuorum(size_t i, std::vector<Change>& out) {
  Vs& v = vs_[i];
  const int64_t sum = liveWeight(i);
  const int64_t threshold = v.quorum + (v.quorum_up ? -1 : 1) * v.hysteresis;
  if (!v.quorum_up && sum >= threshold) {
    v.quorum_up = true;
    out.push_back({Change::Kind::kQuorum, {i, 0, 0}, true, sum, threshold, {}});
  } else if (v.quorum_up && (sum == 0 || sum < threshold)) {
    v.quorum_up = false;
    out.push_back({Change::Kind::kQuorum, {i, 0, 0}, false, sum, threshold, {}});
  }
}

}  // namespace vipd::check
