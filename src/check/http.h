#pragma once
// HTTP_GET / SSL_GET, the pure parts: keepalived's request bytes (check_http.c), a bounded
// incremental reader of the response, and the verdict of one url (status code ranges,
// MD5 digest of the body, regex / regex_no_match). The probe (src/probe) moves the bytes.

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "conf/model.h"

namespace vipd::check {

// "GET PATH HTTP/1.x\r\nUser-Agent: KeepAliveClient\r\n[Connection: close\r\n]Host: H\r\n\r\n"
// with H the virtualhost, else "ADDR:PORT" ("[ADDR]:PORT" for IPv6), as keepalived sends
// it; `protocol` is http_protocol (1.0, 1.0C or 1.1; default 1.0).
std::string httpRequest(std::string_view path, const std::optional<std::string>& virtualhost,
                        const IpAddress& addr, int port, std::string_view protocol);

// Reads one response. Memory is bounded: headers up to kMaxHeader bytes (more is an
// error), the body is digested as it streams and only `keep` bytes of it are kept (for a
// regex). A body is read only when `want_body` (a digest or regex needs it); it ends at
// Content-Length or when the peer closes.
class HttpResponseReader {
 public:
  static constexpr size_t kMaxHeader = 64 * 1024;
  HttpResponseReader(bool want_body, size_t keep);
  ~HttpResponseReader();
  HttpResponseReader(const HttpResponseReader&) = delete;
  HttpResponseReader& operator=(const HttpResponseReader&) = delete;

  enum class State { kHeaders, kBody, kDone, kError };
  State feed(std::string_view data);
  State closed();  // the peer closed its side
  State state() const { return state_; }

  int status() const { return status_; }
  std::optional<size_t> contentLength() const { return content_length_; }
  size_t bodyBytes() const { return body_bytes_; }
  const std::string& keptBody() const { return kept_; }
  std::string digestHex();  // MD5 of the body read, lowercase hex (what genhash prints)
  const std::string& error() const { return error_; }

 private:
  State parseHeaders();
  void body(std::string_view d);
  bool want_body_;
  size_t keep_;
  State state_ = State::kHeaders;
  std::string head_;
  std::string kept_;
  int status_ = 0;
  std::optional<size_t> content_length_;
  size_t body_bytes_ = 0;
  EVP_MD_CTX* md5_ = nullptr;
  std::string error_;
};

// A compiled `regex` (PCRE2); nullptr with `error` set when it does not compile.
class Regex {
 public:
  static std::unique_ptr<Regex> compile(const std::string& pattern, std::string& error);
  ~Regex();
  bool matches(std::string_view subject) const;

 private:
  Regex() = default;
  void* code_ = nullptr;  // pcre2_code*
};

// The verdict on one url's response: empty when it passes, else why not, e.g.
// "status 404 not in 200-299", "digest 9b3a... != expected 5d41...", "regex 'ok' not found".
std::string judgeUrl(const conf::HttpUrl& url, HttpResponseReader& r, const Regex* regex);

// "200-299" / "200 301-302" for logs.
std::string statusRanges(const conf::HttpUrl& url);

}  // namespace vipd::check
