#include "core/mail.h"

namespace vipd::core {

std::string envelopeAddress(const std::string& addr) {
  auto lt = addr.find('<');
  auto gt = addr.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt)
    return addr.substr(lt, gt - lt + 1);
  return "<" + addr + ">";
}

std::string mailData(const Mail& m, const std::string& date) {
  std::string to;
  for (const auto& t : m.to)
    to += (to.empty() ? "" : ", ") + t;
  std::string text = "From: " + m.from + "\r\nTo: " + to + "\r\nSubject: " + m.subject +
                     "\r\nDate: " + date + "\r\nX-Mailer: vipd\r\n\r\n";
  // Body: CRLF line ends, and a line starting with '.' gets another (RFC 5321 4.5.2).
  bool line_start = true;
  for (char c : m.body) {
    if (c == '\r')
      continue;
    if (line_start && c == '.')
      text += '.';
    if (c == '\n') {
      text += "\r\n";
      line_start = true;
      continue;
    }
    text += c;
    line_start = false;
  }
  if (!line_start)
    text += "\r\n";
  return text + ".\r\n";
}

SmtpDialogue::SmtpDialogue(std::string helo, const Mail& m, std::string data)
    : helo_(std::move(helo)), from_(envelopeAddress(m.from)), data_(std::move(data)) {
  for (const auto& t : m.to)
    to_.push_back(envelopeAddress(t));
}

std::string SmtpDialogue::receive(const std::string& bytes) {
  buffer_ += bytes;
  std::string out;
  size_t eol;
  while (step_ != Step::kDone && step_ != Step::kFailed &&
         (eol = buffer_.find('\n')) != std::string::npos) {
    std::string line = buffer_.substr(0, eol);
    buffer_.erase(0, eol + 1);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    // Multi-line replies ("250-...") end with the line that has a space after the code.
    if (line.size() < 3 || (line.size() > 3 && line[3] == '-'))
      continue;
    int code = 0;
    for (size_t i = 0; i < 3; ++i) {
      if (line[i] < '0' || line[i] > '9') {
        step_ = Step::kFailed;
        error_ = "malformed reply: " + line;
        return out;
      }
      code = code * 10 + (line[i] - '0');
    }
    out += onReply(code, line);
  }
  return out;
}

std::string SmtpDialogue::onReply(int code, const std::string& line) {
  auto fail = [&](const char* what) {
    step_ = Step::kFailed;
    error_ = std::string(what) + ": " + line;
    return std::string();
  };
  switch (step_) {
    case Step::kGreeting:
      if (code != 220)
        return fail("greeting refused");
      step_ = Step::kHelo;
      return "HELO " + helo_ + "\r\n";
    case Step::kHelo:
      if (code / 100 != 2)
        return fail("HELO refused");
      step_ = Step::kMailFrom;
      return "MAIL FROM:" + from_ + "\r\n";
    case Step::kMailFrom:
      if (code / 100 != 2)
        return fail("MAIL FROM refused");
      step_ = Step::kRcpt;
      return "RCPT TO:" + to_.at(rcpt_++) + "\r\n";
    case Step::kRcpt:
      if (code / 100 != 2)
        return fail("RCPT TO refused");
      if (rcpt_ < to_.size())
        return "RCPT TO:" + to_[rcpt_++] + "\r\n";
      step_ = Step::kData;
      return "DATA\r\n";
    case Step::kData:
      if (code != 354)
        return fail("DATA refused");
      step_ = Step::kBody;
      return data_;
    case Step::kBody:
      if (code / 100 != 2)
        return fail("message refused");
      step_ = Step::kQuit;
      return "QUIT\r\n";
    case Step::kQuit:
      step_ = Step::kDone;
      return "";
    case Step::kDone:
    case Step::kFailed:
      break;
  }
  return "";
}

}  // namespace vipd::core
