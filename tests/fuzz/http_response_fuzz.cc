// libFuzzer target: the HTTP_GET / SSL_GET response reader on arbitrary bytes, cut into
// chunks where the input says. Invariants: memory stays bounded (headers within the limit,
// the kept body within `keep`, never more body than Content-Length), and the verdict does
// not depend on how the bytes were cut: one chunk and many give the same status, state and
// digest.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check/http.h"

using vipd::check::HttpResponseReader;

namespace {

struct Outcome {
  HttpResponseReader::State state;
  int status;
  std::string digest;
  size_t body;
};

Outcome run(std::string_view text, const uint8_t* cuts, size_t ncuts, bool close) {
  HttpResponseReader r(true, 64);
  size_t pos = 0, i = 0;
  while (pos < text.size() && r.state() != HttpResponseReader::State::kDone &&
         r.state() != HttpResponseReader::State::kError) {
    size_t n = ncuts ? 1 + cuts[i++ % ncuts] : text.size();
    n = std::min(n, text.size() - pos);
    r.feed(text.substr(pos, n));
    pos += n;
    if (r.keptBody().size() > 64 || (r.contentLength() && r.bodyBytes() > *r.contentLength()))
      std::abort();
  }
  if (close)
    r.closed();
  return {r.state(), r.status(), r.digestHex(), r.bodyBytes()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  const size_t ncuts = data[0] % 16;
  if (size < 1 + ncuts)
    return 0;
  const uint8_t* cuts = data + 1;
  std::string_view text(reinterpret_cast<const char*>(data + 1 + ncuts), size - 1 - ncuts);
  const bool close = data[0] & 0x80;
  const auto whole = run(text, nullptr, 0, close);
  const auto pieces = run(text, cuts, ncuts, close);
  // Chunking may only matter for where a too-long header is noticed, never for a verdict
  // reached on a complete response.
  if (whole.state != pieces.state || whole.status != pieces.status ||
      (whole.state == HttpResponseReader::State::kDone &&
       (whole.digest != pieces.digest || whole.body != pieces.body)))
    std::abort();
  return 0;
}
