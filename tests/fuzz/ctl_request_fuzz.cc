// libFuzzer target: the control protocol's request reader (what any local client may send
// to the control socket) on arbitrary bytes. Invariants: a request either parses or comes
// with an error message, never both; a parsed request written back with toJson parses to
// the same request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ctl/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto r = vipd::ctl::parseRequest(line, error);
  if (!r) {
    if (error.empty())
      abort();
    return 0;
  }
  const std::string again = vipd::ctl::toJson(*r).dump();
  std::string error2;
  auto r2 = vipd::ctl::parseRequest(again, error2);
  if (!r2 || r2->cmd != r->cmd || r2->instance != r->instance || r2->args != r->args)
    abort();
  return 0;
}
