// The reasons the checkers give, as they are written in src/probe and src/check, each in
// the class a metrics label carries.
#include "check/failure_class.h"

#include <gtest/gtest.h>

namespace vipd::check {
namespace {

TEST(FailureClass, EveryReasonTextHasItsClass) {
  const std::pair<const char*, const char*> cases[] = {
      {"timeout connecting", "timeout"},
      {"timeout in the TLS handshake", "timeout"},
      {"timeout waiting for the reply", "timeout"},
      {"no echo reply", "timeout"},
      {"connection refused", "refused"},
      {"port unreachable (ICMP)", "unreachable"},
      {"connection reset", "reset"},
      {"host unreachable", "unreachable"},
      {"TLS handshake failed", "tls"},
      {"connection closed with no response", "closed"},
      {"status 404 not in 200-299", "status"},
      {"/health: status 404 not in 200", "status"},
      {"/: digest 01 != expected 02", "digest"},
      {"/: regex 'ok' not found", "content"},
      {"digest 0123 != expected 4567", "digest"},
      {"regex 'ok' not found", "content"},
      {"reply byte 3 is 00, expected 01", "content"},
      {"DNS reply rcode 3 (NXDOMAIN)", "dns"},
      {"exited with status 1", "script"},
      {"killed by signal 9", "script"},
      {"timed out after 5 s (process group killed)", "timeout"},
      {"/run/w holds 1", "file"},
      {"not an HTTP response", "protocol"},
      {"SMTP greeting 554 (expected 220)", "protocol"},
      {"headers longer than 65536 bytes", "protocol"},
      {"something new", "other"},
  };
  for (const auto& [reason, cls] : cases)
    EXPECT_EQ(failureClass(reason), cls) << reason;
}

}  // namespace
}  // namespace vipd::check
