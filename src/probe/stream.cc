#include "probe/stream.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/resources.h"
#include "probe/socket_addr.h"

namespace vipd::probe {

int openConnected(const check::Target& t, int type, int protocol, std::string& error,
                  bool connect_only, bool* shortage) {
  sockaddr_storage dst{};
  const socklen_t len = toSockaddr(t.addr, t.port, t.bind_if, dst);
  const int fd = ::socket(dst.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    if (shortage != nullptr)
      *shortage = isResourceShortage(errno);
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  auto bad = [&](const char* what) {
    error = std::string(what) + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  };
  if (connect_only) {
    // Only the SYN-ACK matters: with quick ACKs off the handshake's last ACK is held back
    // and the reset on close ends it, so the server's application is never woken for a
    // check (HAProxy's checks do the same). A server whose accept queue is full sends no
    // SYN-ACK: still DOWN.
    const int zero = 0;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
  }
  if (t.fwmark) {
    const int mark = static_cast<int>(*t.fwmark);
    if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
      return bad("SO_MARK");
  }
  if (!t.bind_if.empty() && ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t.bind_if.c_str(),
                                         static_cast<socklen_t>(t.bind_if.size())) != 0)
    return bad("SO_BINDTODEVICE");
  if (t.bindto || t.bind_port) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage src{};
    const IpAddress any = t.addr.isV6() ? IpAddress::v6({}) : IpAddress::v4(0);
    const socklen_t slen = toSockaddr(t.bindto.value_or(any), t.bind_port, t.bind_if, src);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), slen) != 0)
      return bad("bind");
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), len) != 0 && errno != EINPROGRESS) {
    error = describeErrno(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

Stream::Stream(Env& env, const check::Target& t, bool tls, const std::string& sni, Micros deadline,
               Callbacks cb, bool connect_only)
    : env_(env), cb_(std::move(cb)), tls_(tls) {
  std::string error;
  fd_ = openConnected(t, SOCK_STREAM, 0, error, connect_only, &failed_locally_);
  if (fd_ < 0) {
    // Reported from the loop, never from inside the constructor.
    phase_ = Phase::kDone;
    timer_ = env_.timers.add(io::monotonicNow(), [this, error] {
      timer_ = 0;
      fail(error);
    });
    return;
  }
  if (tls_) {
    ssl_ = SSL_new(env_.tls);
    SSL_set_fd(ssl_, fd_);
    if (!sni.empty())
      SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(sni.c_str()));  // SSL_set_tlsext_host_name, without its C cast
  }
  events_ = EPOLLOUT;
  env_.loop.watchEvents(fd_, events_, [this](uint32_t ev) { onEvents(ev); });
  timer_ = env_.timers.add(deadline, [this] {
    timer_ = 0;
    onTimeout();
  });
}

Stream::~Stream() {
  *alive_ = false;
  close();
}

void Stream::send(std::string bytes) {
  out_ += bytes;
  // Write only: reading here would call back into the owner from inside its own call.
  if (phase_ == Phase::kOpen && flush())
    interest(true, !out_.empty());
}

void Stream::close() {
  phase_ = Phase::kDone;
  if (timer_) {
    env_.timers.cancel(timer_);
    timer_ = 0;
  }
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ < 0)
    return;
  // Closing first, a check would leave a TIME_WAIT socket on the director for a minute
  // (600,000 of them at 10,000 checks/s): it ends with a reset instead, as HAProxy's checks
  // do. When the server closed first, the ordinary close is already the cheap one.
  if (!peer_closed_) {
    const linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  // The loop copied the handler before calling it: forgetting it from inside one is safe.
  env_.loop.forget(fd_);
  ::close(fd_);
  fd_ = -1;
}

void Stream::interest(bool want_read, bool want_write) {
  const uint32_t ev = (want_read ? EPOLLIN : 0u) | (want_write ? EPOLLOUT : 0u);
  if (ev != events_) {
    events_ = ev;
    env_.loop.modifyEvents(fd_, ev);
  }
}

void Stream::fail(std::string reason) {
  close();
  auto f = cb_.failed;
  f(std::move(reason));
}

void Stream::onTimeout() {
  switch (phase_) {
    case Phase::kConnecting:
      fail("timeout connecting");
      break;
    case Phase::kHandshake:
      fail("timeout in the TLS handshake");
      break;
    case Phase::kOpen:
      fail(out_.empty() ? "timeout waiting for the reply" : "timeout sending the request");
      break;
    case Phase::kDone:
      break;
  }
}

void Stream::onEvents(uint32_t ev) {
  if (phase_ == Phase::kConnecting) {
    int err = 0;
    socklen_t l = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err == 0 && (ev & (EPOLLERR | EPOLLHUP)))
      err = ECONNREFUSED;
    if (err != 0) {
      fail(describeErrno(err));
      return;
    }
    if (tls_) {
      phase_ = Phase::kHandshake;
      handshake();
      return;
    }
    phase_ = Phase::kOpen;
    auto alive = alive_;
    if (cb_.connected)
      cb_.connected();  // a TCP_CHECK is done here: no epoll change for it
    if (*alive && phase_ == Phase::kOpen) {
      interest(true, !out_.empty());
      pump();
    }
    return;
  }
  if (phase_ == Phase::kHandshake) {
    handshake();
    return;
  }
  if (phase_ == Phase::kOpen)
    pump();
}

namespace {
std::string sslReason(const char* what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0)
    return std::string(what) + ": connection closed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(what) + ": " + buf;
}
}  // namespace

void Stream::handshake() {
  const int r = SSL_connect(ssl_);
  if (r == 1) {
    phase_ = Phase::kOpen;
    interest(true, !out_.empty());
    auto alive = alive_;
    if (cb_.connected)
      cb_.connected();
    if (*alive && phase_ == Phase::kOpen)
      pump();
    return;
  }
  const int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ)
    interest(true, false);
  else if (e == SSL_ERROR_WANT_WRITE)
    interest(false, true);
  else
    fail(sslReason("TLS handshake failed"));
}

bool Stream::flush() {
  while (!out_.empty()) {
    ssize_t n;
    if (ssl_) {
      n = SSL_write(ssl_, out_.data(), static_cast<int>(out_.size()));
      if (n <= 0) {
        const int e = SSL_get_error(ssl_, static_cast<int>(n));
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
          break;
        fail(sslReason("TLS write failed"));
        return false;
      }
    } else {
      n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
          break;
        fail(describeErrno(errno));
        return false;
      }
    }
    out_.erase(0, static_cast<size_t>(n));
  }
  return true;
}

void Stream::pump() {
  if (!flush())
    return;
  // Read what is there; a few buffers per wakeup so that one fast sender (a 100 MB body)
  // cannot hold the loop: epoll is level-triggered and comes back.
  char buf[16384];
  auto alive = alive_;
  for (int i = 0; i < 8; ++i) {
    ssize_t n;
    if (ssl_) {
      n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        const int e = SSL_get_error(ssl_, static_cast<int>(n));
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
          break;
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
          // A close without close_notify is how most servers end a Connection: close reply.
          ERR_clear_error();
          peer_closed_ = true;
          close();
          cb_.eof();
          return;
        }
        fail(sslReason("TLS read failed"));
        return;
      }
    } else {
      n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
          break;
        fail(describeErrno(errno));
        return;
      }
      if (n == 0) {
        peer_closed_ = true;
        close();
        cb_.eof();
        return;
      }
    }
    cb_.data(std::string_view(buf, static_cast<size_t>(n)));
    if (!*alive || phase_ != Phase::kOpen)
      return;
  }
  interest(true, !out_.empty());
}

}  // namespace vipd::probe
