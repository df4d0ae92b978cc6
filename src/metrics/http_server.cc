#include "metrics/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "base/text.h"
#include "io/stream.h"

namespace vipd::metrics {
namespace {
constexpr io::Micros kTimeout{5'000'000};

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 400:
      return "Bad Request";
    default:
      return "Error";
  }
}
}  // namespace

bool parseListen(const std::string& s, std::string& host, int& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos)
    return false;
  host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto p = parseInt(s.substr(colon + 1));
  if (!p || *p < 1 || *p > 65535)
    return false;
  port = static_cast<int>(*p);
  return true;
}

HttpServer::HttpServer(io::Loop& loop, const std::string& listen, Handler handler)
    : loop_(loop), handler_(std::move(handler)) {
  std::string host;
  int port = 0;
  if (!parseListen(listen, host, port))
    throw std::system_error(EINVAL, std::generic_category(), "metrics listen '" + listen + "'");
  sockaddr_storage ss{};
  socklen_t len = 0;
  in6_addr a6{};
  in_addr a4{};
  if (host.empty() || host == "::" || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(static_cast<uint16_t>(port));
    sa->sin6_addr = host.empty() ? in6addr_any : a6;
    len = sizeof *sa;
  } else if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(static_cast<uint16_t>(port));
    sa->sin_addr = a4;
    len = sizeof *sa;
  } else {
    throw std::system_error(EINVAL, std::generic_category(),
                            "metrics listen '" + listen + "': not an address");
  }
  fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd_ >= 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      ::listen(fd_, 32) != 0) {
    const int err = errno;
    if (fd_ >= 0)
      ::close(fd_);
    throw std::system_error(err, std::generic_category(), "metrics listen " + listen);
  }
  port_ = port;
  loop_.watch(fd_, [this] { onAccept(); });
  timer_ = loop_.addTimer([this] { onTimer(); });
}

HttpServer::~HttpServer() {
  for (auto& [fd, c] : conns_) {
    loop_.unwatch(fd);
    ::close(fd);
  }
  loop_.unwatch(fd_);
  ::close(fd_);
  loop_.removeTimer(timer_);
}

void HttpServer::onAccept() {
  for (;;) {
    const int fd = acceptor_.accept(fd_);
    if (fd < 0)
      break;
    conns_[fd] = Conn{"", io::monotonicNow() + kTimeout, false};
    loop_.watch(fd, [this, fd] { onReadable(fd); });
  }
  onTimer();
}

void HttpServer::onReadable(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end())
    return;
  char buf[2048];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    close(fd);
    return;
  }
  auto& c = it->second;
  c.in.append(buf, static_cast<size_t>(n));
  const RequestHead head = parseRequestHead(c.in);
  using V = RequestHead::Verdict;
  switch (head.verdict) {
    case V::kIncomplete:
      return;
    case V::kTooLarge:
      respond(fd, {400, "text/plain", "request head too large\n"});
      return;
    case V::kBadLine:
      loop_.unwatch(fd);
      respond(fd, {400, "text/plain", "bad request line\n"});
      return;
    case V::kNotGet:
      loop_.unwatch(fd);
      respond(fd, {405, "text/plain", "GET only\n"});
      return;
    case V::kGet:
      loop_.unwatch(fd);
      handler_(head.path, [this, fd](const HttpResponse& r) { respond(fd, r); });
      return;
  }
}

RequestHead parseRequestHead(std::string_view in) {
  RequestHead h;
  const auto end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in.size() > kMaxHead)
      h.verdict = RequestHead::Verdict::kTooLarge;
    return h;
  }
  const std::string_view line = in.substr(0, in.find("\r\n"));
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    h.verdict = RequestHead::Verdict::kBadLine;
    return h;
  }
  if (line.substr(0, sp1) != "GET") {
    h.verdict = RequestHead::Verdict::kNotGet;
    return h;
  }
  std::string_view path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto q = path.find('?'); q != std::string_view::npos)
    path = path.substr(0, q);
  h.path = std::string(path);
  h.verdict = RequestHead::Verdict::kGet;
  return h;
}

void HttpServer::respond(int fd, const HttpResponse& r) {
  if (!conns_.count(fd))
    return;
  const std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                           "\r\nContent-Type: " + r.content_type +
                           "\r\nContent-Length: " + std::to_string(r.body.size()) +
                           "\r\nConnection: close\r\n\r\n";
  const std::string out = head + r.body;
  io::sendAllBounded(fd, out, std::chrono::seconds(2));
  close(fd);
}

void HttpServer::close(int fd) {
  loop_.unwatch(fd);
  ::close(fd);
  conns_.erase(fd);
}

void HttpServer::onTimer() {
  std::optional<io::Micros> next;
  for (int fd :
       io::expired(conns_, io::monotonicNow(), next, [](const Conn& c) { return c.deadline; }))
    close(fd);
  loop_.armTimer(timer_, next);
}

}  // namespace vipd::metrics
