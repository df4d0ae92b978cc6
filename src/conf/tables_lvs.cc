// virtual_server_group, virtual_server, real_server, the checkers and SSL:
// keepalived.conf(5) "LVS CONFIGURATION"; defaults as keepalived 2.2.7.
#include "conf/entries.h"
#include "conf/tables.h"

namespace vipd::conf {

namespace {

std::optional<ForwardingMethod> parseMethod(const Node& n, Ctx& ctx) {
  if (!ctx.noBlock(n) || !ctx.arity(n, 1, 6))
    return std::nullopt;
  static const EnumV<std::string> kinds{{{"NAT", "NAT"}, {"DR", "DR"}, {"TUN", "TUN"}}};
  auto m = kinds.parse(n.args[0], ctx);
  if (!m)
    return std::nullopt;
  ForwardingMethod f{*m, {}};
  for (size_t i = 1; i < n.args.size(); ++i) {
    if (f.method != "TUN") {
      ctx.bad(n.args[i], "only TUN takes options");
      return std::nullopt;
    }
    f.options.push_back(n.args[i].text);
  }
  return f;
}

std::string formatMethod(const ForwardingMethod& f) {
  std::string s = f.method;
  for (const auto& o : f.options)
    s += " " + o;
  return s;
}

template <class T, class M>
Keyword<T> method(std::string_view name, M T::*m) {
  return {name,
          [m](T& o, const Node& n, Ctx& ctx) {
            if (auto f = parseMethod(n, ctx))
              o.*m = *f;
          },
          [name, m](const T& o, Printer& p) {
            static const T defaults{};
            if (o.*m == defaults.*m)
              return;
            if constexpr (IsOptional<M>::value) {
              p.line(std::string(name) + " " + formatMethod(*(o.*m)));
            } else {
              p.line(std::string(name) + " " + formatMethod(o.*m));
            }
          }};
}

using C = Checker;

// Options every network checker shares (check_api.c's install list).
void addConnectionRows(Schema<C>& t) {
  t.push_back(one("connect_ip", &C::connect_ip, IpV{}));
  t.push_back(one("connect_port", &C::connect_port, intIn(0, 65535)));
  t.push_back(one("bindto", &C::bindto, IpV{}));
  t.push_back(one("bind_port", &C::bind_port, intIn(0, 65535)));
  t.push_back(one("bind_if", &C::bind_if, WordV{}));
  t.push_back(one("fwmark", &C::fwmark, IntV{0, UINT32_MAX, true}));
  t.push_back(one("connect_timeout", &C::connect_timeout, timerIn(0.000001, 86400)));
}

void addTimingRows(Schema<C>& t) {
  t.push_back(one("retry", &C::retry, intIn(0, 1000000)));
  t.push_back(one("rise", &C::rise, intIn(1, 1000000)));  // vipd
  t.push_back(alias("nb_get_retry", one("nb_get_retry", &C::retry, intIn(0, 1000000))));
  t.push_back(one("delay_before_retry", &C::delay_before_retry, timerIn(0, 86400)));
  t.push_back(one("warmup", &C::warmup, timerIn(0, 86400)));
  t.push_back(one("delay_loop", &C::delay_loop, timerIn(0.000001, 86400)));
  t.push_back(flag("alpha", &C::alpha));
  t.push_back(flag("log_all_failures", &C::log_all_failures));
}

// status_code 200-299 400 503 ...
Keyword<HttpUrl> statusCode() {
  return {"status_code",
          [](HttpUrl& u, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, SIZE_MAX))
              return;
            for (const auto& a : n.args) {
              auto dash = a.text.find('-');
              auto lo = parseInt(a.text.substr(0, dash));
              auto hi = dash == std::string::npos ? lo : parseInt(a.text.substr(dash + 1));
              if (!lo || !hi || *lo < 100 || *hi > 599 || *lo > *hi) {
                ctx.bad(a, "expected an HTTP status code or range (100-599)");
                return;
              }
              u.status_code.emplace_back(static_cast<int>(*lo), static_cast<int>(*hi));
            }
          },
          [](const HttpUrl& u, Printer& p) {
            if (u.status_code.empty())
              return;
            std::string s = "status_code";
            for (auto [lo, hi] : u.status_code) {
              s += lo == hi ? fmt::format(" {}", lo) : fmt::format(" {}-{}", lo, hi);
            }
            p.line(s);
          }};
}

const Schema<HttpUrl>& urlSchema() {
  static const Schema<HttpUrl> s = [] {
    Schema<HttpUrl> t = {
        one("path", &HttpUrl::path, WordV{}),
        {"digest",
         [](HttpUrl& u, const Node& n, Ctx& ctx) {
           if (!ctx.noBlock(n) || !ctx.arity(n, 1, 1))
             return;
           const auto& d = n.args[0].text;
           bool hex = d.size() == 32;
           for (char c : d)
             hex = hex && isxdigit(static_cast<unsigned char>(c));
           if (!hex) {
             ctx.bad(n.args[0], "digest must be 32 hex digits (an MD5 sum, as genhash prints)");
             return;
           }
           u.digest = d;
         },
         [](const HttpUrl& u, Printer& p) {
           if (u.digest)
             p.line("digest " + *u.digest);
         }},
        statusCode(),
        one("virtualhost", &HttpUrl::virtualhost, WordV{}),
        one("regex", &HttpUrl::regex, WordV{}),
        flag("regex_no_match", &HttpUrl::regex_no_match),
        extra<HttpUrl>("regex_options", ArgKind::kAny, 1, 16),
        extra<HttpUrl>("regex_stack", ArgKind::kInt, 1, 2),
        extra<HttpUrl>("regex_min_offset", ArgKind::kInt, 1, 1),
        extra<HttpUrl>("regex_max_offset", ArgKind::kInt, 1, 1),
        extra<HttpUrl>("tls_compliant", ArgKind::kBool, 0, 1),
    };
    return t;
  }();
  return s;
}

Keyword<C> urlRow() {
  return {"url",
          [](C& c, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n))
              return;
            HttpUrl u;
            u.loc = n.loc();
            bindBlock(u, n.children, urlSchema(), ctx, "url");
            if (u.path.empty())
              ctx.diags.relaxable(n.loc(), "url block has no 'path'");
            c.urls.push_back(std::move(u));
          },
          [](const C& c, Printer& p) {
            for (const auto& u : c.urls) {
              p.open("url");
              printBlock(u, urlSchema(), p);
              p.close();
            }
          }};
}

// `KEYWORD [HEX ...]`: the words joined by spaces; checked as hex by the UDP checker.
Keyword<C> hexWords(std::string_view name, std::optional<std::string> C::*m, size_t min) {
  return {name,
          [m, min](C& c, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, min, SIZE_MAX))
              return;
            std::string v;
            for (const auto& a : n.args) {
              bool ok = true;
              for (char ch : a.text)
                ok = ok && (isxdigit(static_cast<unsigned char>(ch)) || ch == 'x' || ch == 'X');
              if (!ok) {
                ctx.bad(a, "expected hex digits (X for any nibble in require_reply)");
                return;
              }
              v += (v.empty() ? "" : " ") + a.text;
            }
            c.*m = v;
          },
          [name, m](const C& c, Printer& p) {
            if (c.*m)
              p.line((c.*m)->empty() ? std::string(name) : std::string(name) + " " + *(c.*m));
          }};
}

Schema<C> buildChecker(CheckerKind kind) {
  Schema<C> t;
  switch (kind) {
    case CheckerKind::kHttpGet:
    case CheckerKind::kSslGet:
      addConnectionRows(t);
      addTimingRows(t);
      t.push_back(one("http_protocol", &C::http_protocol,
                      EnumV<std::string>{{{"1.0", "1.0"}, {"1.0C", "1.0C"}, {"1.1", "1.1"}}}));
      t.push_back(flag("fast_recovery", &C::fast_recovery));
      t.push_back(one("virtualhost", &C::virtualhost, WordV{}));
      t.push_back(flag("enable_sni", &C::enable_sni));
      t.push_back(extra<C>("sni_name", ArgKind::kAny, 1, 1));
      t.push_back(extra<C>("tls_compliant", ArgKind::kBool, 0, 1));
      t.push_back(urlRow());
      break;
    case CheckerKind::kTcp:
    case CheckerKind::kPing:
      addConnectionRows(t);
      addTimingRows(t);
      break;
    case CheckerKind::kMisc:
      addTimingRows(t);
      t.push_back(script("misc_path", &C::misc_path, true));
      t.push_back(one("misc_timeout", &C::misc_timeout, timerIn(0.000001, 86400)));
      t.push_back(flag("misc_dynamic", &C::misc_dynamic));
      t.push_back({"user",
                   [](C& c, const Node& n, Ctx& ctx) {
                     if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
                       return;
                     c.extra["user"] = {{n.args[0].text}};
                     if (n.args.size() == 2)
                       c.extra["user"][0].push_back(n.args[1].text);
                   },
                   [](const C& c, Printer& p) {
                     auto it = c.extra.find("user");
                     if (it != c.extra.end())
                       p.line("user " + join(it->second[0]));
                   }});
      break;
    case CheckerKind::kSmtp: {
      addConnectionRows(t);
      addTimingRows(t);
      t.push_back(one("helo_name", &C::helo_name, WordV{}));
      // Legacy `host { connect_ip ...; connect_port ...; bindto ... }` sub-blocks.
      t.push_back({"host",
                   [](C& c, const Node& n, Ctx& ctx) {
                     if (!ctx.wantBlock(n))
                       return;
                     C h;
                     h.kind = CheckerKind::kTcp;
                     h.loc = n.loc();
                     bindBlock(h, n.children, checkerSchema(CheckerKind::kTcp), ctx, "host");
                     c.hosts.push_back(std::move(h));
                   },
                   [](const C& c, Printer& p) {
                     for (const auto& h : c.hosts) {
                       p.open("host");
                       printBlock(h, checkerSchema(CheckerKind::kTcp), p);
                       p.close();
                     }
                   }});
      break;
    }
    case CheckerKind::kDns:
      addConnectionRows(t);
      addTimingRows(t);
      t.push_back(one("type", &C::dns_type,
                      EnumV<std::string>{{{"A", "A"},
                                          {"NS", "NS"},
                                          {"CNAME", "CNAME"},
                                          {"SOA", "SOA"},
                                          {"MX", "MX"},
                                          {"TXT", "TXT"},
                                          {"AAAA", "AAAA"}}}));
      t.push_back(one("name", &C::dns_name, WordV{}));
      break;
    case CheckerKind::kUdp:
      addConnectionRows(t);
      addTimingRows(t);
      // HEX_STR may be written in several words ("Ab12f 3 456"); require_reply alone
      // asks for any reply (keepalived.conf(5) UDP_CHECK).
      t.push_back(hexWords("payload", &C::payload, 1));
      t.push_back(hexWords("require_reply", &C::require_reply, 0));
      t.push_back(one("min_reply_length", &C::min_reply_length, intIn(0, 65535)));
      t.push_back(one("max_reply_length", &C::max_reply_length, intIn(0, 65535)));
      break;
    case CheckerKind::kFile:
      t.push_back(one("track_file", &C::track_file, WordV{}));
      t.push_back(alias("file", one("file", &C::track_file, WordV{})));
      t.push_back(flag("dynamic", &C::dynamic));
      t.push_back({"weight",
                   [](C& c, const Node& n, Ctx& ctx) {
                     if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
                       return;
                     Node tmp = n;
                     tmp.args.insert(tmp.args.begin(), Token{"weight", n.loc(), false});
                     if (auto w = parseWeight(tmp, 0, 254, ctx))
                       c.weight = *w;
                   },
                   [](const C& c, Printer& p) {
                     if (c.weight)
                       p.line(formatWeight(*c.weight));
                   }});
      break;
    case CheckerKind::kBfd:
      t.push_back(one("name", &C::bfd_name, WordV{}));
      t.push_back(flag("alpha", &C::alpha));
      break;
  }
  return t;
}

struct CheckerName {
  std::string_view name;
  CheckerKind kind;
};
constexpr CheckerName kCheckers[] = {
    {"HTTP_GET", CheckerKind::kHttpGet}, {"SSL_GET", CheckerKind::kSslGet},
    {"TCP_CHECK", CheckerKind::kTcp},    {"MISC_CHECK", CheckerKind::kMisc},
    {"SMTP_CHECK", CheckerKind::kSmtp},  {"DNS_CHECK", CheckerKind::kDns},
    {"UDP_CHECK", CheckerKind::kUdp},    {"PING_CHECK", CheckerKind::kPing},
    {"FILE_CHECK", CheckerKind::kFile},  {"BFD_CHECK", CheckerKind::kBfd},
};

using R = RealServer;

void addCheckerRows(Schema<R>& t) {
  for (const auto& cn : kCheckers) {
    CheckerKind kind = cn.kind;
    std::string_view name = cn.name;
    t.push_back({name,
                 [kind, name](R& r, const Node& n, Ctx& ctx) {
                   if (!ctx.wantBlock(n) || !ctx.arity(n, 0, 0))
                     return;
                   C c;
                   c.kind = kind;
                   c.loc = n.loc();
                   bindBlock(c, n.children, checkerSchema(kind), ctx, name);
                   r.checkers.push_back(std::move(c));
                 },
                 [kind, name](const R& r, Printer& p) {
                   for (const auto& c : r.checkers) {
                     if (c.kind != kind)
                       continue;
                     p.open(std::string(name));
                     printBlock(c, checkerSchema(kind), p);
                     p.close();
                   }
                 }});
  }
}

using V = VirtualServer;

// `sorry_server IP [PORT]`
Keyword<V> sorryServer() {
  return {"sorry_server",
          [](V& v, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, 2))
              return;
            auto a = IpV{}.parse(n.args[0], ctx);
            if (!a)
              return;
            SorryServer s{*a, std::nullopt};
            if (n.args.size() == 2) {
              auto port = intIn(0, 65535).parse(n.args[1], ctx);
              if (!port)
                return;
              s.port = static_cast<int>(*port);
            }
            v.sorry_server = s;
          },
          [](const V& v, Printer& p) {
            if (!v.sorry_server)
              return;
            std::string s = "sorry_server " + v.sorry_server->addr.str();
            if (v.sorry_server->port)
              s += fmt::format(" {}", *v.sorry_server->port);
            p.line(s);
          }};
}

// `persistence_timeout [S]`: the keyword alone means 360 s.
Keyword<V> persistence() {
  return {
      "persistence_timeout",
      [](V& v, const Node& n, Ctx& ctx) {
        if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
          return;
        if (n.args.empty()) {
          v.persistence_timeout = seconds(360);
        } else if (auto t = timerIn(1, 4294967).parse(n.args[0], ctx)) {
          v.persistence_timeout = *t;
        }
      },
      [](const V& v, Printer& p) {
        if (v.persistence_timeout) {
          p.line("persistence_timeout " + formatMicrosAsSeconds(v.persistence_timeout->count()));
        }
      }};
}

Keyword<V> schedFlag(std::string_view name) {
  return {name,
          [name](V& v, const Node& n, Ctx& ctx) {
            if (ctx.noBlock(n) && ctx.arity(n, 0, 0))
              v.sched_flags.emplace_back(name);
          },
          [name](const V& v, Printer& p) {
            for (const auto& f : v.sched_flags) {
              if (f == name)
                p.line(f);
            }
          }};
}

// `real_server IP [PORT] { ... }`
Keyword<V> realServerRow() {
  return {"real_server",
          [](V& v, const Node& n, Ctx& ctx) {
            if (!ctx.arity(n, 1, 2))
              return;
            auto a = IpV{}.parse(n.args[0], ctx);
            if (!a)
              return;
            R r;
            r.addr = *a;
            r.loc = n.loc();
            if (n.args.size() == 2) {
              auto port = intIn(0, 65535).parse(n.args[1], ctx);
              if (!port)
                return;
              r.port = static_cast<int>(*port);
            }
            bindBlock(r, n.children, realServerSchema(), ctx, "real_server");
            v.real_servers.push_back(std::move(r));
          },
          [](const V& v, Printer& p) {
            for (const auto& r : v.real_servers) {
              std::string head = "real_server " + r.addr.str();
              if (r.port)
                head += fmt::format(" {}", *r.port);
              p.open(head);
              printBlock(r, realServerSchema(), p);
              p.close();
            }
          }};
}

}  // namespace

const Schema<HttpUrl>& httpUrlSchema() {
  return urlSchema();
}

const Schema<Checker>& checkerSchema(CheckerKind kind) {
  static const std::vector<Schema<C>> all = [] {
    std::vector<Schema<C>> v;
    for (int k = 0; k <= static_cast<int>(CheckerKind::kBfd); ++k) {
      v.push_back(buildChecker(static_cast<CheckerKind>(k)));
    }
    return v;
  }();
  return all[static_cast<size_t>(kind)];
}

const Schema<RealServer>& realServerSchema() {
  static const Schema<R> s = [] {
    Schema<R> t = {
        one("weight", &R::weight, intIn(0, 2147483647)),
        method("lvs_method", &R::lvs_method),
        alias("lb_kind", method("lb_kind", &R::lvs_method)),
        script("notify_up", &R::notify_up),
        script("notify_down", &R::notify_down),
        one("uthreshold", &R::uthreshold, intIn(0, 2147483647)),
        one("lthreshold", &R::lthreshold, intIn(0, 2147483647)),
        flag("inhibit_on_failure", &R::inhibit_on_failure),
        flag("alpha", &R::alpha),
        flag("smtp_alert", &R::smtp_alert),
        one("retry", &R::retry, intIn(0, 1000000)),
        one("rise", &R::rise, intIn(1, 1000000)),            // vipd
        one("slowstart", &R::slowstart, timerIn(0, 86400)),  // vipd
        one("delay_before_retry", &R::delay_before_retry, timerIn(0, 86400)),
        one("warmup", &R::warmup, timerIn(0, 86400)),
        one("connect_timeout", &R::connect_timeout, timerIn(0.000001, 86400)),
        one("delay_loop", &R::delay_loop, timerIn(0.000001, 86400)),
        one("virtualhost", &R::virtualhost, WordV{}),
        extra<R>("snmp_name", ArgKind::kAny, 1, 1),
    };
    addCheckerRows(t);
    return t;
  }();
  return s;
}

const Schema<VirtualServer>& virtualServerSchema() {
  static const Schema<V> s = [] {
    auto algo = EnumV<std::string>{{{"rr", "rr"},
                                    {"wrr", "wrr"},
                                    {"lc", "lc"},
                                    {"wlc", "wlc"},
                                    {"lblc", "lblc"},
                                    {"sh", "sh"},
                                    {"mh", "mh"},
                                    {"dh", "dh"},
                                    {"fo", "fo"},
                                    {"ovf", "ovf"},
                                    {"lblcr", "lblcr"},
                                    {"sed", "sed"},
                                    {"nq", "nq"},
                                    {"twos", "twos"}}};
    Schema<V> t = {
        one("lb_algo", &V::lb_algo, algo),
        alias("lvs_sched", one("lvs_sched", &V::lb_algo, algo)),
        method("lb_kind", &V::lvs_method),
        alias("lvs_method", method("lvs_method", &V::lvs_method)),
        one("protocol", &V::protocol,
            EnumV<L4Protocol>{{{"TCP", L4Protocol::kTcp},
                               {"UDP", L4Protocol::kUdp},
                               {"SCTP", L4Protocol::kSctp}}}),
        persistence(),
        one("persistence_granularity", &V::persistence_granularity, WordV{}),
        one("persistence_engine", &V::persistence_engine, WordV{}),
        flag("ops", &V::ops),
        schedFlag("flag-1"),
        schedFlag("flag-2"),
        schedFlag("flag-3"),
        schedFlag("sh-port"),
        schedFlag("sh-fallback"),
        schedFlag("mh-port"),
        schedFlag("mh-fallback"),
        alias("hashed", schedFlag("flag-1")),
        one("delay_loop", &V::delay_loop, timerIn(0.000001, 86400)),
        one("connect_timeout", &V::connect_timeout, timerIn(0.000001, 86400)),
        one("delay_before_retry", &V::delay_before_retry, timerIn(0, 86400)),
        one("warmup", &V::warmup, timerIn(0, 86400)),
        one("retry", &V::retry, intIn(0, 1000000)),
        one("rise", &V::rise, intIn(1, 1000000)),            // vipd
        one("slowstart", &V::slowstart, timerIn(0, 86400)),  // vipd
        flag("inhibit_on_failure", &V::inhibit_on_failure),
        flag("alpha", &V::alpha),
        flag("omega", &V::omega),
        one("quorum", &V::quorum, intIn(0, 2147483647)),
        one("hysteresis", &V::hysteresis, intIn(0, 2147483647)),
        script("quorum_up", &V::quorum_up),
        script("quorum_down", &V::quorum_down),
        sorryServer(),
        flag("sorry_server_inhibit", &V::sorry_server_inhibit),
        method("sorry_server_lvs_method", &V::sorry_server_lvs_method),
        flag("ha_suspend", &V::ha_suspend),
        one("virtualhost", &V::virtualhost, WordV{}),
        flag("smtp_alert", &V::smtp_alert),
        one("ip_family", &V::ip_family, EnumV<std::string>{{{"inet", "inet"}, {"inet6", "inet6"}}}),
        one("weight", &V::weight, intIn(1, 2147483647)),
        extra<V>("snmp_name", ArgKind::kAny, 1, 1),
        realServerRow(),
    };
    return t;
  }();
  return s;
}

const Schema<VirtualServerGroup>& virtualServerGroupSchema() {
  // Entries are free-form statements; the table is empty and the group row parses them.
  static const Schema<VirtualServerGroup> s = {};
  return s;
}

const Schema<SslContext>& sslSchema() {
  static const Schema<SslContext> s = {
      one("password", &SslContext::password, WordV{}),
      one("ca", &SslContext::ca, WordV{}),
      one("certificate", &SslContext::certificate, WordV{}),
      one("key", &SslContext::key, WordV{}),
  };
  return s;
}

}  // namespace vipd::conf
