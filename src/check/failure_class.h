#pragma once
// A checker's failure reason, reduced to a small fixed set for metrics labels
// (vipd_check_failures_total{reason}): the full text stays in the log and in
// `vipctl vs`; a label must not take an unbounded number of values.
#include <string_view>

namespace vipd::check {

// One of: timeout, refused, reset, unreachable, closed, tls, status, digest, content,
// protocol, dns, script, file, other.
std::string_view failureClass(std::string_view reason);

}  // namespace vipd::check
