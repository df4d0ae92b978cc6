#include "core/instance_plan.h"

#include <algorithm>

#include "conf/resolve.h"
#include "proto/vrrp/timers.h"

namespace vipd::core {

InstancePlan planInstance(const conf::VrrpInstance& i, const conf::GlobalDefs& g,
                          const IpAddress& primary) {
  InstancePlan plan;
  auto& p = plan.params;
  const bool strict = conf::strictMode(i, g);
  p.version = static_cast<uint8_t>(conf::effectiveVersion(i, g));
  p.vrid = static_cast<uint8_t>(i.virtual_router_id);
  p.priority = conf::effectivePriority(i);
  // What goes on the wire is what the timers use: v2 whole seconds, v3 centiseconds.
  p.advert_interval =
      vrrp::fromWireInterval(p.version, vrrp::wireInterval(p.version, conf::effectiveAdvertInt(i)));
  p.primary = i.src_ip.value_or(primary);
  p.preempt = !i.nopreempt;
  p.preempt_delay = i.preempt_delay;
  p.down_timer_adverts = conf::downTimerAdverts(i, g);
  // Strict mode forces the RFC's silence towards lower priorities (keepalived.conf(5)).
  p.lower_prio_no_advert =
      strict || i.lower_prio_no_advert.value_or(g.vrrp_lower_prio_no_advert.value_or(false));
  // A master that yields to a higher priority sends one last advert (keepalived's
  // higher_prio_send_advert, on by default here). After a partition heals, the side that
  // yields may be the only one to have heard the other; this advert tells the rightful
  // master, which then refreshes its neighbours at once (lower-priority GARP), instead of
  // leaving clients with the former master's MAC (keepalived issues #166, #1528). Strict
  // mode keeps RFC 5798's silence, as keepalived does.
  p.higher_prio_send_advert =
      !strict && i.higher_prio_send_advert.value_or(g.vrrp_higher_prio_send_advert.value_or(true));
  p.garp_master_delay = i.garp_master_delay.value_or(g.vrrp_garp_master_delay);
  p.garp_master_repeat = i.garp_master_repeat.value_or(g.vrrp_garp_master_repeat);
  p.garp_master_refresh = i.garp_master_refresh.value_or(g.vrrp_garp_master_refresh);
  p.garp_master_refresh_repeat =
      i.garp_master_refresh_repeat.value_or(g.vrrp_garp_master_refresh_repeat);
  // The lower-priority GARP settings default to the master ones (keepalived's vrrp_parser);
  // strict mode sends none (keepalived's vrrp_complete_instance).
  p.garp_lower_prio_delay =
      i.garp_lower_prio_delay.value_or(g.vrrp_garp_lower_prio_delay.value_or(p.garp_master_delay));
  p.garp_lower_prio_repeat =
      strict ? 0
             : i.garp_lower_prio_repeat.value_or(
                   g.vrrp_garp_lower_prio_repeat.value_or(p.garp_master_repeat));

  auto& rx = plan.rx;
  rx.version = p.version;
  rx.vrid = p.vrid;
  if (i.authentication && p.version == 2) {
    rx.auth_type =
        i.authentication->type == conf::AuthType::kAh ? vrrp::AuthType::kAh : vrrp::AuthType::kPass;
    rx.auth_pass = i.authentication->pass;
  }
  rx.interval = vrrp::wireInterval(p.version, p.advert_interval);
  for (const auto& a : i.virtual_ipaddress)
    rx.addrs.push_back(a.prefix.addr);
  // Unicast adverts are accepted only from the configured peers unless the operator asks
  // for keepalived's default (accept_unicast_from_any): an advert from anywhere else must
  // not take mastership away. Multicast instances have no peer list to check against.
  const bool accept_any = (i.accept_unicast_from_any || g.vrrp_accept_unicast_from_any) &&
                          !(i.check_unicast_src || g.vrrp_check_unicast_src);
  rx.check_unicast_src = !i.unicast_peer.empty() && !accept_any;
  for (const auto& peer : i.unicast_peer)
    rx.unicast_peers.push_back(peer.addr);
  plan.v3_checksum_as_v2 = i.v3_checksum_as_v2.value_or(g.v3_checksum_as_v2);
  return plan;
}

}  // namespace vipd::core
