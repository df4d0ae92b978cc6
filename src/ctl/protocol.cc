#include "ctl/protocol.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipd::ctl {

const CommandSpec* findCommand(std::string_view name) {
  for (const auto& c : kCommands) {
    if (c.name == name)
      return &c;
  }
  return nullptr;
}

nlohmann::json toJson(const Request& r) {
  nlohmann::json j{{"v", kProtocolVersion}, {"cmd", r.cmd}};
  if (r.instance)
    j["instance"] = *r.instance;
  if (!r.args.empty())
    j["args"] = r.args;
  return j;
}

std::optional<Request> parseRequest(std::string_view line, std::string& error) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "request is not a JSON object";
    return std::nullopt;
  }
  if (!j.contains("v") || !j["v"].is_number_integer() || j["v"].get<int>() != kProtocolVersion) {
    error = "unsupported protocol version (this daemon speaks " + std::to_string(kProtocolVersion) +
            ")";
    return std::nullopt;
  }
  if (!j.contains("cmd") || !j["cmd"].is_string()) {
    error = "request has no \"cmd\"";
    return std::nullopt;
  }
  Request r{j["cmd"].get<std::string>(), std::nullopt, {}};
  const CommandSpec* spec = findCommand(r.cmd);
  if (!spec) {
    error = "unknown command '" + r.cmd + "'";
    return std::nullopt;
  }
  if (j.contains("instance")) {
    if (!j["instance"].is_string()) {
      error = "\"instance\" must be a string";
      return std::nullopt;
    }
    r.instance = j["instance"].get<std::string>();
  }
  if (j.contains("args")) {
    if (!j["args"].is_array()) {
      error = "\"args\" must be an array of strings";
      return std::nullopt;
    }
    for (const auto& a : j["args"]) {
      if (!a.is_string()) {
        error = "\"args\" must be an array of strings";
        return std::nullopt;
      }
      r.args.push_back(a.get<std::string>());
    }
  }
  if (spec->takes_instance && !r.instance) {
    error = "'" + r.cmd + "' needs an instance name";
    return std::nullopt;
  }
  return r;
}

nlohmann::json okResponse(nlohmann::json result) {
  return {{"v", kProtocolVersion}, {"ok", true}, {"result", std::move(result)}};
}

nlohmann::json errorResponse(std::string_view error, nlohmann::json extra) {
  nlohmann::json j{{"v", kProtocolVersion}, {"ok", false}, {"error", std::string(error)}};
  if (extra.is_object()) {
    for (auto& [k, v] : extra.items())
      j[k] = v;
  }
  return j;
}

nlohmann::json call(const std::string& path, const Request& r) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errorResponse(std::string("socket: ") + std::strerror(errno));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) {
    ::close(fd);
    return errorResponse("socket path too long: " + path);
  }
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    const int err = errno;
    ::close(fd);
    return errorResponse("cannot connect to " + path + ": " + std::strerror(err) +
                         (err == ENOENT || err == ECONNREFUSED ? " (is vipd running?)" : ""));
  }
  const std::string line = toJson(r).dump() + "\n";
  // A daemon that refuses the caller answers at once and closes: the send may then fail,
  // and its answer is still there to read.
  const bool sent =
      ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
  const int send_errno = errno;
  std::string reply;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto j = nlohmann::json::parse(reply, nullptr, false);
  if (!sent && (j.is_discarded() || !j.is_object()))
    return errorResponse(std::string("send: ") + std::strerror(send_errno));
  if (j.is_discarded() || !j.is_object())
    return errorResponse(reply.empty() ? "the daemon closed the connection (permission denied?)"
                                       : "malformed reply from the daemon");
  return j;
}

std::string defaultSocketPath(const std::optional<std::string>& ns) {
  return ns ? "/run/vipd_" + *ns + ".sock" : "/run/vipd.sock";
}

}  // namespace vipd::ctl
