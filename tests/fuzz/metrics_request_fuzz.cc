// libFuzzer target: the metrics endpoint's request-head reader on arbitrary bytes, fed as a
// client would send them, in pieces. Invariants: no verdict before the blank line except
// "too large" (and that only past kMaxHead bytes); a GET's path is part of the request
// line and has no query; the verdict on the whole head does not depend on the pieces.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "metrics/http_server.h"

using vipd::metrics::kMaxHead;
using vipd::metrics::parseRequestHead;
using V = vipd::metrics::RequestHead::Verdict;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  const bool complete = all.find("\r\n\r\n") != std::string_view::npos;
  const auto whole = parseRequestHead(all);
  if (!complete && whole.verdict != V::kIncomplete && whole.verdict != V::kTooLarge)
    abort();
  if (whole.verdict == V::kTooLarge && (complete || size <= kMaxHead))
    abort();
  if (whole.verdict == V::kGet) {
    const auto line = all.substr(0, all.find("\r\n"));
    if (whole.path.find('?') != std::string::npos || line.find(whole.path) == std::string::npos)
      abort();
  }
  // The server re-reads the growing buffer after each recv: every prefix that already
  // contains the blank line gives the same verdict as the whole.
  const auto end = all.find("\r\n\r\n");
  if (end != std::string_view::npos) {
    for (size_t cut = end + 4; cut <= size; cut += 1 + cut % 97) {
      const auto part = parseRequestHead(all.substr(0, cut));
      if (part.verdict != whole.verdict || part.path != whole.path)
        abort();
    }
  }
  return 0;
}
