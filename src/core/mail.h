#pragma once
// SMTP alerts (keepalived.conf(5) notification_email, smtp_server, smtp_alert): the message
// and the client side of the SMTP dialogue (RFC 5321), pure, so that the daemon only moves
// bytes. One message per session: HELO, MAIL FROM, one RCPT TO per recipient, DATA, the
// dot-stuffed message, QUIT.

#include <optional>
#include <string>
#include <vector>

namespace vipd::core {

struct Mail {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;
};

// RFC 5322 text with CRLF line ends, dot-stuffed and terminated by "\r\n.\r\n" for DATA.
std::string mailData(const Mail& m, const std::string& date_rfc5322);

// `Display Name <a@b>` or `a@b` -> `<a@b>` for the envelope.
std::string envelopeAddress(const std::string& addr);

class SmtpDialogue {
 public:
  SmtpDialogue(std::string helo, const Mail& m, std::string data);
  // Feeds received bytes; returns the bytes to send next (possibly empty).
  std::string receive(const std::string& bytes);
  bool done() const { return step_ == Step::kDone; }
  bool failed() const { return step_ == Step::kFailed; }
  const std::string& error() const { return error_; }

 private:
  enum class Step { kGreeting, kHelo, kMailFrom, kRcpt, kData, kBody, kQuit, kDone, kFailed };
  std::string onReply(int code, const std::string& line);
  std::string helo_, from_;
  std::vector<std::string> to_;
  std::string data_;
  size_t rcpt_ = 0;
  Step step_ = Step::kGreeting;
  std::string buffer_, error_;
};

}  // namespace vipd::core
