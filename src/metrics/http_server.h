#pragma once
// A minimal HTTP/1.1 server for the metrics endpoint, on the services loop: GET only, one
// request per connection (Connection: close), request head at most 8 KiB within 5 s.
// Routes: /metrics (Prometheus text), /status (the control protocol's status JSON),
// /healthz. The body is produced asynchronously (it comes from the VRRP loop).

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "io/loop.h"
#include "io/stream.h"

namespace vipd::metrics {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
  std::string body;
};

// The request head read so far, judged (pure; the fuzz target metrics_request_fuzz holds it
// to its invariants): incomplete until the blank line, at most kMaxHead bytes, GET only.
constexpr size_t kMaxHead = 8192;
struct RequestHead {
  enum class Verdict { kIncomplete, kTooLarge, kBadLine, kNotGet, kGet };
  Verdict verdict = Verdict::kIncomplete;
  std::string path;  // kGet: the path, without the query
};
RequestHead parseRequestHead(std::string_view in);

// Parses "IP:PORT" or "[IPv6]:PORT" (or ":PORT" for all addresses).
bool parseListen(const std::string& s, std::string& host, int& port);

class HttpServer {
 public:
  using Respond = std::function<void(const HttpResponse&)>;
  using Handler = std::function<void(const std::string& path, Respond)>;
  // Throws std::system_error when it cannot listen.
  HttpServer(io::Loop& loop, const std::string& listen, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  int port() const { return port_; }

 private:
  struct Conn {
    std::string in;
    io::Micros deadline{0};
    bool answered = false;
  };
  void onAccept();
  void onReadable(int fd);
  void respond(int fd, const HttpResponse& r);
  void close(int fd);
  void onTimer();
  io::Loop& loop_;
  Handler handler_;
  int fd_ = -1, port_ = 0, timer_ = -1;
  io::Acceptor acceptor_{"metrics endpoint"};
  std::map<int, Conn> conns_;
};

}  // namespace vipd::metrics
