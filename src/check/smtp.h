#pragma once
// SMTP_CHECK, the pure part: reading SMTP replies (RFC 5321 4.2: "NNN-text" continues a
// reply, "NNN text" ends it), bounded. The dialog keepalived runs (check_smtp.c): read the
// 220 greeting, send "HELO name", expect 250, send "QUIT".

#include <optional>
#include <string>
#include <string_view>

namespace vipd::check {

class SmtpReplyReader {
 public:
  static constexpr size_t kMaxReply = 8192;
  // Feeds bytes; returns the reply code once a whole reply has arrived (then reset() for
  // the next one), or nullopt. A malformed or overlong reply sets error().
  std::optional<int> feed(std::string_view data);
  void reset() {
    buf_.clear();
    code_.reset();
  }
  const std::string& error() const { return error_; }
  const std::string& text() const { return last_; }

 private:
  std::string buf_, last_, error_;
  std::optional<int> code_;
};

}  // namespace vipd::check
