#include "probe/attempt.h"

#include <fmt/format.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "check/dns.h"
#include "check/smtp.h"
#include "probe/socket_addr.h"

namespace vipd::probe {

using check::CheckSpec;
using conf::CheckerKind;

namespace {

Micros deadlineOf(const CheckSpec& s) {
  return io::monotonicNow() + s.timing.connect_timeout;
}

uint32_t randomWord() {
  static std::mt19937 rng{std::random_device{}()};
  return static_cast<uint32_t>(rng());
}

// ---------------------------------------------------------------- TCP_CHECK

// Every attempt ends once: its stream is closed first, so nothing more arrives.
class TcpAttempt : public Attempt {
 public:
  TcpAttempt(Env& env, const CheckSpec& s, Done done) : done_(std::move(done)) {
    Stream::Callbacks cb;
    cb.connected = [this] { finish({true, ""}); };
    cb.data = [](std::string_view) {};
    cb.eof = [this] { finish({false, "connection closed"}); };
    cb.failed = [this](std::string r) { finish({false, std::move(r), stream_->failedLocally()}); };
    stream_ =
        std::make_unique<Stream>(env, s.target, false, "", deadlineOf(s), std::move(cb), true);
  }

 private:
  void finish(Outcome o) {
    stream_->close();
    auto d = done_;
    d(std::move(o));
  }
  Done done_;
  std::unique_ptr<Stream> stream_;
};

// ---------------------------------------------------------------- HTTP_GET / SSL_GET

class HttpAttempt : public Attempt {
 public:
  HttpAttempt(Env& env, const CheckSpec& s, const Prepared& p, Done done)
      : env_(env), spec_(s), prep_(p), done_(std::move(done)) {
    next();
  }

 private:
  void next() {
    if (url_ == spec_.conf->urls.size()) {
      auto d = done_;
      d({true, ""});
      return;
    }
    const auto& u = spec_.conf->urls[url_];
    const auto vhost = u.virtualhost ? u.virtualhost : spec_.virtualhost;
    const bool want_body = u.digest.has_value() || prep_.regex[url_] != nullptr;
    reader_ = std::make_unique<check::HttpResponseReader>(want_body,
                                                          prep_.regex[url_] ? size_t{1} << 20 : 0);
    std::string sni;
    if (spec_.conf->enable_sni.value_or(false)) {
      auto it = spec_.conf->extra.find("sni_name");
      sni = it != spec_.conf->extra.end() ? it->second.back().at(0) : vhost.value_or("");
    }
    request_ = check::httpRequest(u.path, vhost, spec_.target.addr, spec_.target.port,
                                  spec_.conf->http_protocol.value_or("1.0"));
    Stream::Callbacks cb;
    cb.connected = [this] { stream_->send(request_); };
    cb.data = [this](std::string_view d) {
      if (reader_->feed(d) != check::HttpResponseReader::State::kBody &&
          reader_->state() != check::HttpResponseReader::State::kHeaders)
        judge();
    };
    cb.eof = [this] {
      reader_->closed();
      judge();
    };
    cb.failed = [this](std::string r) { fail(std::move(r)); };
    stream_ = std::make_unique<Stream>(env_, spec_.target, spec_.kind == CheckerKind::kSslGet, sni,
                                       deadlineOf(spec_), std::move(cb));
  }
  void judge() {
    stream_->close();
    auto why = check::judgeUrl(spec_.conf->urls[url_], *reader_, prep_.regex[url_].get());
    if (!why.empty()) {
      fail(std::move(why));
      return;
    }
    ++url_;
    // Inside one of its callbacks: the finished stream is kept until the next one ends.
    old_ = std::move(stream_);
    next();
  }
  void fail(std::string r) {
    if (stream_)
      stream_->close();
    auto d = done_;
    const auto& path = spec_.conf->urls[url_].path;
    d({false, spec_.conf->urls.size() > 1 || !path.empty() ? path + ": " + r : r,
       stream_ && stream_->failedLocally()});
  }
  Env& env_;
  const CheckSpec& spec_;
  const Prepared& prep_;
  Done done_;
  size_t url_ = 0;
  std::string request_;
  std::unique_ptr<check::HttpResponseReader> reader_;
  std::unique_ptr<Stream> stream_, old_;
};

// ---------------------------------------------------------------- SMTP_CHECK

class SmtpAttempt : public Attempt {
 public:
  SmtpAttempt(Env& env, const CheckSpec& s, Done done) : spec_(s), done_(std::move(done)) {
    Stream::Callbacks cb;
    cb.connected = [] {};
    cb.data = [this](std::string_view d) { onData(d); };
    cb.eof = [this] { finish({false, "connection closed during the SMTP dialog"}); };
    cb.failed = [this](std::string r) { finish({false, std::move(r), stream_->failedLocally()}); };
    stream_ = std::make_unique<Stream>(env, s.target, false, "", deadlineOf(s), std::move(cb));
  }

 private:
  void onData(std::string_view d) {
    auto code = reader_.feed(d);
    if (!reader_.error().empty()) {
      finish({false, reader_.error()});
      return;
    }
    if (!code)
      return;
    reader_.reset();
    if (!helo_sent_) {
      if (*code != 220) {
        finish({false, fmt::format("SMTP greeting {} (expected 220)", *code)});
        return;
      }
      helo_sent_ = true;
      stream_->send("HELO " + spec_.helo_name + "\r\n");
      return;
    }
    if (*code != 250) {
      finish({false, fmt::format("SMTP HELO answered {} (expected 250)", *code)});
      return;
    }
    stream_->send("QUIT\r\n");
    finish({true, ""});
  }
  void finish(Outcome o) {
    stream_->close();
    auto d = done_;
    d(std::move(o));
  }
  const CheckSpec& spec_;
  Done done_;
  check::SmtpReplyReader reader_;
  bool helo_sent_ = false;
  std::unique_ptr<Stream> stream_;
};

// ---------------------------------------------------------------- datagram checkers

// DNS_CHECK, UDP_CHECK and PING_CHECK: one datagram out, wait for the right one back. An
// ICMP port unreachable shows as ECONNREFUSED on the connected socket: down.
class DatagramAttempt : public Attempt {
 public:
  DatagramAttempt(Env& env, const CheckSpec& s, const Prepared& p, Done done)
      : env_(env), spec_(s), prep_(p), done_(std::move(done)) {
    std::string error;
    int type = SOCK_DGRAM, proto = 0;
    if (s.kind == CheckerKind::kPing) {
      type = SOCK_RAW;
      proto = s.target.addr.isV6() ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
    }
    check::Target t = s.target;
    if (s.kind == CheckerKind::kPing)
      t.port = 0;
    else if (s.kind == CheckerKind::kDns && t.port == 0)
      t.port = 53;
    fd_ = openConnected(t, type, proto, error, false, &local_);
    if (fd_ < 0) {
      later(error);
      return;
    }
    if (s.kind == CheckerKind::kPing && s.target.addr.isV6()) {
      icmp6_filter f;
      ICMP6_FILTER_SETBLOCKALL(&f);
      ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
      ::setsockopt(fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
    }
    std::vector<uint8_t> out = request();
    if (out.empty()) {
      later("cannot build the query");
      return;
    }
    if (::send(fd_, out.data(), out.size(), 0) < 0) {
      later(describeErrno(errno));
      return;
    }
    env_.loop.watchEvents(fd_, EPOLLIN, [this](uint32_t) { onReadable(); });
    timer_ = env_.timers.add(deadlineOf(s), [this] {
      timer_ = 0;
      onTimeout();
    });
  }
  ~DatagramAttempt() override {
    if (timer_)
      env_.timers.cancel(timer_);
    if (fd_ >= 0) {
      env_.loop.unwatch(fd_);
      ::close(fd_);
    }
  }

 private:
  void later(std::string error) {
    timer_ = env_.timers.add(io::monotonicNow(), [this, error] {
      timer_ = 0;
      finish({false, error, local_});
    });
  }
  std::vector<uint8_t> request() {
    id_ = static_cast<uint16_t>(randomWord());
    switch (spec_.kind) {
      case CheckerKind::kDns:
        return check::dnsQuery(id_, spec_.conf->dns_name.value_or(""),
                               spec_.conf->dns_type.value_or("SOA"))
            .value_or(std::vector<uint8_t>{});
      case CheckerKind::kUdp: {
        if (!prep_.payload.empty())
          return prep_.payload;
        std::vector<uint8_t> r(16);  // keepalived sends random bytes without a payload
        for (auto& b : r)
          b = static_cast<uint8_t>(randomWord());
        return r;
      }
      default: {  // PING_CHECK: an echo request, RFC 792 / RFC 4443 4.1
        std::vector<uint8_t> r(16, 0);
        r[0] = static_cast<uint8_t>(spec_.target.addr.isV6() ? int{ICMP6_ECHO_REQUEST}
                                                             : int{ICMP_ECHO});
        r[4] = static_cast<uint8_t>(id_ >> 8);
        r[5] = static_cast<uint8_t>(id_);
        r[7] = 1;
        if (!spec_.target.addr.isV6()) {  // the kernel sums ICMPv6 itself
          uint32_t sum = 0;
          for (size_t i = 0; i < r.size(); i += 2)
            sum += static_cast<uint32_t>(r[i] << 8 | r[i + 1]);
          while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
          const uint16_t c = static_cast<uint16_t>(~sum);
          r[2] = static_cast<uint8_t>(c >> 8);
          r[3] = static_cast<uint8_t>(c);
        }
        return r;
      }
    }
  }
  void onReadable() {
    uint8_t buf[2048];
    for (int i = 0; i < 16; ++i) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
          return;
        finish({false, errno == ECONNREFUSED ? "port unreachable (ICMP)" : describeErrno(errno)});
        return;
      }
      std::span<const uint8_t> d(buf, static_cast<size_t>(n));
      if (spec_.kind == CheckerKind::kDns) {
        std::string why;
        const auto v = check::judgeDnsReply(d, id_, why);
        if (v == check::DnsReply::kNotOurs)
          continue;
        finish({v == check::DnsReply::kOk, why});
        return;
      }
      if (spec_.kind == CheckerKind::kUdp) {
        auto why = check::judgeUdpReply(prep_.udp, d);
        finish({why.empty(), why});
        return;
      }
      // PING: IPv4 raw sockets deliver the IP header too.
      if (!spec_.target.addr.isV6()) {
        if (d.size() < 20)
          continue;
        const size_t ihl = static_cast<size_t>(d[0] & 0x0f) * 4;
        if (d.size() < ihl + 8)
          continue;
        d = d.subspan(ihl);
        if (d[0] != ICMP_ECHOREPLY)
          continue;
      } else if (d.size() < 8 || d[0] != ICMP6_ECHO_REPLY) {
        continue;
      }
      if (static_cast<uint16_t>(d[4] << 8 | d[5]) != id_)
        continue;
      finish({true, ""});
      return;
    }
  }
  void onTimeout() {
    if (spec_.kind == CheckerKind::kUdp && !prep_.udp.require_reply) {
      finish({true, ""});  // no reply and no ICMP error: the port is open (keepalived's rule)
      return;
    }
    finish({false, spec_.kind == CheckerKind::kPing ? "no echo reply" : "no reply"});
  }
  void finish(Outcome o) {
    if (fd_ >= 0) {
      env_.loop.forget(fd_);  // safe from inside its handler: the loop holds a copy
      ::close(fd_);
      fd_ = -1;
    }
    if (timer_) {
      env_.timers.cancel(timer_);
      timer_ = 0;
    }
    auto d = done_;
    d(std::move(o));
  }
  Env& env_;
  const CheckSpec& spec_;
  const Prepared& prep_;
  Done done_;
  int fd_ = -1;
  bool local_ = false;  // the socket could not be opened for want of descriptors
  uint16_t id_ = 0;
  io::TimerSet::Id timer_ = 0;
};

}  // namespace

std::unique_ptr<Prepared> prepare(const CheckSpec& spec, std::string& error) {
  auto p = std::make_unique<Prepared>();
  for (const auto& u : spec.conf->urls) {
    if (u.regex) {
      auto re = check::Regex::compile(*u.regex, error);
      if (!re)
        return nullptr;
      p->regex.push_back(std::move(re));
    } else {
      p->regex.push_back(nullptr);
    }
  }
  if (spec.kind == CheckerKind::kUdp) {
    if (spec.conf->payload) {
      auto h = check::parseHex(*spec.conf->payload, false);
      if (!h || h->bytes.empty()) {
        error = "payload: not a hex string";
        return nullptr;
      }
      p->payload = h->bytes;
    }
    if (spec.conf->require_reply) {
      p->udp.require_reply = true;
      if (!spec.conf->require_reply->empty()) {
        auto h = check::parseHex(*spec.conf->require_reply, true);
        if (!h) {
          error = "require_reply: not a hex string (X matches any nibble)";
          return nullptr;
        }
        p->udp.reply = *h;
      }
    }
    p->udp.min_len = static_cast<size_t>(spec.conf->min_reply_length.value_or(0));
    p->udp.max_len = static_cast<size_t>(spec.conf->max_reply_length.value_or(255));
  }
  if (spec.kind == CheckerKind::kDns &&
      !check::dnsQuery(0, spec.conf->dns_name.value_or(""), spec.conf->dns_type.value_or("SOA"))) {
    error = "name: not a valid domain name";
    return nullptr;
  }
  return p;
}

std::unique_ptr<Attempt> start(Env& env, const CheckSpec& spec, const Prepared& prep, Done done) {
  switch (spec.kind) {
    case CheckerKind::kTcp:
      return std::make_unique<TcpAttempt>(env, spec, std::move(done));
    case CheckerKind::kHttpGet:
    case CheckerKind::kSslGet:
      return std::make_unique<HttpAttempt>(env, spec, prep, std::move(done));
    case CheckerKind::kSmtp:
      return std::make_unique<SmtpAttempt>(env, spec, std::move(done));
    case CheckerKind::kDns:
    case CheckerKind::kUdp:
    case CheckerKind::kPing:
      return std::make_unique<DatagramAttempt>(env, spec, prep, std::move(done));
    default:
      return nullptr;
  }
}

}  // namespace vipd::probe
