#pragma once
// The frames a new master sends so that hosts and switches move the virtual addresses to it
// (RFC 5798 6.4.1 / 6.4.2): a gratuitous ARP per IPv4 address (RFC 5227 3: an ARP request
// whose sender and target protocol addresses are both the VIP, as keepalived sends it) and an
// unsolicited Neighbor Advertisement per IPv6 address (RFC 4861 4.4 and 7.2.6: to ff02::1,
// Override set, Solicited clear, Router set when we forward, with the target link-layer
// address option). Whole Ethernet frames, for a packet socket. Pure.

#include <array>
#include <cstdint>
#include <vector>

#include "base/ip_address.h"

namespace vipd::vrrp {

using MacAddr = std::array<uint8_t, 6>;

// The virtual router MAC (RFC 5798 7.3): 00-00-5E-00-01-{VRID} (IPv4), 00-00-5E-00-02-{VRID}.
MacAddr virtualMac(Family f, uint8_t vrid);

std::vector<uint8_t> gratuitousArp(const MacAddr& src_mac, const IpAddress& vip);
std::vector<uint8_t> unsolicitedNa(const MacAddr& src_mac, const IpAddress& src_ll,
                                   const IpAddress& vip, bool router);

}  // namespace vipd::vrrp
