#pragma once
// The keyword tables that give the block tree its meaning.
//
// Each block kind has one table, `Schema<T>`: a row per keyword, holding how to parse the
// statement into T and how to print it back. Parsing and `--dump-conf` come from the same
// row, so the two cannot drift apart and the round trip (parse . print = id) holds by
// construction. Rows made by the helpers below check arity and value types and report
// `file:line:col` diagnostics; an unknown keyword is an error unless --lenient.

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/diag.h"
#include "base/text.h"
#include "conf/ast.h"
#include "conf/model.h"

namespace vipd::conf {

// Binding context: diagnostics plus small helpers shared by every table.
class Ctx {
 public:
  explicit Ctx(Diagnostics& d) : diags(d) {}
  Diagnostics& diags;

  void unknown(const Token& t, std::string_view where) {
    diags.relaxable(t.loc, fmt::format("unknown keyword '{}' in {}", t.text, where));
  }
  void bad(const Token& t, std::string_view what) {
    diags.relaxable(t.loc, fmt::format("'{}': {}", t.text, what));
  }
  // Checks the argument count; reports and returns false when it is off.
  bool arity(const Node& n, size_t min, size_t max) {
    if (n.args.size() >= min && n.args.size() <= max)
      return true;
    std::string want = min == max        ? std::to_string(min)
                       : max == SIZE_MAX ? fmt::format("at least {}", min)
                                         : fmt::format("{} to {}", min, max);
    diags.relaxable(
        n.loc(), fmt::format("'{}' takes {} argument(s), got {}", n.key.text, want, n.args.size()));
    return false;
  }
  bool noBlock(const Node& n) {
    if (!n.has_block)
      return true;
    diags.relaxable(n.loc(), fmt::format("'{}' does not take a block", n.key.text));
    return false;
  }
  bool wantBlock(const Node& n) {
    if (n.has_block)
      return true;
    diags.relaxable(
        n.loc(), fmt::format("'{}' needs a block {{ ... }}{}", n.key.text, n.commentedBraceNote()));
    return false;
  }
};

// Writes keepalived syntax with indentation.
class Printer {
 public:
  void line(const std::string& s) { out_ += std::string(depth_ * 4, ' ') + s + "\n"; }
  void open(const std::string& head) {
    line(head + " {");
    ++depth_;
  }
  void close() {
    --depth_;
    line("}");
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  size_t depth_ = 0;
};

template <class T>
struct Keyword {
  std::string_view name;
  std::function<void(T&, const Node&, Ctx&)> parse;
  std::function<void(const T&, Printer&)> print;  // empty for synonyms and no-ops
};

template <class T>
using Schema = std::vector<Keyword<T>>;

// Binds the statements of one block to `obj` through its table.
template <class T>
void bindBlock(T& obj, const std::vector<Node>& nodes, const Schema<T>& schema, Ctx& ctx,
               std::string_view where) {
  // Tables are static and small; a linear scan per statement is cheaper than building maps.
  for (const auto& n : nodes) {
    const Keyword<T>* kw = nullptr;
    for (const auto& row : schema) {
      if (row.name == n.key.text) {
        kw = &row;
        break;
      }
    }
    if (!kw) {
      ctx.unknown(n.key, where);
      continue;
    }
    if constexpr (requires { obj.keys.note(kw->name, n.loc()); })
      obj.keys.note(kw->name, n.loc());
    kw->parse(obj, n, ctx);
  }
}

template <class T>
void printBlock(const T& obj, const Schema<T>& schema, Printer& p) {
  for (const auto& row : schema) {
    if (row.print)
      row.print(obj, p);
  }
}

// ------------------------------------------------------------------ value converters
// Each converter parses one token into a value and formats it back.

struct IntV {
  int64_t lo, hi;
  bool hex = false;
  using type = int64_t;
  std::optional<int64_t> parse(const Token& t, Ctx& ctx) const {
    auto v = parseInt(t.text, hex);
    if (!v || *v < lo || *v > hi) {
      ctx.bad(t, fmt::format("expected an integer in {}..{}", lo, hi));
      return std::nullopt;
    }
    return v;
  }
  std::string format(int64_t v) const { return std::to_string(v); }
};

struct TimerV {
  int64_t lo_us = 0, hi_us = INT64_MAX;
  using type = Micros;
  std::optional<Micros> parse(const Token& t, Ctx& ctx) const {
    auto v = parseSecondsToMicros(t.text);
    if (!v || *v < lo_us || *v > hi_us) {
      ctx.bad(t, fmt::format("expected seconds in {}..{}", formatMicrosAsSeconds(lo_us),
                             hi_us == INT64_MAX ? "inf" : formatMicrosAsSeconds(hi_us)));
      return std::nullopt;
    }
    return Micros(*v);
  }
  std::string format(Micros v) const { return formatMicrosAsSeconds(v.count()); }
};

// A time in milliseconds with microsecond resolution (BFD's min_rx/min_tx/idle_tx).
struct MillisV {
  using type = Micros;
  std::optional<Micros> parse(const Token& t, Ctx& ctx) const {
    auto v = parseSecondsToMicros(t.text);  // "10.5" -> 10500000 "us" = 10.5 "seconds"
    if (!v || *v > 1'000'000'000'000) {
      ctx.bad(t, "expected milliseconds");
      return std::nullopt;
    }
    return Micros(*v / 1000);
  }
  std::string format(Micros v) const { return formatMicrosAsSeconds(v.count() * 1000); }
};

struct WordV {
  using type = std::string;
  std::optional<std::string> parse(const Token& t, Ctx&) const { return t.text; }
  std::string format(const std::string& v) const { return quoteIfNeeded(v); }
};

struct IpV {
  using type = IpAddress;
  std::optional<IpAddress> parse(const Token& t, Ctx& ctx) const {
    auto a = IpAddress::parse(t.text);
    if (!a)
      ctx.bad(t, "not a valid IPv4 or IPv6 address");
    return a;
  }
  std::string format(const IpAddress& v) const { return v.str(); }
};

struct BoolV {
  using type = bool;
  std::optional<bool> parse(const Token& t, Ctx& ctx) const {
    auto b = parseBool(t.text);
    if (!b)
      ctx.bad(t, "expected on|off|true|false|yes|no");
    return b;
  }
  std::string format(bool v) const { return v ? "true" : "false"; }
};

template <class E>
struct EnumV {
  std::vector<std::pair<std::string_view, E>> names;  // first name of a value prints
  using type = E;
  std::optional<E> parse(const Token& t, Ctx& ctx) const {
    for (auto& [n, e] : names) {
      if (iequals(n, t.text))
        return e;
    }
    std::string all;
    for (auto& [n, e] : names)
      all += (all.empty() ? "" : "|") + std::string(n);
    ctx.bad(t, "expected one of " + all);
    return std::nullopt;
  }
  std::string format(E v) const {
    for (auto& [n, e] : names) {
      if (e == v)
        return std::string(n);
    }
    return "?";
  }
};

template <class M>
struct IsOptional : std::false_type {};
template <class M>
struct IsOptional<std::optional<M>> : std::true_type {};

// Member access that works for both `X` and `std::optional<X>` fields.
template <class M, class V>
void assign(M& m, V&& v) {
  if constexpr (IsOptional<M>::value) {
    m = static_cast<typename M::value_type>(v);
  } else {
    m = static_cast<M>(v);
  }
}

// ------------------------------------------------------------------ row helpers

// `name VALUE`: exactly one argument. Prints when different from T's default.
template <class T, class M, class C>
Keyword<T> one(std::string_view name, M T::*m, C conv) {
  return {
      name,
      [m, conv](T& o, const Node& n, Ctx& ctx) {
        if (!ctx.noBlock(n) || !ctx.arity(n, 1, 1))
          return;
        if (auto v = conv.parse(n.args[0], ctx))
          assign(o.*m, *v);
      },
      [name, m, conv](const T& o, Printer& p) {
        static const T defaults{};
        if (o.*m == defaults.*m)
          return;
        if constexpr (IsOptional<M>::value) {
          p.line(fmt::format("{} {}", name, conv.format(static_cast<typename C::type>(*(o.*m)))));
        } else {
          p.line(fmt::format("{} {}", name, conv.format(static_cast<typename C::type>(o.*m))));
        }
      }};
}

// A synonym: parses like `row` and prints nothing (the canonical row prints).
template <class T>
Keyword<T> alias(std::string_view name, Keyword<T> row) {
  row.name = name;
  row.print = nullptr;
  return row;
}

// `name [BOOL]`: a flag; the keyword alone means true. Works for bool and optional<bool>.
template <class T, class M>
Keyword<T> flag(std::string_view name, M T::*m) {
  return {name,
          [m](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 0, 1))
              return;
            bool v = true;
            if (!n.args.empty()) {
              auto b = BoolV{}.parse(n.args[0], ctx);
              if (!b)
                return;
              v = *b;
            }
            o.*m = v;
          },
          [name, m](const T& o, Printer& p) {
            static const T defaults{};
            if (o.*m == defaults.*m)
              return;
            if constexpr (IsOptional<M>::value) {
              p.line(fmt::format("{} {}", name, *(o.*m) ? "true" : "false"));
            } else {
              p.line(o.*m ? std::string(name) : fmt::format("{} false", name));
            }
          }};
}

// A keyword without arguments that sets a bool member to a fixed value (nopreempt, preempt).
template <class T>
Keyword<T> setter(std::string_view name, bool T::*m, bool value, bool prints) {
  Keyword<T> k{name,
               [m, value](T& o, const Node& n, Ctx& ctx) {
                 if (ctx.noBlock(n) && ctx.arity(n, 0, 0))
                   o.*m = value;
               },
               nullptr};
  if (prints) {
    k.print = [name, m, value](const T& o, Printer& p) {
      if (o.*m == value)
        p.line(std::string(name));
    };
  }
  return k;
}

// A keyword that is accepted and ignored (a documented no-op); warns so the operator knows.
template <class T>
Keyword<T> ignored(std::string_view name, std::string_view why) {
  return {name,
          [name, why](T&, const Node& n, Ctx& ctx) {
            ctx.diags.warning(n.loc(), fmt::format("'{}' {}", name, why));
          },
          nullptr};
}

// `name { word word ... }`: each word of each line is one entry.
template <class T, class C>
Keyword<T> list(std::string_view name, std::vector<typename C::type> T::*m, C conv) {
  return {name,
          [m, conv](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n))
              return;
            for (const auto& tok : n.args) {
              if (auto v = conv.parse(tok, ctx))
                (o.*m).push_back(*v);
            }
            for (const auto& c : n.children) {
              if (auto v = conv.parse(c.key, ctx))
                (o.*m).push_back(*v);
              for (const auto& tok : c.args) {
                if (auto v = conv.parse(tok, ctx))
                  (o.*m).push_back(*v);
              }
              if (c.has_block)
                ctx.bad(c.key, "unexpected block");
            }
          },
          [name, m, conv](const T& o, Printer& p) {
            if ((o.*m).empty())
              return;
            p.open(std::string(name));
            for (const auto& v : o.*m)
              p.line(conv.format(v));
            p.close();
          }};
}

// `name { entry... }` where each statement is parsed by a line parser into E.
template <class T, class E>
Keyword<T> entries(std::string_view name, std::vector<E> T::*m,
                   std::function<std::optional<E>(const Node&, Ctx&)> parse_line,
                   std::function<std::string(const E&)> format_line) {
  return {name,
          [m, parse_line](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n))
              return;
            if (!n.args.empty())
              ctx.bad(n.args[0], "unexpected argument before '{'");
            for (const auto& c : n.children) {
              if (c.has_block) {
                ctx.bad(c.key, "unexpected block");
                continue;
              }
              if (auto e = parse_line(c, ctx))
                (o.*m).push_back(std::move(*e));
            }
          },
          [name, m, format_line](const T& o, Printer& p) {
            if ((o.*m).empty())
              return;
            p.open(std::string(name));
            for (const auto& e : o.*m)
              p.line(format_line(e));
            p.close();
          }};
}

// `name { ... }` bound to a nested struct (S or optional<S>) through its own table.
template <class T, class M, class S>
Keyword<T> sub(std::string_view name, M T::*m, const Schema<S>& schema) {
  return {name,
          [name, m, &schema](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n))
              return;
            if constexpr (IsOptional<M>::value) {
              if (!(o.*m))
                o.*m = S{};
              bindBlock(*(o.*m), n.children, schema, ctx, name);
            } else {
              bindBlock(o.*m, n.children, schema, ctx, name);
            }
          },
          [name, m, &schema](const T& o, Printer& p) {
            const S* s = nullptr;
            if constexpr (IsOptional<M>::value) {
              if (!(o.*m))
                return;
              s = &*(o.*m);
            } else {
              static const T defaults{};
              if (o.*m == defaults.*m)
                return;
              s = &(o.*m);
            }
            p.open(std::string(name));
            printBlock(*s, schema, p);
            p.close();
          }};
}

// `name NAME { ... }`: a named block appended to a vector (vrrp_instance, vrrp_script, ...).
template <class T, class S>
Keyword<T> named(std::string_view name, std::vector<S> T::*m, const Schema<S>& schema) {
  return {name,
          [name, m, &schema](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.wantBlock(n) || !ctx.arity(n, 1, 1))
              return;
            S s{};
            s.name = n.args[0].text;
            s.loc = n.loc();
            bindBlock(s, n.children, schema, ctx, fmt::format("{} {}", name, s.name));
            (o.*m).push_back(std::move(s));
          },
          [name, m, &schema](const T& o, Printer& p) {
            for (const auto& s : o.*m) {
              p.open(fmt::format("{} {}", name, quoteIfNeeded(s.name)));
              printBlock(s, schema, p);
              p.close();
            }
          }};
}

// What kind of words an `extra` keyword takes.
enum class ArgKind { kAny, kInt, kTimer, kBool, kIp };

// The `extra` keywords the engines read from the map; every other one is accepted so that
// keepalived configs load, and warned about so that nobody believes it does something.
inline bool extraIsApplied(std::string_view name) {
  static constexpr std::string_view kApplied[] = {"vrrp_rlimit_rttime",
                                                  "vrrp_notify_priority_changes",
                                                  "checker_log_all_failures",
                                                  "no_checker_emails",
                                                  "sni_name",
                                                  "include_check"};
  for (auto a : kApplied) {
    if (a == name)
      return true;
  }
  return false;
}

// A rare keyword kept in the block's `extra` map after type checking.
template <class T>
Keyword<T> extra(std::string_view name, ArgKind kind, size_t min_args, size_t max_args) {
  return {name,
          [name, kind, min_args, max_args](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, min_args, max_args))
              return;
            if (!extraIsApplied(name)) {
              ctx.diags.warning(n.loc(), fmt::format("'{}' is accepted for keepalived "
                                                     "compatibility; vipd does not act on it",
                                                     name));
            }
            std::vector<std::string> words;
            for (const auto& a : n.args) {
              bool ok = true;
              switch (kind) {
                case ArgKind::kAny:
                  break;
                case ArgKind::kInt:
                  ok = IntV{INT32_MIN, INT32_MAX}.parse(a, ctx).has_value();
                  break;
                case ArgKind::kTimer:
                  ok = TimerV{}.parse(a, ctx).has_value();
                  break;
                case ArgKind::kBool:
                  ok = BoolV{}.parse(a, ctx).has_value();
                  break;
                case ArgKind::kIp:
                  ok = IpV{}.parse(a, ctx).has_value();
                  break;
              }
              if (!ok)
                return;
              words.push_back(a.text);
            }
            o.extra[std::string(name)].push_back(std::move(words));
          },
          [name](const T& o, Printer& p) {
            auto it = o.extra.find(std::string(name));
            if (it == o.extra.end())
              return;
            for (const auto& words : it->second) {
              std::string s(name);
              for (const auto& w : words)
                s += " " + quoteIfNeeded(w);
              p.line(s);
            }
          }};
}

// Shorthands for the common converters.
inline IntV intIn(int64_t lo, int64_t hi) {
  return IntV{lo, hi};
}
inline TimerV timerIn(double lo_s, double hi_s) {
  return TimerV{static_cast<int64_t>(lo_s * 1e6), static_cast<int64_t>(hi_s * 1e6)};
}
inline TimerV anyTimer() {
  return TimerV{};
}

}  // namespace vipd::conf
