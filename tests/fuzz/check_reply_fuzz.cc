// libFuzzer target: the other checker reply readers on arbitrary bytes: the DNS reply
// verdict, SMTP replies (bounded, one code per complete reply), the UDP_CHECK hex pattern
// parser and reply rule. Invariant besides no crash: a DNS reply judged OK has our id and
// the response bit, and the SMTP reader's buffer never grows past its bound plus one feed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check/datagram.h"
#include "check/dns.h"
#include "check/smtp.h"

using namespace vipd::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3)
    return 0;
  const uint16_t id = static_cast<uint16_t>(data[0] << 8 | data[1]);
  std::span<const uint8_t> rest(data + 2, size - 2);
  std::string why;
  if (judgeDnsReply(rest, id, why) == DnsReply::kOk &&
      (rest.size() < 12 || (rest[0] << 8 | rest[1]) != id || !(rest[2] & 0x80)))
    std::abort();
  std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  SmtpReplyReader smtp;
  for (size_t pos = 0; pos < text.size(); pos += 7) {
    auto code = smtp.feed(text.substr(pos, 7));
    if (code && (*code < 0 || *code > 999))
      std::abort();
    if (code)
      smtp.reset();
    if (!smtp.error().empty())
      break;
  }
  if (auto h = parseHex(text, data[0] & 1)) {
    if (h->bytes.size() != h->care.size())
      std::abort();
    UdpRule rule;
    rule.require_reply = true;
    rule.reply = *h;
    judgeUdpReply(rule, rest);
  }
  return 0;
}
