#pragma once
// The control protocol between vipctl and vipd (docs/design/control-protocol.md): one JSON
// object per line over a UNIX stream socket, one request per connection.
//   request:  {"v":1,"cmd":"show","instance":"VI_1"}
//   response: {"v":1,"ok":true,"result":{...}}  or  {"v":1,"ok":false,"error":"...",...}
// The command table below is the single list both sides use: the daemon dispatches on it,
// vipctl builds its subcommands, help and shell completion from it.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::ctl {

inline constexpr int kProtocolVersion = 1;

struct CommandSpec {
  std::string_view name;
  bool takes_instance;
  std::string_view summary;
  std::string_view args = "";  // positional words after the command ("" = none, "[..]" optional)
};

inline constexpr CommandSpec kCommands[] = {
    {"status", false, "every instance: state, priorities, master, VIPs, time in state"},
    {"show", true, "one instance: config, counters, drop reasons, trackers, last transitions"},
    {"explain", true,
     "why an instance is master, backup or fault, and what would change it; with VS RS, why a "
     "real server is up or down",
     "[RS]"},
    {"reload", false, "re-read the configuration; refused with its diagnostics if broken"},
    {"version", false, "daemon version and protocol version"},
    {"vs", false,
     "every virtual server and its real servers: state, weights, checkers, drained or not"},
    {"rs", false, "change a real server at run time: drain VS RS | enable VS RS | weight VS RS N",
     "drain|enable|weight VS RS [N]"},
};

const CommandSpec* findCommand(std::string_view name);

struct Request {
  std::string cmd;
  std::optional<std::string> instance;
  std::vector<std::string> args;  // "args": [...] (added in version 1; absent = none)
};

nlohmann::json toJson(const Request& r);
// Parses one request line; on failure returns nullopt and sets `error`.
std::optional<Request> parseRequest(std::string_view line, std::string& error);

nlohmann::json okResponse(nlohmann::json result);
nlohmann::json errorResponse(std::string_view error, nlohmann::json extra = nullptr);

// Client side: connects to `path`, sends `r`, returns the parsed response (or an error
// response describing why none came).
nlohmann::json call(const std::string& path, const Request& r);

// Where the daemon listens by default; `-s NAME` daemons use a per-namespace name.
std::string defaultSocketPath(const std::optional<std::string>& namespace_name);

}  // namespace vipd::ctl
