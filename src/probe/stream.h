#pragma once
// The checkers' I/O: one non-blocking connection (TCP, optionally TLS) driven by the
// checker loop's epoll, bounded by one deadline for the whole attempt, never a thread or a
// blocking call. Probes (tcp, http, smtp) build their dialogs on it.
//
// Callbacks may destroy the Stream; it touches nothing of itself after calling one.

#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "check/plan.h"
#include "io/loop.h"
#include "io/timer_set.h"

namespace vipd::probe {

using Micros = std::chrono::microseconds;

struct Env {
  io::Loop& loop;
  io::TimerSet& timers;
  SSL_CTX* tls = nullptr;  // SSL_GET's client context (one per configuration)
};

// A non-blocking socket bound as the checker asks (bindto, bind_port, bind_if, fwmark),
// with connect() started. Returns the fd, or -1 with `error` set.
// `connect_only` (TCP_CHECK): the handshake is all that is wanted. `shortage`, when given,
// tells whether a failure was this host's lack of descriptors or memory.
int openConnected(const check::Target& t, int type, int protocol, std::string& error,
                  bool connect_only = false, bool* shortage = nullptr);

class Stream {
 public:
  struct Callbacks {
    std::function<void()> connected;  // TCP (and TLS) is up
    std::function<void(std::string_view)> data;
    std::function<void()> eof;                // the peer closed
    std::function<void(std::string)> failed;  // why: "connection refused", "timeout ..."
  };
  // `sni`: the server name for TLS (empty: none).
  Stream(Env& env, const check::Target& t, bool tls, const std::string& sni, Micros deadline,
         Callbacks cb, bool connect_only = false);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void send(std::string bytes);
  // No more callbacks: the owner has what it wanted. The socket closes now (with a reset
  // when the server has not closed its side).
  void close();
  // After `failed`: the socket could not be opened for want of this host's resources.
  bool failedLocally() const { return failed_locally_; }
  // Certificate details once TLS is up, for genhash's verbose output.
  SSL* ssl() const { return ssl_; }

 private:
  enum class Phase { kConnecting, kHandshake, kOpen, kDone };
  void onEvents(uint32_t ev);
  void onTimeout();
  void fail(std::string reason);
  void handshake();
  bool flush();  // writes what is pending; false when the stream failed
  void pump();   // flush, then read what is there
  void interest(bool want_read, bool want_write);
  Env& env_;
  Callbacks cb_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool tls_;
  bool peer_closed_ = false;
  bool failed_locally_ = false;
  Phase phase_ = Phase::kConnecting;
  std::string out_;
  io::TimerSet::Id timer_ = 0;
  uint32_t events_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vipd::probe
