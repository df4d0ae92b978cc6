// Golden packets (vectors from reference/vrrp-protocol.md 1.5, computed independently and
// matching scapy) and every decode drop reason, in the RFC's check order.
#include "proto/vrrp/packet.h"

#include <gtest/gtest.h>

#include "proto/vrrp/receive.h"
#include "test_bytes.h"

namespace vipd::vrrp {
namespace {

using testing::hex;
using testing::ip;

Advert v2() {
  return Advert{2, 51, 100, 1, AuthType::kNone, {}, {ip("192.168.1.100")}};
}
Advert v3v4() {
  return Advert{3, 51, 100, 100, AuthType::kNone, {}, {ip("192.168.1.100")}};
}
Advert v3v6() {
  return Advert{3, 51, 100, 100, AuthType::kNone, {}, {ip("fe80::5"), ip("2001:db8::5")}};
}
const EncodeOptions kV4{ip("192.168.1.10"), ip("224.0.0.18"), false};
const EncodeOptions kV6{ip("fe80::1"), ip("ff02::12"), false};
RxMeta meta(const EncodeOptions& o) {
  return RxMeta{o.src, o.dst, 255, true};
}

TEST(Golden, V2Ipv4NoAuth) {  // RFC 3768 5.3: checksum over the message only
  EXPECT_EQ(encode(v2(), kV4), hex("21 33 64 01 00 01 b8bd c0a80164 0000000000000000"));
}

TEST(Golden, V3Ipv4WithPseudoHeader) {  // keepalived / FRR / Wireshark default
  EXPECT_EQ(encode(v3v4(), kV4), hex("31 33 64 01 0064 0619 c0a80164"));
}

TEST(Golden, V3Ipv4MessageOnly) {  // RFC 9568 5.2.8, v3_checksum_as_v2
  auto o = kV4;
  o.v3_checksum_as_v2 = true;
  EXPECT_EQ(encode(v3v4(), o), hex("31 33 64 01 0064 a85a c0a80164"));
}

TEST(Golden, V3Ipv6) {  // RFC 5798 5.2.8 with the RFC 8200 pseudo-header
  EXPECT_EQ(encode(v3v6(), kV6), hex("31 33 64 02 0064 3ff3 fe800000000000000000000000000005"
                                     "20010db8000000000000000000000005"));
}

TEST(Golden, V2Password) {
  Advert a = v2();
  a.auth_type = AuthType::kPass;
  a.auth_data = passwordBytes("s3cret-too-long");
  auto bytes = encode(a, kV4);
  ASSERT_EQ(bytes.size(), 20u);
  EXPECT_EQ(bytes[4], 1);
  EXPECT_EQ(std::string(bytes.begin() + 12, bytes.end()), "s3cret-t");  // first 8 bytes only
  auto d = decode(bytes, meta(kV4));
  ASSERT_TRUE(std::holds_alternative<Decoded>(d));
  EXPECT_EQ(std::get<Decoded>(d).advert, a);
}

TEST(Decode, RoundTripsEveryForm) {
  for (auto [a, o] : {std::pair{v2(), kV4}, std::pair{v3v4(), kV4}, std::pair{v3v6(), kV6}}) {
    auto d = decode(encode(a, o), meta(o));
    ASSERT_TRUE(std::holds_alternative<Decoded>(d));
    EXPECT_EQ(std::get<Decoded>(d).advert, a);
  }
}

TEST(Decode, AcceptsBothV3Ipv4ChecksumForms) {
  auto with = decode(encode(v3v4(), kV4), meta(kV4));
  EXPECT_EQ(std::get<Decoded>(with).checksum_form, ChecksumForm::kPseudoHeader);
  auto o = kV4;
  o.v3_checksum_as_v2 = true;
  auto without = decode(encode(v3v4(), o), meta(kV4));
  EXPECT_EQ(std::get<Decoded>(without).checksum_form, ChecksumForm::kMessageOnly);
}

TEST(Decode, ToleratesEthernetPadding) {
  auto bytes = encode(v3v4(), kV4);
  bytes.resize(46, 0);  // a minimum-size Ethernet payload
  auto d = decode(bytes, meta(kV4));
  ASSERT_TRUE(std::holds_alternative<Decoded>(d));
  EXPECT_EQ(std::get<Decoded>(d).trailing, 46u - 12u);
}

DropReason dropOf(const std::vector<uint8_t>& bytes, const RxMeta& m) {
  auto d = decode(bytes, m);
  EXPECT_TRUE(std::holds_alternative<DropReason>(d));
  return std::holds_alternative<DropReason>(d) ? std::get<DropReason>(d) : DropReason::kCount;
}

TEST(Decode, DropReasonsInRfcOrder) {
  auto good = encode(v3v4(), kV4);
  auto m = meta(kV4);
  m.ttl = 254;  // 7.1 (1): TTL wins over every later check
  EXPECT_EQ(dropOf(hex("ff"), m), DropReason::kTtl);
  m.ttl = 255;
  EXPECT_EQ(dropOf(hex("3133"), m), DropReason::kTooShort);
  auto bad = good;
  bad[0] = 0x41;
  EXPECT_EQ(dropOf(bad, m), DropReason::kVersion);
  bad = good;
  bad[0] = 0x32;
  EXPECT_EQ(dropOf(bad, m), DropReason::kType);
  bad = good;
  bad[3] = 2;  // claims two addresses
  EXPECT_EQ(dropOf(bad, m), DropReason::kTooShort);
  bad = good;
  bad[11] ^= 1;
  EXPECT_EQ(dropOf(bad, m), DropReason::kChecksum);
  EXPECT_EQ(dropOf(encode(v2(), kV6), meta(kV6)), DropReason::kVersion);  // v2 is IPv4 only
  Advert none = v3v4();
  none.addrs.clear();
  EXPECT_EQ(dropOf(encode(none, kV4), m), DropReason::kNoAddresses);  // erratum 8299
  Advert zero = v3v4();
  zero.interval = 0;
  EXPECT_EQ(dropOf(encode(zero, kV4), m), DropReason::kZeroInterval);  // erratum 8301
}

TEST(Decode, UnicastMayWaiveTtl) {
  auto m = meta(kV4);
  m.ttl = 64;
  m.check_ttl = false;
  EXPECT_TRUE(std::holds_alternative<Decoded>(decode(encode(v3v4(), kV4), m)));
}

InstanceRxConfig cfg2() {
  InstanceRxConfig c;
  c.version = 2;
  c.vrid = 51;
  c.interval = 1;
  c.addrs = {ip("192.168.1.100")};
  return c;
}

TEST(InstanceChecks, Accepts) {
  auto v = checkAgainstInstance(v2(), ip("192.168.1.10"), cfg2());
  EXPECT_FALSE(v.drop);
  EXPECT_FALSE(v.address_mismatch);
}

TEST(InstanceChecks, VersionVridAuthInterval) {
  auto c = cfg2();
  c.version = 3;
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kVersion);
  c = cfg2();
  c.vrid = 52;
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kUnknownVrid);
  c = cfg2();
  c.auth_type = AuthType::kPass;
  c.auth_pass = "secret";
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kAuthType);
  Advert a = v2();
  a.auth_type = AuthType::kPass;
  a.auth_data = passwordBytes("wrong");
  EXPECT_EQ(checkAgainstInstance(a, ip("192.168.1.10"), c).drop, DropReason::kAuthFailed);
  a.auth_data = passwordBytes("secret");
  EXPECT_FALSE(checkAgainstInstance(a, ip("192.168.1.10"), c).drop);
  c = cfg2();
  c.interval = 2;  // RFC 3768 7.1: v2 interval mismatch is a MUST-drop
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kInterval);
}

TEST(InstanceChecks, V3IntervalMismatchIsLoggedNotDropped) {
  InstanceRxConfig c;
  c.version = 3;
  c.vrid = 51;
  c.interval = 50;
  c.addrs = {ip("192.168.1.100")};
  auto v = checkAgainstInstance(v3v4(), ip("192.168.1.10"), c);
  EXPECT_FALSE(v.drop);
  EXPECT_TRUE(v.interval_mismatch);
}

TEST(InstanceChecks, AddressListMismatch) {
  auto c = cfg2();
  c.addrs = {ip("192.168.1.101")};
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kAddressList);
  Advert owner = v2();
  owner.priority = 255;  // RFC 3768 7.1: from the owner it is accepted
  auto v = checkAgainstInstance(owner, ip("192.168.1.10"), c);
  EXPECT_FALSE(v.drop);
  EXPECT_TRUE(v.address_mismatch);
}

TEST(InstanceChecks, UnicastSourceCheck) {
  auto c = cfg2();
  c.check_unicast_src = true;
  c.unicast_peers = {ip("192.168.1.11")};
  EXPECT_EQ(checkAgainstInstance(v2(), ip("192.168.1.10"), c).drop, DropReason::kUnicastSource);
  EXPECT_FALSE(checkAgainstInstance(v2(), ip("192.168.1.11"), c).drop);
}

TEST(DropReason, EveryReasonHasAName) {
  for (int r = 0; r < static_cast<int>(DropReason::kCount); ++r) {
    EXPECT_NE(toString(static_cast<DropReason>(r)), "unknown");
  }
}

}  // namespace
}  // namespace vipd::vrrp
