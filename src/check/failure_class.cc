#include "check/failure_class.h"

#include <array>

namespace vipd::check {
namespace {

struct Rule {
  std::string_view cls;
  std::array<std::string_view, 4> parts;  // any of them ("" = unused)
};

// In order: the first rule with a part found in the reason gives the class. Order matters
// where texts overlap: "timeout in the TLS handshake" is a timeout, "exited with status 1"
// a script's, and HTTP reasons start with the url's path ("/health: status 404 ...").
constexpr Rule kRules[] = {
    {"timeout", {"timeout", "timed out", "no reply", "no echo reply"}},
    {"refused", {"refused"}},
    {"reset", {"reset"}},
    {"unreachable", {"unreachable"}},
    {"tls", {"TLS"}},
    {"closed", {"closed"}},
    {"script", {"exited with status", "killed by signal", "wait status", "cannot run"}},
    {"status", {"status "}},
    {"digest", {"digest "}},
    {"content", {"regex '", "reply byte", "reply of "}},
    {"dns", {"DNS"}},
    {"file", {" holds "}},
    {"protocol", {"not an HTTP", "SMTP", "headers longer"}},
};

}  // namespace

std::string_view failureClass(std::string_view r) {
  for (const auto& rule : kRules) {
    for (auto part : rule.parts) {
      if (!part.empty() && r.find(part) != std::string_view::npos)
        return rule.cls;
    }
  }
  return "other";
}

}  // namespace vipd::check
