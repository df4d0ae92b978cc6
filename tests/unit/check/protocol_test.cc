// The pure protocol pieces of the checkers: HTTP request bytes and response reader, url
// verdicts, DNS query and reply, UDP hex patterns, SMTP replies.
#include <gtest/gtest.h>

#include "check/datagram.h"
#include "check/dns.h"
#include "check/http.h"
#include "check/smtp.h"

namespace vipd::check {
namespace {

using State = HttpResponseReader::State;

TEST(HttpRequest, KeepalivedsBytes) {
  EXPECT_EQ(httpRequest("/health", std::nullopt, *IpAddress::parse("10.0.0.11"), 80, "1.0"),
            "GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.11:80\r\n\r\n");
  EXPECT_EQ(httpRequest("/", std::string("www.example"), *IpAddress::parse("10.0.0.11"), 80, "1.1"),
            "GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
            "Host: www.example\r\n\r\n");
  EXPECT_EQ(httpRequest("/", std::nullopt, *IpAddress::parse("fd00::1"), 8080, "1.0C"),
            "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
            "Host: [fd00::1]:8080\r\n\r\n");
}

TEST(HttpResponseReader, StatusAndDigestAcrossChunks) {
  HttpResponseReader r(true, 100);
  EXPECT_EQ(r.feed("HTTP/1.1 200 OK\r\nContent-Le"), State::kHeaders);
  EXPECT_EQ(r.feed("ngth: 6\r\n\r\nhel"), State::kBody);
  EXPECT_EQ(r.feed("lo\nTRAILING"), State::kDone);  // Content-Length ends the body
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.digestHex(), "b1946ac92492d2347c6235b4d2611184");  // md5("hello\n")
  EXPECT_EQ(r.keptBody(), "hello\n");
}

TEST(HttpResponseReader, BodyUntilCloseAndNoBodyWhenNotNeeded) {
  HttpResponseReader r(true, 0);
  r.feed("HTTP/1.0 200 OK\r\n\r\nhello\n");
  EXPECT_EQ(r.state(), State::kBody);
  EXPECT_EQ(r.closed(), State::kDone);
  EXPECT_EQ(r.digestHex(), "b1946ac92492d2347c6235b4d2611184");
  HttpResponseReader s(false, 0);
  EXPECT_EQ(s.feed("HTTP/1.0 503 Busy\r\n\r\nanything"), State::kDone);
  EXPECT_EQ(s.status(), 503);
}

TEST(HttpResponseReader, BoundsAndBadInput) {
  HttpResponseReader r(false, 0);
  r.feed("HTTP/1.0 200 OK\r\n");
  std::string pad(1000, 'a');
  State st = State::kHeaders;
  for (int i = 0; i < 100 && st == State::kHeaders; ++i)
    st = r.feed("X: " + pad + "\r\n");
  EXPECT_EQ(st, State::kError);
  EXPECT_EQ(r.error(), "headers longer than 65536 bytes");
  HttpResponseReader g(false, 0);
  EXPECT_EQ(g.feed("SSH-2.0-OpenSSH\r\n\r\n"), State::kError);
  EXPECT_EQ(g.error(), "not an HTTP response");
  HttpResponseReader h(false, 0);
  h.feed("HTTP/1.0 200");
  EXPECT_EQ(h.closed(), State::kError);
  EXPECT_EQ(h.error(), "connection closed in the middle of the headers");
}

TEST(JudgeUrl, StatusRangesDigestAndRegex) {
  conf::HttpUrl u;
  u.path = "/";
  HttpResponseReader r(true, 1024);
  r.feed("HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
  EXPECT_EQ(judgeUrl(u, r, nullptr), "status 404 not in 200-299");
  u.status_code = {{200, 200}, {400, 404}};
  EXPECT_EQ(judgeUrl(u, r, nullptr), "");
  u.digest = "00000000000000000000000000000000";
  EXPECT_EQ(judgeUrl(u, r, nullptr),
            "digest 7fa3b767c460b54a2be4d49030b349c7 != expected 00000000000000000000000000000000");
  u.digest.reset();
  std::string err;
  auto re = Regex::compile("n[aeiou]", err);
  ASSERT_TRUE(re) << err;
  u.regex = "n[aeiou]";
  EXPECT_EQ(judgeUrl(u, r, re.get()), "");
  u.regex_no_match = true;
  EXPECT_EQ(judgeUrl(u, r, re.get()), "regex 'n[aeiou]' matched (regex_no_match)");
  EXPECT_EQ(Regex::compile("(", err), nullptr);
  EXPECT_NE(err.find("regex '('"), std::string::npos);
}

TEST(Dns, QueryAndReply) {
  auto q = dnsQuery(0x1234, "svc.test", "A");
  ASSERT_TRUE(q);
  const std::vector<uint8_t> want = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0, 0, 0, 0, 3,
                                     's',  'v',  'c',  4,    't', 'e', 's', 't', 0, 0, 1, 0, 1};
  EXPECT_EQ(*q, want);
  EXPECT_EQ(dnsQuery(1, "", "SOA")->size(), 17u);  // the root
  EXPECT_FALSE(dnsQuery(1, "a..b", "A"));
  EXPECT_FALSE(dnsQuery(1, "x", "PTR"));
  std::string why;
  std::vector<uint8_t> reply = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(judgeDnsReply(reply, 0x1234, why), DnsReply::kOk);
  EXPECT_EQ(judgeDnsReply(reply, 0x9999, why), DnsReply::kNotOurs);
  reply[3] = 0x83;
  EXPECT_EQ(judgeDnsReply(reply, 0x1234, why), DnsReply::kFailed);
  EXPECT_EQ(why, "DNS reply rcode 3 (NXDOMAIN)");
  reply[2] = 0x01;  // a query, not a response
  EXPECT_EQ(judgeDnsReply(reply, 0x1234, why), DnsReply::kNotOurs);
}

TEST(Datagram, HexAsTheManPageSaysAndWildcards) {
  auto h = parseHex("Ab12f 3 456 546443123", false);
  ASSERT_TRUE(h);
  const std::vector<uint8_t> want = {0xab, 0x12, 0x0f, 0x03, 0x45, 0x06,
                                     0x54, 0x64, 0x43, 0x12, 0x03};
  EXPECT_EQ(h->bytes, want);
  EXPECT_FALSE(parseHex("12x4", false));
  UdpRule rule;
  rule.require_reply = true;
  rule.reply = parseHex("706f6eXX", true);
  rule.min_len = 4;
  const uint8_t pong[] = {'p', 'o', 'n', 'g'};
  const uint8_t pons[] = {'p', 'o', 'n', 's'};
  const uint8_t pang[] = {'p', 'a', 'n', 'g'};
  EXPECT_EQ(judgeUdpReply(rule, pong), "");
  EXPECT_EQ(judgeUdpReply(rule, pons), "");
  EXPECT_EQ(judgeUdpReply(rule, pang), "reply byte 1 is 61, expected 6f");
  EXPECT_EQ(judgeUdpReply(rule, std::span(pong, 2)), "reply of 2 bytes, outside 4-255");
}

TEST(Smtp, MultiLineReplies) {
  SmtpReplyReader r;
  EXPECT_FALSE(r.feed("220-mail.example ESMTP\r\n220-more"));
  EXPECT_EQ(r.feed("\r\n220 ready\r\n"), 220);
  r.reset();
  EXPECT_EQ(r.feed("250 ok\r\n"), 250);
  r.reset();
  EXPECT_FALSE(r.feed("HTTP/1.0 200 OK\r\n"));
  EXPECT_EQ(r.error(), "not an SMTP reply");
}

}  // namespace
}  // namespace vipd::check
