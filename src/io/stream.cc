#include "io/stream.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "base/log.h"

namespace vipd::io {

bool sendAllBounded(int fd, std::string_view data, std::chrono::seconds timeout) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

Acceptor::Acceptor(const char* what)
    : what_(what), spare_(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

Acceptor::~Acceptor() {
  if (spare_ >= 0)
    ::close(spare_);
}

int Acceptor::accept(int listen_fd) {
  const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
    return fd;
  ++refused_;
  const Micros now = monotonicNow();
  if (!logged_ || now - *logged_ >= std::chrono::seconds(10)) {
    logged_ = now;
    log::error(
        "{}: a connection closed unanswered: this process has no descriptor left ({} so "
        "far; raise LimitNOFILE / ulimit -n)",
        what_, refused_);
  }
  if (spare_ >= 0) {
    ::close(spare_);
    const int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c >= 0)
      ::close(c);
    spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  errno = EMFILE;
  return -1;
}

}  // namespace vipd::io
