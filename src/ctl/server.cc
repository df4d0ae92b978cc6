#include "ctl/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "io/stream.h"

namespace vipd::ctl {

namespace {
constexpr size_t kMaxRequest = 64 * 1024;
constexpr io::Micros kRequestTimeout{5'000'000};
}  // namespace

bool socketInUse(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path)
    return false;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return live;
}

Server::Server(io::Loop& loop, std::string path, std::optional<gid_t> group, Handler handler)
    : loop_(loop), path_(std::move(path)), group_(group), handler_(std::move(handler)) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "control socket");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path_.size() >= sizeof sa.sun_path) {
    ::close(fd_);
    throw std::system_error(ENAMETOOLONG, std::generic_category(), path_);
  }
  std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
  if (socketInUse(path_)) {
    ::close(fd_);
    throw std::system_error(EADDRINUSE, std::generic_category(),
                            path_ + " belongs to a running daemon");
  }
  ::unlink(path_.c_str());  // left by a daemon that died
  const mode_t old = ::umask(0117);
  const int rc = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  ::umask(old);
  if (rc != 0 || ::listen(fd_, 16) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::system_error(err, std::generic_category(), "control socket " + path_);
  }
  if (group_ && ::chown(path_.c_str(), 0, *group_) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::system_error(err, std::generic_category(), "chown " + path_);
  }
  loop_.watch(fd_, [this] { onAccept(); });
  timer_ = loop_.addTimer([this] { onTimer(); });
}

Server::~Server() {
  for (auto& [fd, c] : conns_) {
    loop_.unwatch(fd);
    ::close(fd);
  }
  loop_.unwatch(fd_);
  ::close(fd_);
  ::unlink(path_.c_str());
  loop_.removeTimer(timer_);
}

void Server::onAccept() {
  for (;;) {
    const int fd = acceptor_.accept(fd_);
    if (fd < 0)
      return;
    ucred cred{};
    socklen_t len = sizeof cred;
    const bool allowed =
        ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
        (cred.uid == 0 || cred.uid == ::geteuid() || (group_ && cred.gid == *group_));
    if (!allowed) {
      const std::string deny = errorResponse("permission denied").dump() + "\n";
      [[maybe_unused]] auto n = ::send(fd, deny.data(), deny.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    conns_[fd] = Conn{"", io::monotonicNow() + kRequestTimeout};
    loop_.watch(fd, [this, fd] { onReadable(fd); });
  }
  onTimer();
}

void Server::onReadable(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end())
    return;
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    loop_.unwatch(fd);
    ::close(fd);
    conns_.erase(it);
    return;
  }
  it->second.in.append(buf, static_cast<size_t>(n));
  const auto eol = it->second.in.find('\n');
  if (eol == std::string::npos) {
    if (it->second.in.size() > kMaxRequest)
      finish(fd, errorResponse("request too long"));
    return;
  }
  const std::string line = it->second.in.substr(0, eol);
  loop_.unwatch(fd);  // one request per connection: nothing more is read
  std::string error;
  auto req = parseRequest(line, error);
  if (!req) {
    finish(fd, errorResponse(error));
    return;
  }
  // The handler may answer later (from another loop's post); the connection waits for it.
  handler_(*req, [this, fd](const nlohmann::json& response) { finish(fd, response); });
}

void Server::finish(int fd, const nlohmann::json& response) {
  auto it = conns_.find(fd);
  if (it == conns_.end())
    return;
  const std::string out = response.dump() + "\n";
  // A status of 1000 instances is a few hundred KiB; at most 2 s, on the services loop.
  io::sendAllBounded(fd, out, std::chrono::seconds(2));
  loop_.unwatch(fd);
  ::close(fd);
  conns_.erase(it);
}

void Server::onTimer() {
  std::optional<io::Micros> next;
  for (int fd :
       io::expired(conns_, io::monotonicNow(), next, [](const Conn& c) { return c.deadline; })) {
    loop_.unwatch(fd);
    ::close(fd);
    conns_.erase(fd);
  }
  loop_.armTimer(timer_, next);
}

}  // namespace vipd::ctl
