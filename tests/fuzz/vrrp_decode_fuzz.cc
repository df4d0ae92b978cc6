// libFuzzer target: the advert decoder and the instance checks on arbitrary bytes, for both
// families. Invariant: whatever decodes re-encodes to bytes that decode to the same advert.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/vrrp/packet.h"
#include "proto/vrrp/receive.h"

using namespace vipd;
using namespace vipd::vrrp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  bool v6 = data[0] & 1;
  RxMeta m;
  m.src = *IpAddress::parse(v6 ? "fe80::1" : "192.0.2.1");
  m.dst = *IpAddress::parse(v6 ? "ff02::12" : "224.0.0.18");
  m.ttl = 255;
  auto r = decode(std::span(data + 1, size - 1), m);
  if (auto* d = std::get_if<Decoded>(&r)) {
    InstanceRxConfig c;
    c.version = d->advert.version;
    c.vrid = d->advert.vrid;
    c.interval = d->advert.interval;
    c.addrs = d->advert.addrs;
    c.auth_type = d->advert.auth_type;
    c.auth_pass.assign(d->advert.auth_data.begin(), d->advert.auth_data.end());
    if (checkAgainstInstance(d->advert, m.src, c).drop)
      abort();  // its own config accepts it
    EncodeOptions o{m.src, m.dst, d->checksum_form == ChecksumForm::kMessageOnly};
    auto again = decode(encode(d->advert, o), m);
    auto* d2 = std::get_if<Decoded>(&again);
    if (!d2 || !(d2->advert == d->advert))
      abort();
  }
  return 0;
}
