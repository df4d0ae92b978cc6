#include "sys/linux/netlink.h"

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace vipd::sys {
namespace {

// One netlink message under construction: header, fixed part, then attributes (nested
// attributes are opened and closed around their children).
class Message {
 public:
  Message(uint16_t type, uint16_t flags, const void* fixed, size_t fixed_len) {
    buf_.resize(NLMSG_LENGTH(fixed_len));
    header()->nlmsg_type = type;
    header()->nlmsg_flags = static_cast<uint16_t>(flags | NLM_F_REQUEST);
    std::memcpy(buf_.data() + NLMSG_HDRLEN, fixed, fixed_len);
    sync();
  }
  void attr(uint16_t type, const void* data, size_t len) {
    const size_t at = NLMSG_ALIGN(buf_.size());
    buf_.resize(at + RTA_LENGTH(len));
    rtattr a{static_cast<uint16_t>(RTA_LENGTH(len)), type};
    std::memcpy(buf_.data() + at, &a, sizeof a);
    if (len)
      std::memcpy(buf_.data() + at + RTA_LENGTH(0), data, len);
    sync();
  }
  void attr(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  void attr32(uint16_t type, uint32_t v) { attr(type, &v, sizeof v); }
  size_t begin(uint16_t type) {
    const size_t at = NLMSG_ALIGN(buf_.size());
    attr(type, nullptr, 0);
    return at;
  }
  void end(size_t at) {
    rtattr a;
    std::memcpy(&a, buf_.data() + at, sizeof a);
    a.rta_len = static_cast<uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &a, sizeof a);
  }
  std::vector<uint8_t>& bytes() { return buf_; }

 private:
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  void sync() {
    buf_.resize(NLMSG_ALIGN(buf_.size()));
    header()->nlmsg_len = static_cast<uint32_t>(buf_.size());
  }
  std::vector<uint8_t> buf_;
};

int openSocket(uint32_t groups) {
  int fd =
      ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (groups ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "netlink socket");
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    ::close(fd);
    throw std::system_error(e, std::generic_category(), "netlink bind");
  }
  if (groups) {
    int size = 4 << 20;  // bursts of events (a thousand VIPs) must not overflow
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  }
  return fd;
}

// Calls `f(type, payload, len)` for each attribute in [p, p+len).
template <class F>
void forEachAttr(const uint8_t* p, size_t len, F f) {
  while (len >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len)
      return;
    f(a.rta_type, p + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0));
    const size_t step = RTA_ALIGN(a.rta_len);
    if (step >= len)
      return;
    p += step;
    len -= step;
  }
}

// Calls `f(header, bytes)` for each message in a receive buffer (NLMSG_OK / NLMSG_NEXT
// without their casts).
template <class F>
void forEachMessage(const uint8_t* buf, size_t len, F f) {
  while (len >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, buf, sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len)
      return;
    f(h, buf);
    const size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= len)
      return;
    buf += step;
    len -= step;
  }
}

std::optional<IpAddress> addrFrom(uint8_t family, const uint8_t* d, size_t n) {
  if (family == AF_INET && n == 4) {
    return IpAddress::v4(uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3]);
  }
  if (family == AF_INET6 && n == 16) {
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), d, 16);
    return IpAddress::v6(b);
  }
  return std::nullopt;
}

Message addressMessage(uint16_t type, uint16_t flags, const AddressRequest& r) {
  ifaddrmsg ifa{};
  const bool v6 = r.prefix.addr.isV6();
  ifa.ifa_family = v6 ? AF_INET6 : AF_INET;
  ifa.ifa_prefixlen = static_cast<uint8_t>(r.prefix.len);
  ifa.ifa_index = static_cast<uint32_t>(r.ifindex);
  ifa.ifa_scope = r.scope.value_or(RT_SCOPE_UNIVERSE);
  uint32_t ifa_flags = (v6 && r.nodad) ? IFA_F_NODAD : 0;
  ifa.ifa_flags = static_cast<uint8_t>(ifa_flags);
  Message m(type, flags, &ifa, sizeof ifa);
  const size_t n = v6 ? 16 : 4;
  m.attr(IFA_LOCAL, r.prefix.addr.bytes().data(), n);
  m.attr(IFA_ADDRESS, r.prefix.addr.bytes().data(), n);
  if (r.broadcast && !v6)
    m.attr(IFA_BROADCAST, r.broadcast->bytes().data(), 4);
  if (r.label && !v6)
    m.attr(IFA_LABEL, *r.label);
  if (ifa_flags)
    m.attr32(IFA_FLAGS, ifa_flags);
  return m;
}

void stamp(std::vector<uint8_t>& msg, uint32_t seq, uint16_t extra_flags) {
  nlmsghdr h;
  std::memcpy(&h, msg.data(), sizeof h);
  h.nlmsg_seq = seq;
  h.nlmsg_flags = static_cast<uint16_t>(h.nlmsg_flags | extra_flags);
  std::memcpy(msg.data(), &h, sizeof h);
}

Message routeMessage(uint16_t type, uint16_t flags, const RouteRequest& r) {
  rtmsg rt{};
  const bool v6 = r.dst.addr.isV6();
  const size_t n = v6 ? 16 : 4;
  rt.rtm_family = v6 ? AF_INET6 : AF_INET;
  rt.rtm_dst_len = static_cast<uint8_t>(r.dst.len);
  rt.rtm_table = r.table < 256 ? static_cast<uint8_t>(r.table) : uint8_t{RT_TABLE_UNSPEC};
  rt.rtm_protocol = r.protocol;
  rt.rtm_type = r.type;
  // Like ip(8): link scope for a route without a gateway, universe otherwise.
  rt.rtm_scope = r.scope.value_or(r.type != RTN_UNICAST ? RT_SCOPE_UNIVERSE
                                  : r.via               ? RT_SCOPE_UNIVERSE
                                                        : RT_SCOPE_LINK);
  if (r.onlink)
    rt.rtm_flags |= RTNH_F_ONLINK;
  Message m(type, flags, &rt, sizeof rt);
  if (r.dst.len > 0)
    m.attr(RTA_DST, r.dst.addr.bytes().data(), n);
  if (r.via)
    m.attr(RTA_GATEWAY, r.via->bytes().data(), n);
  if (r.src)
    m.attr(RTA_PREFSRC, r.src->bytes().data(), n);
  if (r.oif)
    m.attr32(RTA_OIF, static_cast<uint32_t>(r.oif));
  if (r.table >= 256)
    m.attr32(RTA_TABLE, r.table);
  if (r.metric)
    m.attr32(RTA_PRIORITY, *r.metric);
  return m;
}

Message ruleMessage(uint16_t type, uint16_t flags, const RuleRequest& r) {
  fib_rule_hdr h{};
  h.family = r.family == Family::kInet ? AF_INET : AF_INET6;
  h.action = FR_ACT_TO_TBL;
  h.table = r.table < 256 ? static_cast<uint8_t>(r.table) : uint8_t{RT_TABLE_UNSPEC};
  const size_t n = r.family == Family::kInet ? 4 : 16;
  if (r.from)
    h.src_len = static_cast<uint8_t>(r.from->len);
  if (r.to)
    h.dst_len = static_cast<uint8_t>(r.to->len);
  Message m(type, flags, &h, sizeof h);
  if (r.from)
    m.attr(FRA_SRC, r.from->addr.bytes().data(), n);
  if (r.to)
    m.attr(FRA_DST, r.to->addr.bytes().data(), n);
  if (r.iif)
    m.attr(FRA_IFNAME, *r.iif);
  if (r.oif)
    m.attr(FRA_OIFNAME, *r.oif);
  m.attr32(FRA_TABLE, r.table);
  if (r.priority)
    m.attr32(FRA_PRIORITY, *r.priority);
  if (r.fwmark)
    m.attr32(FRA_FWMARK, *r.fwmark);
  return m;
}

}  // namespace

std::string formatMac(const Mac& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::optional<Link> parseLinkMessage(const uint8_t* msg, size_t len) {
  if (len < NLMSG_LENGTH(sizeof(ifinfomsg)))
    return std::nullopt;
  ifinfomsg ifi;
  std::memcpy(&ifi, msg + NLMSG_HDRLEN, sizeof ifi);
  Link l;
  l.index = ifi.ifi_index;
  l.up = (ifi.ifi_flags & IFF_UP) && (ifi.ifi_flags & IFF_RUNNING);
  const size_t off = NLMSG_LENGTH(sizeof(ifinfomsg));
  forEachAttr(msg + NLMSG_ALIGN(off), len - NLMSG_ALIGN(off),
              [&](uint16_t type, const uint8_t* d, size_t n) {
                if (type == IFLA_IFNAME && n > 0) {
                  l.name.assign(reinterpret_cast<const char*>(d),
                                strnlen(reinterpret_cast<const char*>(d), n));
                } else if (type == IFLA_ADDRESS && n == 6) {
                  std::memcpy(l.mac.data(), d, 6);
                } else if (type == IFLA_LINK && n == 4) {
                  std::memcpy(&l.master, d, 4);
                } else if (type == IFLA_LINKINFO) {
                  forEachAttr(d, n, [&](uint16_t t2, const uint8_t* d2, size_t n2) {
                    if (t2 == IFLA_INFO_KIND && n2 > 0) {
                      l.kind.assign(reinterpret_cast<const char*>(d2),
                                    strnlen(reinterpret_cast<const char*>(d2), n2));
                    }
                  });
                }
              });
  return l;
}

std::optional<Address> parseAddressMessage(const uint8_t* msg, size_t len) {
  if (len < NLMSG_LENGTH(sizeof(ifaddrmsg)))
    return std::nullopt;
  ifaddrmsg ifa;
  std::memcpy(&ifa, msg + NLMSG_HDRLEN, sizeof ifa);
  Address a;
  a.ifindex = static_cast<int>(ifa.ifa_index);
  uint32_t flags = ifa.ifa_flags;
  std::optional<IpAddress> local, address;
  const size_t off = NLMSG_LENGTH(sizeof(ifaddrmsg));
  forEachAttr(msg + NLMSG_ALIGN(off), len - NLMSG_ALIGN(off),
              [&](uint16_t type, const uint8_t* d, size_t n) {
                if (type == IFA_LOCAL)
                  local = addrFrom(ifa.ifa_family, d, n);
                if (type == IFA_ADDRESS)
                  address = addrFrom(ifa.ifa_family, d, n);
                if (type == IFA_LABEL && n > 0) {
                  a.label.assign(reinterpret_cast<const char*>(d),
                                 strnlen(reinterpret_cast<const char*>(d), n));
                }
                if (type == IFA_FLAGS && n == 4)
                  std::memcpy(&flags, d, 4);
              });
  auto addr = local ? local : address;  // IFA_LOCAL is ours; IFA_ADDRESS may be a peer
  if (!addr || ifa.ifa_prefixlen > addr->maxPrefix())
    return std::nullopt;
  a.prefix = IpPrefix{*addr, ifa.ifa_prefixlen};
  a.secondary = flags & IFA_F_SECONDARY;
  a.tentative = flags & IFA_F_TENTATIVE;
  return a;
}

Netlink::Netlink() : fd_(openSocket(0)) {}
Netlink::~Netlink() {
  if (fd_ >= 0)
    ::close(fd_);
}

int Netlink::request(std::vector<uint8_t>& msg) {
  const uint32_t seq = seq_++;
  stamp(msg, seq, NLM_F_ACK);
  invalidate();  // a change: cached dumps are stale from here
  if (::send(fd_, msg.data(), msg.size(), 0) < 0)
    return errno;
  auto& buf = rx_;
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    std::optional<int> result;
    forEachMessage(buf.data(), static_cast<size_t>(n), [&](const nlmsghdr& r, const uint8_t* p) {
      if (r.nlmsg_seq != seq || r.nlmsg_type != NLMSG_ERROR)
        return;  // stale, or not the ack
      nlmsgerr e;
      std::memcpy(&e, p + NLMSG_HDRLEN, sizeof e);
      result = -e.error;
    });
    if (result)
      return *result;
  }
}

std::vector<std::vector<uint8_t>> Netlink::dump(std::vector<uint8_t>& msg) {
  const uint32_t seq = seq_++;
  stamp(msg, seq, NLM_F_DUMP);
  std::vector<std::vector<uint8_t>> out;
  if (::send(fd_, msg.data(), msg.size(), 0) < 0)
    return out;
  auto& buf = rx_;
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return out;
    }
    bool done = false;
    forEachMessage(buf.data(), static_cast<size_t>(n), [&](const nlmsghdr& r, const uint8_t* p) {
      if (r.nlmsg_seq != seq || done)
        return;
      if (r.nlmsg_type == NLMSG_DONE || r.nlmsg_type == NLMSG_ERROR) {
        done = true;
        return;
      }
      out.emplace_back(p, p + r.nlmsg_len);
    });
    if (done)
      return out;
  }
}

std::vector<Link> Netlink::links() {
  if (cache_depth_ > 0 && links_cache_)
    return *links_cache_;
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  Message m(RTM_GETLINK, 0, &ifi, sizeof ifi);
  std::vector<Link> out;
  for (const auto& msg : dump(m.bytes())) {
    if (auto l = parseLinkMessage(msg.data(), msg.size()))
      out.push_back(std::move(*l));
  }
  if (cache_depth_ > 0)
    links_cache_ = out;
  return out;
}

std::optional<Link> Netlink::link(const std::string& name) {
  for (auto& l : links()) {
    if (l.name == name)
      return l;
  }
  return std::nullopt;
}

std::optional<Link> Netlink::link(int index) {
  for (auto& l : links()) {
    if (l.index == index)
      return l;
  }
  return std::nullopt;
}

std::vector<Address> Netlink::addresses(std::optional<Family> family) {
  if (cache_depth_ > 0) {
    if (!addresses_cache_)
      addresses_cache_ = dumpAddresses(std::nullopt);
    std::vector<Address> out;
    for (const auto& a : *addresses_cache_) {
      if (!family || a.prefix.addr.family() == *family)
        out.push_back(a);
    }
    return out;
  }
  return dumpAddresses(family);
}

std::vector<Address> Netlink::dumpAddresses(std::optional<Family> family) {
  ifaddrmsg ifa{};
  ifa.ifa_family = !family ? AF_UNSPEC : *family == Family::kInet ? AF_INET : AF_INET6;
  Message m(RTM_GETADDR, 0, &ifa, sizeof ifa);
  std::vector<Address> out;
  for (const auto& msg : dump(m.bytes())) {
    if (auto a = parseAddressMessage(msg.data(), msg.size()))
      out.push_back(std::move(*a));
  }
  return out;
}

int Netlink::addAddress(const AddressRequest& r) {
  auto m = addressMessage(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, r);
  return request(m.bytes());
}

int Netlink::deleteAddress(const AddressRequest& r) {
  auto m = addressMessage(RTM_DELADDR, 0, r);
  return request(m.bytes());
}

int Netlink::addRoute(const RouteRequest& r) {
  auto m = routeMessage(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
  return request(m.bytes());
}

int Netlink::deleteRoute(const RouteRequest& r) {
  auto m = routeMessage(RTM_DELROUTE, 0, r);
  return request(m.bytes());
}

int Netlink::addRule(const RuleRequest& r) {
  auto m = ruleMessage(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
  return request(m.bytes());
}

int Netlink::deleteRule(const RuleRequest& r) {
  auto m = ruleMessage(RTM_DELRULE, 0, r);
  return request(m.bytes());
}

int Netlink::addMacvlan(const MacvlanRequest& r) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  m.attr(IFLA_IFNAME, r.name);
  m.attr32(IFLA_LINK, static_cast<uint32_t>(r.lower_ifindex));
  m.attr(IFLA_ADDRESS, r.mac.data(), r.mac.size());
  size_t info = m.begin(IFLA_LINKINFO);
  m.attr(IFLA_INFO_KIND, std::string("macvlan"));
  size_t data = m.begin(IFLA_INFO_DATA);
  m.attr32(IFLA_MACVLAN_MODE, r.private_mode ? MACVLAN_MODE_PRIVATE : MACVLAN_MODE_BRIDGE);
  m.end(data);
  m.end(info);
  return request(m.bytes());
}

int Netlink::setLinkUp(int ifindex, bool up) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = up ? IFF_UP : 0;
  ifi.ifi_change = IFF_UP;
  Message m(RTM_NEWLINK, 0, &ifi, sizeof ifi);
  return request(m.bytes());
}

int Netlink::deleteLink(int ifindex) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  Message m(RTM_DELLINK, 0, &ifi, sizeof ifi);
  return request(m.bytes());
}

NetlinkMonitor::NetlinkMonitor()
    : fd_(openSocket(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)) {}
NetlinkMonitor::~NetlinkMonitor() {
  if (fd_ >= 0)
    ::close(fd_);
}

void NetlinkMonitor::drain(const std::function<void(const LinkEvent&)>& on_link,
                           const std::function<void(const AddressEvent&)>& on_address) {
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) {
      if (n < 0 && errno == EINTR)
        continue;
      return;  // EAGAIN: drained. ENOBUFS (overrun) is left to the periodic resync.
    }
    parseEvents(buf.data(), static_cast<size_t>(n), on_link, on_address);
  }
}

void parseEvents(const uint8_t* buf, size_t len,
                 const std::function<void(const LinkEvent&)>& on_link,
                 const std::function<void(const AddressEvent&)>& on_address) {
  forEachMessage(buf, len, [&](const nlmsghdr& r, const uint8_t* p) {
    if (r.nlmsg_type == RTM_NEWLINK || r.nlmsg_type == RTM_DELLINK) {
      if (auto l = parseLinkMessage(p, r.nlmsg_len))
        on_link(LinkEvent{r.nlmsg_type == RTM_DELLINK, std::move(*l)});
    } else if (r.nlmsg_type == RTM_NEWADDR || r.nlmsg_type == RTM_DELADDR) {
      if (auto a = parseAddressMessage(p, r.nlmsg_len))
        on_address(AddressEvent{r.nlmsg_type == RTM_DELADDR, std::move(*a)});
    }
  });
}

}  // namespace vipd::sys
