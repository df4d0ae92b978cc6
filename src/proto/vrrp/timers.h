#pragma once
// VRRP's timing formulas, exact to the microsecond (keepalived's arithmetic; FRR truncates
// to centiseconds, which differs by under 10 ms).
//
//   Skew_Time            v2: (256 - Priority) / 256 s                     (RFC 3768 6.1)
//                        v3: (256 - Priority) * Master_Adver_Interval / 256 (RFC 5798 6.1)
//   Master_Down_Interval N * interval + Skew_Time, N = down_timer_adverts (RFC: 3); the
//                        interval is the configured one in v2 and the master's, learned from
//                        its adverts, in v3 (RFC 9568 calls it Active_Down_Interval).
// Worked example, v2, priority 100, 1 s: skew 0.609375 s, down interval 3.609375 s.

#include <chrono>
#include <cstdint>

namespace vipd::vrrp {

using Micros = std::chrono::microseconds;

Micros skewTime(int version, int priority, Micros master_adver_interval);
Micros masterDownInterval(int version, int priority, Micros master_adver_interval,
                          int down_timer_adverts = 3);

// The interval as carried on the wire: v2 whole seconds 1..255 (RFC 3768 5.3.7), v3
// centiseconds 1..4095 (RFC 5798 5.2.7), rounded to nearest and clamped as keepalived does.
uint16_t wireInterval(int version, Micros interval);
Micros fromWireInterval(int version, uint16_t wire);

}  // namespace vipd::vrrp
