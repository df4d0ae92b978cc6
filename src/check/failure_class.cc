#include "check/failure_class.h"

namespace vipd::check {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string_view failureClass(std::string_view r) {
  // Order matters where texts overlap: "timeout in the TLS handshake" is a timeout.
  if (has(r, "timeout") || has(r, "timed out") || has(r, "no reply") || has(r, "no echo reply"))
    return "timeout";
  if (has(r, "refused"))
    return "refused";
  if (has(r, "reset"))
    return "reset";
  if (has(r, "unreachable"))
    return "unreachable";
  if (has(r, "TLS"))
    return "tls";
  if (has(r, "closed"))
    return "closed";
  if (has(r, "exited with status") || has(r, "killed by signal") || has(r, "wait status") ||
      has(r, "cannot run"))
    return "script";
  // HTTP reasons start with the url's path: "/health: status 404 not in 200-299".
  if (has(r, "status "))
    return "status";
  if (has(r, "digest "))
    return "digest";
  if (has(r, "regex '") || has(r, "reply byte") || has(r, "reply of "))
    return "content";
  if (has(r, "DNS"))
    return "dns";
  if (has(r, " holds "))
    return "file";
  if (has(r, "not an HTTP") || has(r, "SMTP") || has(r, "headers longer"))
    return "protocol";
  return "other";
}

}  // namespace vipd::check
