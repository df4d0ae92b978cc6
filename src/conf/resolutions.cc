#include "conf/resolutions.h"

#include <fmt/format.h>

#include "conf/resolve.h"

namespace vipd::conf {
namespace {

// Each rule below is one of keepalived 2.2.7's vrrp_complete_instance() corrections: a
// setting that conflicts with another is reset and the reset is logged. A drop-in
// replacement must start the configs keepalived starts, so vipd makes the same correction
// and says so at the keyword (a warning, not an error). Conflicts that keepalived resolves
// by refusing the instance stay errors in validate.cc.
class Resolver {
 public:
  Resolver(VrrpInstance& i, const GlobalDefs& g, Diagnostics& d)
      : i_(i), d_(d), strict_(strictMode(i, g)), version_(effectiveVersion(i, g)) {}

  void run() {
    versionAndFamily();
    authentication();
    stateAndPreemption();
    strictTimers();
    strictAdverts();
    addresses();
  }

 private:
  void warn(std::string_view key, const std::string& msg) {
    d_.warning(i_.keys.of(key, i_.loc), fmt::format("vrrp_instance '{}': {}", i_.name, msg));
  }

  // keepalived: "cannot use IPv6 with VRRP version 2; setting version 3" (strict mode only;
  // outside it the version 2 packet over IPv6 is nobody's protocol and validate refuses it).
  void versionAndFamily() {
    if (strict_ && i_.version && *i_.version == 2 && instanceFamily(i_) == Family::kInet6) {
      warn("version", "VRRPv2 cannot carry IPv6 (RFC 3768); using version 3, as keepalived does");
      i_.version = 3;
      version_ = 3;
    }
  }

  void authentication() {
    if (!i_.authentication)
      return;
    const char* why = nullptr;
    if (strict_) {
      why = "strict mode does not allow authentication (RFC 5798 removed it)";
    } else if (version_ == 3) {
      why = "VRRPv3 has no authentication (RFC 5798 removed it)";
    } else if (i_.authentication->pass.empty()) {
      why = "authentication has no auth_pass";
    } else if (i_.authentication->type == AuthType::kAh && instanceFamily(i_) == Family::kInet6) {
      why = "AH authentication is not available with IPv6";
    }
    if (why) {
      warn("authentication",
           fmt::format("{}; the authentication block is ignored, as keepalived does", why));
      i_.authentication.reset();
    }
  }

  void stateAndPreemption() {
    const bool owner = effectivePriority(i_) == 255;
    if (strict_ && i_.state && (*i_.state == InitialState::kMaster) != owner) {
      warn("state", fmt::format("strict mode: state {} must match being the address owner "
                                "(priority 255); starting as {}",
                                *i_.state == InitialState::kMaster ? "MASTER" : "BACKUP",
                                owner ? "MASTER" : "BACKUP"));
      i_.state = owner ? InitialState::kMaster : InitialState::kBackup;
    }
    if (owner && i_.nopreempt) {
      warn("nopreempt", "nopreempt has no meaning for the address owner (priority 255); ignored");
      i_.nopreempt = false;
    }
    if (i_.preempt_delay.count() > 0) {
      const char* why = strict_        ? "strict mode does not allow preempt_delay"
                        : i_.nopreempt ? "preempt_delay has no effect with nopreempt"
                                       : nullptr;
      if (why) {
        warn("preempt_delay", fmt::format("{}; it is reset to 0, as keepalived does", why));
        i_.preempt_delay = Micros(0);
      }
    }
  }

  void strictTimers() {
    if (!strict_)
      return;
    if (i_.down_timer_adverts && *i_.down_timer_adverts != 3) {
      warn("down_timer_adverts",
           "strict mode keeps RFC 5798's Master_Down_Interval (3 adverts); "
           "down_timer_adverts is reset, as keepalived does");
      i_.down_timer_adverts.reset();
    }
    if (i_.garp_lower_prio_repeat && *i_.garp_lower_prio_repeat != 0) {
      warn("garp_lower_prio_repeat",
           "strict mode sends no gratuitous ARP to lower priorities; "
           "garp_lower_prio_repeat is reset to 0, as keepalived does");
      i_.garp_lower_prio_repeat = 0;
    }
    if (i_.garp_lower_prio_delay && i_.garp_lower_prio_delay->count() != 0) {
      warn("garp_lower_prio_delay",
           "strict mode sends no gratuitous ARP to lower priorities; "
           "garp_lower_prio_delay is reset to 0, as keepalived does");
      i_.garp_lower_prio_delay = Micros(0);
    }
  }

  void strictAdverts() {
    if (!strict_)
      return;
    if (i_.lower_prio_no_advert && !*i_.lower_prio_no_advert) {
      warn("lower_prio_no_advert",
           "strict mode does not answer lower priorities with an advert (RFC 5798 6.4.3); "
           "lower_prio_no_advert is set, as keepalived does");
      i_.lower_prio_no_advert = true;
    }
    if (i_.higher_prio_send_advert && *i_.higher_prio_send_advert) {
      warn("higher_prio_send_advert",
           "strict mode does not advertise before yielding; "
           "higher_prio_send_advert is cleared, as keepalived does");
      i_.higher_prio_send_advert = false;
    }
    if (i_.accept && *i_.accept && version_ == 2 && effectivePriority(i_) != 255) {
      warn("accept",
           "accept mode is not part of VRRPv2 (RFC 3768); strict mode resets it to "
           "no_accept, as keepalived does");
      i_.accept = false;
    }
    if (i_.use_vmac && i_.use_vmac->mac) {
      warn("use_vmac",
           "strict mode uses the RFC's virtual MAC; the MAC address given is "
           "ignored, as keepalived does");
      i_.use_vmac->mac.reset();
    }
  }

  void addresses() {
    if (strict_ && i_.no_virtual_ipaddress) {
      warn("no_virtual_ipaddress",
           "strict mode needs virtual addresses; no_virtual_ipaddress "
           "is cleared, as keepalived does");
      i_.no_virtual_ipaddress = false;
    }
    if (isUnicast(i_) && i_.mcast_dst_ip) {
      warn("mcast_dst_ip",
           "mcast_dst_ip has no meaning with unicast peers; ignored, as "
           "keepalived does");
      i_.mcast_dst_ip.reset();
    }
  }

  VrrpInstance& i_;
  Diagnostics& d_;
  bool strict_;
  int version_;
};

}  // namespace

void applyResolutions(Config& cfg, Diagnostics& diags) {
  for (auto& i : cfg.instances)
    Resolver(i, cfg.global, diags).run();
}

}  // namespace vipd::conf
