#include "base/text.h"

#include <charconv>
#include <cstdio>

namespace vipd {

std::optional<int64_t> parseInt(std::string_view s, bool allow_hex) {
  if (s.empty())
    return std::nullopt;
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '-' || body[0] == '+') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  if (allow_hex && body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    base = 16;
    body.remove_prefix(2);
  }
  if (body.empty())
    return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v, base);
  if (ec != std::errc{} || end != body.data() + body.size())
    return std::nullopt;
  return neg ? -v : v;
}

std::optional<int64_t> parseSecondsToMicros(std::string_view s) {
  if (s.empty() || s.size() > 24)
    return std::nullopt;
  auto dot = s.find('.');
  auto whole = s.substr(0, dot);
  int64_t secs = 0;
  if (!whole.empty()) {
    auto w = parseInt(whole);
    if (!w || *w < 0 || *w > 1'000'000'000)
      return std::nullopt;
    secs = *w;
  } else if (dot == std::string_view::npos) {
    return std::nullopt;
  }
  int64_t micros = 0;
  if (dot != std::string_view::npos) {
    auto frac = s.substr(dot + 1);
    if (frac.empty() && whole.empty())
      return std::nullopt;
    int digits = 0;
    for (char c : frac) {
      if (c < '0' || c > '9')
        return std::nullopt;
      // Digits beyond microseconds are dropped: keepalived's resolution is 1 us.
      if (digits < 6)
        micros = micros * 10 + (c - '0');
      ++digits;
    }
    for (; digits < 6; ++digits)
      micros *= 10;
  }
  return secs * 1'000'000 + micros;
}

std::string formatMicrosAsSeconds(int64_t us) {
  std::string out = std::to_string(us / 1'000'000);
  int64_t frac = us % 1'000'000;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%06lld", static_cast<long long>(frac));
    std::string f(buf);
    while (!f.empty() && f.back() == '0')
      f.pop_back();
    out += "." + f;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

std::optional<bool> parseBool(std::string_view s) {
  for (auto t : {"on", "true", "yes"}) {
    if (iequals(s, t))
      return true;
  }
  for (auto f : {"off", "false", "no"}) {
    if (iequals(s, f))
      return false;
  }
  return std::nullopt;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos)
      end = s.size();
    if (end > start)
      out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i)
      out += sep;
    out += words[i];
  }
  return out;
}

std::string quoteIfNeeded(std::string_view word) {
  // Besides blanks and the characters the tokenizer treats specially, a word the
  // preprocessor would read as a directive if it began a line: ~SEQ/~LST, @id conditions,
  // and the include keywords (a list entry is printed alone on its line).
  bool needs = word.empty() || word.front() == '~' || word.front() == '@' || word == "include" ||
               (word.size() == 8 && word.rfind("include", 0) == 0 &&
                std::string_view("rmwba").find(word[7]) != std::string_view::npos);
  for (char c : word) {
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '#' || c == '!' || c == '{' ||
        c == '}' || c == '\\' || c == '$' || c == '\n') {
      needs = true;
    }
  }
  if (!needs)
    return std::string(word);
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace vipd
