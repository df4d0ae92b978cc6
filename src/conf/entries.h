#pragma once
// Parsers and printers for the entry lines inside list blocks: addresses, routes, rules,
// tracker references, unicast peers, and script commands with their user/group.

#include <optional>
#include <string>

#include "conf/schema.h"

namespace vipd::conf {

std::optional<AddressEntry> parseAddress(const Node& n, Ctx& ctx);
std::string formatAddress(const AddressEntry& a);

std::optional<RouteEntry> parseRoute(const Node& n, Ctx& ctx);
std::optional<RouteEntry> parseRule(const Node& n, Ctx& ctx);
std::string formatRoute(const RouteEntry& r);

std::optional<TrackRef> parseTrackRef(const Node& n, Ctx& ctx, int weight_limit);
std::string formatTrackRef(const TrackRef& t);

std::optional<UnicastPeer> parseUnicastPeer(const Node& n, Ctx& ctx);
std::string formatUnicastPeer(const UnicastPeer& p);

// `weight N [reverse|noreverse]` starting at args[first]; limit bounds |N|.
std::optional<Weight> parseWeight(const Node& n, size_t first, int limit, Ctx& ctx);
std::string formatWeight(const Weight& w);

// `"cmd args" [user [[:]group]]`. When `rest_is_command` and the command is not quoted,
// every argument belongs to the command (keepalived's `script killall -0 x` form).
std::optional<ScriptCommand> parseScript(const Node& n, size_t first, bool rest_is_command,
                                         Ctx& ctx);
std::string formatScript(const ScriptCommand& s);

// Schema rows for script-valued keywords.
template <class T>
Keyword<T> script(std::string_view name, std::optional<ScriptCommand> T::*m,
                  bool rest_is_command = false) {
  return {name,
          [m, rest_is_command](T& o, const Node& n, Ctx& ctx) {
            if (!ctx.noBlock(n) || !ctx.arity(n, 1, SIZE_MAX))
              return;
            if (auto s = parseScript(n, 0, rest_is_command, ctx))
              o.*m = std::move(*s);
          },
          [name, m](const T& o, Printer& p) {
            if (o.*m)
              p.line(std::string(name) + " " + formatScript(*(o.*m)));
          }};
}

// `name { NAME [weight N [reverse]] ... }` tracker lists.
template <class T>
Keyword<T> trackList(std::string_view name, std::vector<TrackRef> T::*m, int weight_limit) {
  return entries<T, TrackRef>(
      name, m,
      [weight_limit](const Node& n, Ctx& ctx) { return parseTrackRef(n, ctx, weight_limit); },
      formatTrackRef);
}

}  // namespace vipd::conf
