#pragma once
// The control socket: a UNIX stream listener on the services loop. Only root, the daemon's
// own user, or members of the configured group may talk to it (SO_PEERCRED); the socket
// file is mode 0660. A request line is at most 64 KiB and must arrive within 5 s.

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "ctl/protocol.h"
#include "io/loop.h"
#include "io/stream.h"

namespace vipd::ctl {

// True when a daemon answers on the Unix socket at `path`. A socket file whose daemon died
// refuses the connection and may be replaced; a live one must never be (a second daemon
// would take vipctl's requests away from the first).
bool socketInUse(const std::string& path);

class Server {
 public:
  using Reply = std::function<void(const nlohmann::json&)>;
  using Handler = std::function<void(const Request&, Reply)>;

  // Throws std::system_error when the socket cannot be created.
  Server(io::Loop& loop, std::string path, std::optional<gid_t> group, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

 private:
  struct Conn {
    std::string in;
    io::Micros deadline{0};
  };
  void onAccept();
  void onReadable(int fd);
  void finish(int fd, const nlohmann::json& response);
  void onTimer();
  io::Loop& loop_;
  std::string path_;
  std::optional<gid_t> group_;
  Handler handler_;
  int fd_ = -1;
  int timer_ = -1;
  io::Acceptor acceptor_{"control socket"};
  std::map<int, Conn> conns_;
};

}  // namespace vipd::ctl
