#include "check/plan.h"

#include <fmt/format.h>

namespace vipd::check {

using conf::CheckerKind;

std::string_view checkerName(CheckerKind k) {
  switch (k) {
    case CheckerKind::kHttpGet:
      return "HTTP_GET";
    case CheckerKind::kSslGet:
      return "SSL_GET";
    case CheckerKind::kTcp:
      return "TCP_CHECK";
    case CheckerKind::kMisc:
      return "MISC_CHECK";
    case CheckerKind::kSmtp:
      return "SMTP_CHECK";
    case CheckerKind::kDns:
      return "DNS_CHECK";
    case CheckerKind::kUdp:
      return "UDP_CHECK";
    case CheckerKind::kPing:
      return "PING_CHECK";
    case CheckerKind::kFile:
      return "FILE_CHECK";
    case CheckerKind::kBfd:
      return "BFD_CHECK";
  }
  return "?";
}

std::string trio(const IpAddress& a, conf::L4Protocol p, int port) {
  const char* proto = p == conf::L4Protocol::kTcp   ? "tcp"
                      : p == conf::L4Protocol::kUdp ? "udp"
                                                    : "sctp";
  return fmt::format("[{}]:{}:{}", a.str(), proto, port);
}

size_t Plan::checkerCount() const {
  size_t n = 0;
  for (const auto& v : virtual_servers) {
    for (const auto& r : v.real_servers)
      n += r.checks.size();
  }
  return n;
}

namespace {

// The per-type defaults keepalived sets when it queues a checker (check_*.c).
int defaultRetry(CheckerKind k) {
  switch (k) {
    case CheckerKind::kDns:
      return 3;
    case CheckerKind::kMisc:
      return 0;
    default:
      return 1;
  }
}

// nullopt: "= delay_loop" (DNS_CHECK).
std::optional<Micros> defaultDelayBeforeRetry(CheckerKind k) {
  switch (k) {
    case CheckerKind::kHttpGet:
    case CheckerKind::kSslGet:
      return Micros(3'000'000);
    case CheckerKind::kDns:
      return std::nullopt;
    default:
      return Micros(1'000'000);
  }
}

}  // namespace

std::string virtualServerKey(const conf::VirtualServer& v, conf::L4Protocol proto) {
  if (v.group)
    return fmt::format("[{}]:{}", *v.group, v.port.value_or(0));
  if (v.fwmark)
    return fmt::format("FWM {}", *v.fwmark);
  return trio(v.addr.value_or(IpAddress{}), proto, v.port.value_or(0));
}

namespace {

std::optional<bool> alertDefault(const conf::GlobalDefs& g) {
  if (g.smtp_alert_checker)
    return g.smtp_alert_checker;
  return g.smtp_alert;
}

Timing resolveTiming(const conf::Checker& c, const conf::RealServer& r,
                     const conf::VirtualServer& v) {
  Timing t;
  t.delay_loop = c.delay_loop.value_or(r.delay_loop.value_or(v.delay_loop));
  t.connect_timeout = c.connect_timeout.value_or(
      r.connect_timeout.value_or(v.connect_timeout.value_or(Micros(5'000'000))));
  t.retry = c.retry.value_or(r.retry.value_or(v.retry.value_or(defaultRetry(c.kind))));
  t.warmup = c.warmup.value_or(r.warmup.value_or(v.warmup.value_or(t.delay_loop)));
  const auto dbr = r.delay_before_retry ? r.delay_before_retry : v.delay_before_retry;
  t.delay_before_retry = c.delay_before_retry.value_or(
      dbr.value_or(defaultDelayBeforeRetry(c.kind).value_or(t.delay_loop)));
  t.alpha = c.alpha.value_or(r.alpha.value_or(v.alpha));
  t.rise = c.rise.value_or(r.rise.value_or(v.rise.value_or(1)));
  return t;
}

Target resolveTarget(const conf::Checker& c, const IpAddress& rs_addr, int rs_port) {
  Target t;
  t.addr = c.connect_ip.value_or(rs_addr);
  t.port = c.connect_port.value_or(rs_port);
  t.bindto = c.bindto;
  t.bind_port = c.bind_port.value_or(0);
  t.bind_if = c.bind_if.value_or("");
  t.fwmark = c.fwmark;
  return t;
}

}  // namespace

Plan makePlan(const conf::Config& cfg) {
  Plan plan;
  const auto& g = cfg.global;
  // Sized once: at 1,000 x 10 the doubling left a third of the specs' memory unused.
  plan.virtual_servers.reserve(cfg.virtual_servers.size());
  for (const auto& v : cfg.virtual_servers) {
    VirtualServerSpec vs;
    vs.real_servers.reserve(v.real_servers.size());
    // keepalived: an address service without `protocol` is UDP (check_data.c, logged as a
    // config error; `vipd -t` warns).
    vs.protocol = v.protocol.value_or(conf::L4Protocol::kUdp);
    vs.key = virtualServerKey(v, vs.protocol);
    vs.quorum = v.quorum;
    vs.hysteresis = v.hysteresis;
    vs.omega = v.omega;
    vs.ha_suspend = v.ha_suspend;
    vs.smtp_alert = v.smtp_alert.value_or(alertDefault(g).value_or(false));
    vs.quorum_up = v.quorum_up;
    vs.quorum_down = v.quorum_down;
    vs.sorry = v.sorry_server;
    vs.loc = v.loc;
    for (const auto& r : v.real_servers) {
      RealServerSpec rs;
      rs.addr = r.addr;
      // A real server without a port takes the virtual server's (0 for fwmark services).
      rs.port = r.port.value_or(v.port.value_or(0));
      rs.key = trio(rs.addr, vs.protocol, rs.port);
      rs.weight = r.weight;
      rs.inhibit_on_failure = r.inhibit_on_failure.value_or(v.inhibit_on_failure);
      rs.alpha = r.alpha.value_or(v.alpha);
      rs.slowstart = r.slowstart.value_or(v.slowstart.value_or(Micros(0)));
      rs.smtp_alert = r.smtp_alert.value_or(alertDefault(g).value_or(true));
      rs.notify_up = r.notify_up;
      rs.notify_down = r.notify_down;
      rs.loc = r.loc;
      rs.checks.reserve(r.checkers.size());
      for (const auto& c : r.checkers) {
        if (c.kind == CheckerKind::kBfd)
          continue;  // BFD sessions are not run by vipd; `vipd -t` says so
        CheckSpec cs;
        cs.kind = c.kind;
        cs.timing = resolveTiming(c, r, v);
        if (c.kind == CheckerKind::kFile)
          cs.timing.retry = 0;  // a file's value is a verdict, not an attempt to retry
        cs.target = resolveTarget(c, rs.addr, rs.port);
        cs.conf = CheckerRef(c);
        cs.label = fmt::format("{} {}", checkerName(c.kind),
                               c.kind == CheckerKind::kMisc || c.kind == CheckerKind::kFile
                                   ? rs.key
                                   : trio(cs.target.addr, vs.protocol, cs.target.port));
        if (c.virtualhost)
          cs.virtualhost = c.virtualhost;
        else if (r.virtualhost)
          cs.virtualhost = r.virtualhost;
        else if (v.virtualhost)
          cs.virtualhost = v.virtualhost;
        if (c.kind == CheckerKind::kFile && c.track_file) {
          for (const auto& tf : cfg.track_files) {
            if (tf.name == *c.track_file) {
              cs.file_path = tf.file;
              cs.file_weight = c.weight.value_or(tf.weight);
            }
          }
        }
        if (c.kind == CheckerKind::kMisc) {
          cs.misc_timeout = c.misc_timeout.value_or(v.delay_loop);
          // MISC_CHECK's own `user NAME [GROUP]` line runs the script as that user.
          cs.misc_script = c.misc_path;
          if (auto it = c.extra.find("user"); it != c.extra.end() && cs.misc_script) {
            cs.misc_script->user = it->second.back().at(0);
            if (it->second.back().size() > 1)
              cs.misc_script->group = it->second.back()[1];
          }
        }
        if (c.kind == CheckerKind::kSmtp)
          cs.helo_name =
              c.helo_name.value_or(g.smtp_helo_name.value_or(g.router_id.value_or("localhost")));
        if (c.kind == CheckerKind::kSmtp && !c.hosts.empty()) {
          // SMTP_CHECK's legacy `host { }` blocks: each host is checked, and the real server
          // is up only while all of them answer; a host's unset options are the checker's.
          for (const auto& h : c.hosts) {
            CheckSpec hs = cs;
            conf::Checker merged = c;
            if (h.connect_ip)
              merged.connect_ip = h.connect_ip;
            if (h.bindto)
              merged.bindto = h.bindto;
            if (h.connect_port)
              merged.connect_port = h.connect_port;
            if (h.bind_port)
              merged.bind_port = h.bind_port;
            if (h.bind_if)
              merged.bind_if = h.bind_if;
            if (h.fwmark)
              merged.fwmark = h.fwmark;
            if (h.connect_timeout)
              hs.timing.connect_timeout = *h.connect_timeout;
            hs.target = resolveTarget(merged, rs.addr, rs.port);
            hs.label =
                fmt::format("SMTP_CHECK {}", trio(hs.target.addr, vs.protocol, hs.target.port));
            rs.checks.push_back(std::move(hs));
          }
          continue;
        }
        rs.checks.push_back(std::move(cs));
      }
      vs.real_servers.push_back(std::move(rs));
    }
    plan.virtual_servers.push_back(std::move(vs));
  }
  return plan;
}

}  // namespace vipd::check
