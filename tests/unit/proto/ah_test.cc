// keepalived's AH form of VRRPv2 authentication. The golden datagrams were captured from
// keepalived 2.2.7 (Debian 12) on a veth in a network namespace: VRID 51, priority 150,
// advert_int 1, auth_type AH, auth_pass "secret12", VIP 10.9.0.100, source 10.9.0.1.
#include "proto/vrrp/ah.h"

#include <gtest/gtest.h>

#include "proto/vrrp/receive.h"
#include "test_bytes.h"

namespace vipd::vrrp {
namespace {

using testing::hex;
using testing::ip;

// Sequence numbers 1 and 2 (the IP id follows the sequence number).
const char* kCaptured1 =
    "45c0004000010000ff33d0ad0a090001e0000012"
    "700400000a090001000000011afdf33b5fce7182d4d64aae"
    "2133960102013c5d0a0900640000000000000000";
const char* kCaptured2 =
    "45c0004000020000ff33d0ac0a090001e0000012"
    "700400000a09000100000002f8b77193967ccd85bc833f7d"
    "2133960102013c5d0a0900640000000000000000";

const AhKey kKey = passwordBytes("secret12");

Advert kaAdvert() {
  return Advert{2, 51, 150, 1, AuthType::kAh, {}, {ip("10.9.0.100")}};
}

TEST(Ah, EncodesKeepalivedsBytesExactly) {
  auto vrrp = encode(kaAdvert(), {ip("10.9.0.1"), ip("224.0.0.18"), false});
  for (auto [seq, golden] : {std::pair{1u, kCaptured1}, std::pair{2u, kCaptured2}}) {
    AhSendParams p{
        ip("10.9.0.1"), ip("224.0.0.18"), static_cast<uint16_t>(seq), seq, 255, false, {}};
    EXPECT_EQ(encodeAhDatagram(vrrp, p, kKey), hex(golden)) << "seq " << seq;
  }
}

TEST(Ah, OpensKeepalivedsDatagramAndDecodesTheAdvert) {
  auto d = hex(kCaptured2);
  auto h = parseIpv4(d);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->protocol, kIpProtoAh);
  EXPECT_EQ(h->ttl, 255);
  auto r = openAhDatagram(d, *h, kKey, false);
  ASSERT_TRUE(std::holds_alternative<AhOpened>(r));
  const auto& o = std::get<AhOpened>(r);
  EXPECT_EQ(o.seq, 2u);
  EXPECT_EQ(o.spi, ip("10.9.0.1").v4HostOrder());
  auto dec = decode(o.vrrp, RxMeta{h->src, h->dst, h->ttl, true});
  ASSERT_TRUE(std::holds_alternative<Decoded>(dec));
  EXPECT_EQ(std::get<Decoded>(dec).advert, kaAdvert());
}

TEST(Ah, WrongKeyFailsTheIcv) {
  auto d = hex(kCaptured1);
  auto h = parseIpv4(d);
  auto r = openAhDatagram(d, *h, passwordBytes("secret13"), false);
  ASSERT_TRUE(std::holds_alternative<DropReason>(r));
  EXPECT_EQ(std::get<DropReason>(r), DropReason::kAhIcv);
}

TEST(Ah, EveryCoveredByteIsProtectedAndMutableFieldsAreNot) {
  const auto orig = hex(kCaptured1);
  for (size_t i = 0; i < orig.size(); ++i) {
    auto d = orig;
    d[i] ^= 0x01;
    auto h = parseIpv4(d);
    if (!h)
      continue;  // the length or version byte: not an IPv4 datagram any more
    auto r = openAhDatagram(d, *h, kKey, false);
    const bool mutable_field = i == 1 || i == 6 || i == 7 || i == 10 || i == 11;
    if (mutable_field) {
      EXPECT_TRUE(std::holds_alternative<AhOpened>(r)) << "byte " << i;
    } else if (i != 9) {  // byte 9 (protocol) fails earlier as a mismatch
      EXPECT_TRUE(std::holds_alternative<DropReason>(r)) << "byte " << i;
    }
  }
}

TEST(Ah, TtlIsCoveredForMulticastOnly) {
  auto vrrp = encode(kaAdvert(), {ip("10.9.0.1"), ip("10.9.0.2"), false});
  for (bool unicast : {false, true}) {
    AhSendParams p{ip("10.9.0.1"), ip("10.9.0.2"), 7, 7, 64, unicast, {}};
    auto d = encodeAhDatagram(vrrp, p, kKey);
    d[8] = 63;  // one router hop
    auto h = parseIpv4(d);
    auto r = openAhDatagram(d, *h, kKey, unicast);
    EXPECT_EQ(std::holds_alternative<AhOpened>(r), unicast) << "unicast " << unicast;
  }
}

TEST(Ah, StructuralFailures) {
  auto d = hex(kCaptured1);
  auto h = parseIpv4(d);
  Ipv4Header plain = *h;
  plain.protocol = kIpProtoVrrp;
  EXPECT_EQ(std::get<DropReason>(openAhDatagram(d, plain, kKey, false)), DropReason::kAhMismatch);
  auto bad_next = d;
  bad_next[20] = 6;
  EXPECT_EQ(std::get<DropReason>(openAhDatagram(bad_next, *parseIpv4(bad_next), kKey, false)),
            DropReason::kAhMalformed);
  auto short_d = std::vector<uint8_t>(d.begin(), d.begin() + 30);
  short_d[3] = 30;
  EXPECT_EQ(std::get<DropReason>(openAhDatagram(short_d, *parseIpv4(short_d), kKey, false)),
            DropReason::kAhMalformed);
}

TEST(Ah, SpiMustBeTheSource) {
  auto vrrp = encode(kaAdvert(), {ip("10.9.0.1"), ip("224.0.0.18"), false});
  AhSendParams p{ip("10.9.0.1"), ip("224.0.0.18"), 1, 1, 255, false, {}};
  auto good = encodeAhDatagram(vrrp, p, kKey);
  EXPECT_TRUE(
      std::holds_alternative<AhOpened>(openAhDatagram(good, *parseIpv4(good), kKey, false)));
  p.spi = ip("10.9.0.7").v4HostOrder();  // correctly signed, but not keepalived's SPI
  auto other = encodeAhDatagram(vrrp, p, kKey);
  auto r = openAhDatagram(other, *parseIpv4(other), kKey, false);
  ASSERT_TRUE(std::holds_alternative<DropReason>(r));
  EXPECT_EQ(std::get<DropReason>(r), DropReason::kAhSpi);
}

TEST(Ah, ReplayGuardWantsIncreasingSequencePerSender) {
  using namespace std::chrono_literals;
  AhReplayGuard g(3s);
  AhReplayGuard::Clock::time_point t0{};
  auto a = ip("10.9.0.1"), b = ip("10.9.0.2");
  EXPECT_TRUE(g.accept(a, 5, t0));
  EXPECT_FALSE(g.accept(a, 5, t0 + 1s));  // replayed
  EXPECT_FALSE(g.accept(a, 4, t0 + 1s));  // older
  EXPECT_TRUE(g.accept(b, 1, t0 + 1s));   // senders are independent
  EXPECT_TRUE(g.accept(a, 6, t0 + 1s));
  EXPECT_FALSE(g.accept(a, 1, t0 + 2s));  // a restart, but the sender was heard recently
  EXPECT_TRUE(g.accept(a, 1, t0 + 5s));   // silent for longer than 3 s: may start again
}

}  // namespace
}  // namespace vipd::vrrp
