// libFuzzer target: a receive buffer of rtnetlink messages, as the kernel's link and address
// events and dump replies deliver them (seeded with real ones: tests/fuzz/record_netlink.py).
// Invariants: every message is read within the buffer (ASan), a parsed address's prefix
// fits its family, a link's strings come from inside the buffer, and parsing is a function
// of the bytes (the same buffer gives the same events twice).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sys/linux/netlink.h"

namespace {

std::vector<std::string> parse(const uint8_t* data, size_t size) {
  std::vector<std::string> out;
  vipd::sys::parseEvents(
      data, size,
      [&](const vipd::sys::LinkEvent& e) {
        if (e.link.name.size() >= size || e.link.kind.size() >= size)
          abort();
        out.push_back("link " + std::to_string(e.deleted) + " " + std::to_string(e.link.index) +
                      " " + e.link.name + " " + e.link.kind);
      },
      [&](const vipd::sys::AddressEvent& e) {
        const auto& p = e.address.prefix;
        if (p.len < 0 || p.len > p.addr.maxPrefix())
          abort();
        out.push_back("addr " + std::to_string(e.deleted) + " " + p.str() + " " +
                      std::to_string(e.address.ifindex) + " " + e.address.label);
      });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A copy of exactly `size` bytes, so that ASan sees any read past the buffer.
  std::vector<uint8_t> buf(data, data + size);
  if (parse(buf.data(), buf.size()) != parse(buf.data(), buf.size()))
    abort();
  return 0;
}
