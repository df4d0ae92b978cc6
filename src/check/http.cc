#include "check/http.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include <algorithm>
#include <cctype>

namespace vipd::check {

std::string httpRequest(std::string_view path, const std::optional<std::string>& virtualhost,
                        const IpAddress& addr, int port, std::string_view protocol) {
  const int minor = protocol == "1.1" ? 1 : 0;
  const bool close = protocol == "1.1" || protocol == "1.0C";
  std::string host;
  if (virtualhost)
    host = *virtualhost;  // keepalived sends a virtualhost without a port
  else if (addr.isV6())
    host = fmt::format("[{}]:{}", addr.str(), port);
  else
    host = fmt::format("{}:{}", addr.str(), port);
  return fmt::format("GET {} HTTP/1.{}\r\nUser-Agent: KeepAliveClient\r\n{}Host: {}\r\n\r\n", path,
                     minor, close ? "Connection: close\r\n" : "", host);
}

HttpResponseReader::HttpResponseReader(bool want_body, size_t keep)
    : want_body_(want_body), keep_(keep), md5_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(md5_, EVP_md5(), nullptr);
}

HttpResponseReader::~HttpResponseReader() {
  EVP_MD_CTX_free(md5_);
}

namespace {

bool iequalsPrefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size())
    return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) !=
        std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

HttpResponseReader::State HttpResponseReader::feed(std::string_view data) {
  if (state_ == State::kHeaders) {
    // Reads are at most a buffer long, so head_ stays within kMaxHeader + one read.
    head_.append(data);
    const auto end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (head_.size() > kMaxHeader) {
        error_ = fmt::format("headers longer than {} bytes", kMaxHeader);
        state_ = State::kError;
      }
      return state_;
    }
    if (end > kMaxHeader) {
      error_ = fmt::format("headers longer than {} bytes", kMaxHeader);
      return state_ = State::kError;
    }
    const std::string rest = head_.substr(end + 4);
    head_.resize(end);
    state_ = parseHeaders();
    if (state_ == State::kBody)
      body(rest);
    return state_;
  }
  if (state_ == State::kBody)
    body(data);
  return state_;
}

HttpResponseReader::State HttpResponseReader::parseHeaders() {
  // Status line: HTTP/1.x NNN reason
  const auto eol = head_.find("\r\n");
  std::string_view line = std::string_view(head_).substr(0, eol);
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(line[9])) ||
      !std::isdigit(static_cast<unsigned char>(line[10])) ||
      !std::isdigit(static_cast<unsigned char>(line[11]))) {
    error_ = "not an HTTP response";
    return State::kError;
  }
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  size_t pos = eol == std::string::npos ? head_.size() : eol + 2;
  while (pos < head_.size()) {
    auto next = head_.find("\r\n", pos);
    if (next == std::string::npos)
      next = head_.size();
    std::string_view h = std::string_view(head_).substr(pos, next - pos);
    if (iequalsPrefix(h, "content-length:")) {
      auto v = trim(h.substr(15));
      size_t n = 0;
      bool ok = !v.empty() && v.size() <= 18;
      for (char c : v) {
        ok = ok && std::isdigit(static_cast<unsigned char>(c));
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (ok)
        content_length_ = n;
    }
    pos = next + 2;
  }
  if (!want_body_ || (content_length_ && *content_length_ == 0))
    return State::kDone;
  return State::kBody;
}

void HttpResponseReader::body(std::string_view d) {
  if (content_length_)
    d = d.substr(0, std::min(d.size(), *content_length_ - body_bytes_));
  EVP_DigestUpdate(md5_, d.data(), d.size());
  if (kept_.size() < keep_)
    kept_.append(d.substr(0, std::min(d.size(), keep_ - kept_.size())));
  body_bytes_ += d.size();
  if (content_length_ && body_bytes_ >= *content_length_)
    state_ = State::kDone;
}

HttpResponseReader::State HttpResponseReader::closed() {
  if (state_ == State::kHeaders) {
    error_ = head_.empty() ? "connection closed with no response"
                           : "connection closed in the middle of the headers";
    state_ = State::kError;
  } else if (state_ == State::kBody) {
    // keepalived accepts a body shorter than Content-Length (and logs it); so does vipd, the
    // digest then tells.
    state_ = State::kDone;
  }
  return state_;
}

std::string HttpResponseReader::digestHex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, md5_);
  EVP_DigestFinal_ex(copy, md, &len);
  EVP_MD_CTX_free(copy);
  std::string out;
  for (unsigned i = 0; i < len; ++i)
    out += fmt::format("{:02x}", md[i]);
  return out;
}

std::unique_ptr<Regex> Regex::compile(const std::string& pattern, std::string& error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), 0,
                                 &code, &offset, nullptr);
  if (!re) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    error = fmt::format("regex '{}' at offset {}: {}", pattern, offset,
                        reinterpret_cast<const char*>(buf));
    return nullptr;
  }
  std::unique_ptr<Regex> r(new Regex);
  r->code_ = re;
  return r;
}

Regex::~Regex() {
  pcre2_code_free(static_cast<pcre2_code*>(code_));
}

bool Regex::matches(std::string_view subject) const {
  auto* re = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
  const int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                             md, nullptr);
  pcre2_match_data_free(md);
  return rc >= 0;
}

std::string statusRanges(const conf::HttpUrl& url) {
  if (url.status_code.empty())
    return "200-299";
  std::string s;
  for (auto [lo, hi] : url.status_code) {
    if (!s.empty())
      s += ' ';
    s += lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi);
  }
  return s;
}

std::string judgeUrl(const conf::HttpUrl& url, HttpResponseReader& r, const Regex* regex) {
  if (r.state() == HttpResponseReader::State::kError)
    return r.error();
  bool status_ok = false;
  if (url.status_code.empty()) {
    status_ok = r.status() >= 200 && r.status() <= 299;
  } else {
    for (auto [lo, hi] : url.status_code)
      status_ok = status_ok || (r.status() >= lo && r.status() <= hi);
  }
  if (!status_ok)
    return fmt::format("status {} not in {}", r.status(), statusRanges(url));
  if (url.digest) {
    auto got = r.digestHex();
    std::string want = *url.digest;
    std::transform(want.begin(), want.end(), want.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (got != want)
      return fmt::format("digest {} != expected {}", got, want);
  }
  if (regex) {
    const bool m = regex->matches(r.keptBody());
    if (m && url.regex_no_match)
      return fmt::format("regex '{}' matched (regex_no_match)", url.regex.value_or(""));
    if (!m && !url.regex_no_match)
      return fmt::format("regex '{}' not found", url.regex.value_or(""));
  }
  return "";
}

}  // namespace vipd::check
