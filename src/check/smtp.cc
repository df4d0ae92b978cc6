#include "check/smtp.h"

#include <cctype>

namespace vipd::check {

std::optional<int> SmtpReplyReader::feed(std::string_view data) {
  buf_.append(data);
  size_t pos = 0;
  while (true) {
    const auto eol = buf_.find('\n', pos);
    if (eol == std::string::npos)
      break;
    std::string_view line(buf_.data() + pos, eol - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    pos = eol + 1;
    if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
        !std::isdigit(static_cast<unsigned char>(line[1])) ||
        !std::isdigit(static_cast<unsigned char>(line[2])) ||
        (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      error_ = "not an SMTP reply";
      return std::nullopt;
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() == 3 || line[3] == ' ') {
      last_ = std::string(line);
      buf_.erase(0, pos);
      return code;
    }
  }
  buf_.erase(0, pos);
  if (buf_.size() > kMaxReply)
    error_ = "SMTP reply too long";
  return std::nullopt;
}

}  // namespace vipd::check
