#include "sys/linux/ipvs.h"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>

namespace vipd::sys {
namespace {

// kNlaHdr and NLA_ALIGN, without the macros' int arithmetic.
constexpr size_t kNlaHdr = (sizeof(nlattr) + 3) & ~size_t{3};
constexpr size_t nlaAlign(size_t n) {
  return (n + 3) & ~size_t{3};
}

// One generic netlink request: header, genl header, attributes (nests closed by end()).
class Msg {
 public:
  Msg(uint16_t type, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version) {
    buf_.resize(NLMSG_HDRLEN + GENL_HDRLEN);
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    std::memcpy(buf_.data(), &h, sizeof h);
    genlmsghdr g{};
    g.cmd = cmd;
    g.version = version;
    std::memcpy(buf_.data() + NLMSG_HDRLEN, &g, sizeof g);
  }
  void attr(uint16_t type, const void* data, size_t len) {
    const size_t at = buf_.size();
    buf_.resize(at + nlaAlign(kNlaHdr + len));
    nlattr a{static_cast<uint16_t>(kNlaHdr + len), type};
    std::memcpy(buf_.data() + at, &a, sizeof a);
    if (len > 0)
      std::memcpy(buf_.data() + at + kNlaHdr, data, len);
  }
  template <class T>
  void put(uint16_t type, T v) {
    attr(type, &v, sizeof v);
  }
  void str(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  size_t begin(uint16_t type) {
    const size_t at = buf_.size();
    attr(static_cast<uint16_t>(type | NLA_F_NESTED), nullptr, 0);
    return at;
  }
  void end(size_t at) {
    const auto len = static_cast<uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &len, sizeof len);
  }
  const std::vector<uint8_t>& done() {
    const auto len = static_cast<uint32_t>(buf_.size());
    std::memcpy(buf_.data(), &len, sizeof len);
    return buf_;
  }

 private:
  std::vector<uint8_t> buf_;
};

// Walks the attributes in [p, p + len).
void attrs(const uint8_t* p, size_t len,
           const std::function<void(uint16_t, const uint8_t*, size_t)>& f) {
  while (len >= kNlaHdr) {
    nlattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.nla_len < kNlaHdr || a.nla_len > len)
      return;
    f(static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK), p + kNlaHdr, a.nla_len - kNlaHdr);
    const size_t step = nlaAlign(a.nla_len);
    if (step >= len)
      return;
    p += step;
    len -= step;
  }
}

// Sends `m` and reads until the kernel's ack (or the dump's end); a dump's messages' payloads
// (after the genl header) are appended to `dump`, each preceded by its length (uint32).
//
// A request's handler runs inside sendto() (generic netlink is synchronous), so its ack is
// queued by the time sendto() returns, and an ack request never waits: when none is there,
// none will come. That happens: the netlink core sends no ack for a handler that returns
// -EINTR (net/netlink/af_netlink.c, netlink_rcv_skb), and IPVS does when a sync daemon is
// stopped before its kernel thread first ran (kthread_stop). A blocking read would then
// hang the caller (the VRRP loop, seen in the VM); this returns EINTR instead. Only a dump's
// later parts are made in recv(), so a dump's reads block.
//
// `buf` is the caller's, kept between requests: a fresh 64 KiB buffer per request was
// zeroed 11,000 times when a 1,000 x 10 configuration is written.
int exchange(int fd, std::vector<uint8_t>& buf, const std::vector<uint8_t>& m, uint32_t seq,
             std::vector<uint8_t>* dump) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return errno;
  if (buf.empty())
    buf.resize(65536);
  for (;;) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), dump ? 0 : MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR && dump)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return EINTR;  // no ack queued: the handler returned -EINTR
      return errno;
    }
    size_t off = 0;
    while (off + NLMSG_HDRLEN <= static_cast<size_t>(n)) {
      nlmsghdr h;
      std::memcpy(&h, buf.data() + off, sizeof h);
      if (h.nlmsg_len < NLMSG_HDRLEN || off + h.nlmsg_len > static_cast<size_t>(n))
        return EPROTO;
      if (h.nlmsg_seq == seq) {
        if (h.nlmsg_type == NLMSG_ERROR) {
          nlmsgerr e;
          std::memcpy(&e, buf.data() + off + NLMSG_HDRLEN, sizeof e);
          return -e.error;
        }
        if (h.nlmsg_type == NLMSG_DONE)
          return 0;
        if (dump && h.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
          const auto len = static_cast<uint32_t>(h.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
          const uint8_t* p = buf.data() + off + NLMSG_HDRLEN + GENL_HDRLEN;
          dump->insert(dump->end(), reinterpret_cast<const uint8_t*>(&len),
                       reinterpret_cast<const uint8_t*>(&len) + sizeof len);
          dump->insert(dump->end(), p, p + len);
        }
      }
      off += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
}

void putAddr(Msg& m, uint16_t type, const IpAddress& a) {
  const auto b = a.bytes();
  m.attr(type, b.data(), a.isV4() ? 4 : 16);
}

uint16_t protoNumber(conf::L4Protocol p) {
  return p == conf::L4Protocol::kUdp    ? IPPROTO_UDP
         : p == conf::L4Protocol::kSctp ? IPPROTO_SCTP
                                        : IPPROTO_TCP;
}

void putService(Msg& m, const lb::IpvsService& s, bool full) {
  const size_t nest = m.begin(IPVS_CMD_ATTR_SERVICE);
  m.put<uint16_t>(IPVS_SVC_ATTR_AF, s.family == Family::kInet ? AF_INET : AF_INET6);
  if (s.front.fwmark != 0) {
    m.put<uint32_t>(IPVS_SVC_ATTR_FWMARK, s.front.fwmark);
  } else {
    m.put<uint16_t>(IPVS_SVC_ATTR_PROTOCOL, protoNumber(s.protocol));
    putAddr(m, IPVS_SVC_ATTR_ADDR, *s.front.addr);
    m.put<uint16_t>(IPVS_SVC_ATTR_PORT, htons(static_cast<uint16_t>(s.front.port)));
  }
  if (full) {
    m.str(IPVS_SVC_ATTR_SCHED_NAME, s.sched);
    if (!s.pe.empty())
      m.str(IPVS_SVC_ATTR_PE_NAME, s.pe);
    ip_vs_flags f{};
    f.flags = (s.persistence_s ? IP_VS_SVC_F_PERSISTENT : 0U) |
              (s.ops ? IP_VS_SVC_F_ONEPACKET : 0U) | (s.sched_flags << 3);  // SCHED1 = 0x08
    f.mask = ~0U;
    m.attr(IPVS_SVC_ATTR_FLAGS, &f, sizeof f);
    m.put<uint32_t>(IPVS_SVC_ATTR_TIMEOUT, s.persistence_s.value_or(0));
    // IPv4: the mask itself, in network order; IPv6: the prefix length.
    uint32_t mask = static_cast<uint32_t>(s.netmask_prefix);
    if (s.family == Family::kInet)
      mask = htonl(s.netmask_prefix <= 0 ? 0 : ~uint32_t{0} << (32 - s.netmask_prefix));
    m.put<uint32_t>(IPVS_SVC_ATTR_NETMASK, mask);
  }
  m.end(nest);
}

void putDest(Msg& m, const lb::IpvsDest& d, bool full) {
  const size_t nest = m.begin(IPVS_CMD_ATTR_DEST);
  putAddr(m, IPVS_DEST_ATTR_ADDR, d.addr);
  m.put<uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY, d.addr.isV4() ? AF_INET : AF_INET6);
  m.put<uint16_t>(IPVS_DEST_ATTR_PORT, htons(static_cast<uint16_t>(d.port)));
  if (full) {
    const uint32_t fwd = d.method == 'g'   ? IP_VS_CONN_F_DROUTE
                         : d.method == 'i' ? IP_VS_CONN_F_TUNNEL
                                           : IP_VS_CONN_F_MASQ;
    m.put<uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, fwd);
    m.put<uint32_t>(IPVS_DEST_ATTR_WEIGHT, static_cast<uint32_t>(d.weight));
    m.put<uint32_t>(IPVS_DEST_ATTR_U_THRESH, static_cast<uint32_t>(d.uthreshold));
    m.put<uint32_t>(IPVS_DEST_ATTR_L_THRESH, static_cast<uint32_t>(d.lthreshold));
    if (d.method == 'i') {
      const uint8_t type = d.tun_type == "gue"   ? IP_VS_CONN_F_TUNNEL_TYPE_GUE
                           : d.tun_type == "gre" ? IP_VS_CONN_F_TUNNEL_TYPE_GRE
                                                 : IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
      m.put<uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, type);
      if (d.tun_port != 0)
        m.put<uint16_t>(IPVS_DEST_ATTR_TUN_PORT, htons(static_cast<uint16_t>(d.tun_port)));
      const uint16_t csum = d.tun_csum == "csum"      ? IP_VS_TUNNEL_ENCAP_FLAG_CSUM
                            : d.tun_csum == "remcsum" ? IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM
                                                      : IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
      if (!d.tun_csum.empty())
        m.put<uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, csum);
    }
  }
  m.end(nest);
}

}  // namespace

std::optional<Ipvs> Ipvs::open(std::string& why) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) {
    why = std::string("generic netlink socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  Msg m(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 1, CTRL_CMD_GETFAMILY, 1);
  m.str(CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
  Ipvs ipvs(fd, 0);  // closes the socket on the ways out below
  const auto& bytes = m.done();
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    why = std::string("generic netlink: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<uint8_t> buf(8192);
  const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  if (n < static_cast<ssize_t>(NLMSG_HDRLEN)) {
    why = "generic netlink: no answer";
    return std::nullopt;
  }
  nlmsghdr h;
  std::memcpy(&h, buf.data(), sizeof h);
  if (h.nlmsg_type == NLMSG_ERROR) {
    why = "the kernel has no IPVS (the IPVS netlink family is unknown: ip_vs not loaded)";
    return std::nullopt;
  }
  uint16_t id = 0;
  attrs(buf.data() + NLMSG_HDRLEN + GENL_HDRLEN,
        std::min<size_t>(h.nlmsg_len, static_cast<size_t>(n)) - NLMSG_HDRLEN - GENL_HDRLEN,
        [&](uint16_t type, const uint8_t* p, size_t len) {
          if (type == CTRL_ATTR_FAMILY_ID && len >= 2)
            std::memcpy(&id, p, 2);
        });
  if (id == 0) {
    why = "generic netlink: no IPVS family id";
    return std::nullopt;
  }
  ipvs.family_ = id;
  return ipvs;
}

Ipvs::~Ipvs() {
  if (fd_ >= 0)
    ::close(fd_);
}

int Ipvs::request(uint8_t cmd, const lb::IpvsService& s, const lb::IpvsDest* d, bool full,
                  std::vector<uint8_t>* dump) {
  const uint32_t seq = ++seq_;
  const uint16_t flags = dump ? NLM_F_REQUEST | NLM_F_DUMP : NLM_F_REQUEST | NLM_F_ACK;
  Msg m(family_, flags, seq, cmd, IPVS_GENL_VERSION);
  putService(m, s, full && !d);
  if (d)
    putDest(m, *d, full);
  return exchange(fd_, rx_, m.done(), seq, dump);
}

int Ipvs::addService(const lb::IpvsService& s) {
  return request(IPVS_CMD_NEW_SERVICE, s, nullptr, true);
}
int Ipvs::editService(const lb::IpvsService& s) {
  return request(IPVS_CMD_SET_SERVICE, s, nullptr, true);
}
int Ipvs::deleteService(const lb::IpvsService& s) {
  return request(IPVS_CMD_DEL_SERVICE, s, nullptr, false);
}
int Ipvs::addDest(const lb::IpvsService& s, const lb::IpvsDest& d) {
  return request(IPVS_CMD_NEW_DEST, s, &d, true);
}
int Ipvs::editDest(const lb::IpvsService& s, const lb::IpvsDest& d) {
  return request(IPVS_CMD_SET_DEST, s, &d, true);
}
int Ipvs::deleteDest(const lb::IpvsService& s, const lb::IpvsDest& d) {
  return request(IPVS_CMD_DEL_DEST, s, &d, false);
}

int Ipvs::flush() {
  const uint32_t seq = ++seq_;
  Msg m(family_, NLM_F_REQUEST | NLM_F_ACK, seq, IPVS_CMD_FLUSH, IPVS_GENL_VERSION);
  return exchange(fd_, rx_, m.done(), seq, nullptr);
}

int Ipvs::startSyncDaemon(const IpvsSyncDaemon& d) {
  const uint32_t seq = ++seq_;
  Msg m(family_, NLM_F_REQUEST | NLM_F_ACK, seq, IPVS_CMD_NEW_DAEMON, IPVS_GENL_VERSION);
  const size_t nest = m.begin(IPVS_CMD_ATTR_DAEMON);
  m.put<uint32_t>(IPVS_DAEMON_ATTR_STATE, d.master ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP);
  m.str(IPVS_DAEMON_ATTR_MCAST_IFN, d.ifname);
  m.put<uint32_t>(IPVS_DAEMON_ATTR_SYNC_ID, d.syncid);
  if (d.maxlen)
    m.put<uint16_t>(IPVS_DAEMON_ATTR_SYNC_MAXLEN, d.maxlen);
  if (d.port)
    m.put<uint16_t>(IPVS_DAEMON_ATTR_MCAST_PORT, d.port);
  if (d.ttl)
    m.put<uint8_t>(IPVS_DAEMON_ATTR_MCAST_TTL, d.ttl);
  if (d.group)
    putAddr(m, d.group->isV4() ? IPVS_DAEMON_ATTR_MCAST_GROUP : IPVS_DAEMON_ATTR_MCAST_GROUP6,
            *d.group);
  m.end(nest);
  return exchange(fd_, rx_, m.done(), seq, nullptr);
}

int Ipvs::stopSyncDaemon(bool master) {
  const uint32_t seq = ++seq_;
  Msg m(family_, NLM_F_REQUEST | NLM_F_ACK, seq, IPVS_CMD_DEL_DAEMON, IPVS_GENL_VERSION);
  const size_t nest = m.begin(IPVS_CMD_ATTR_DAEMON);
  m.put<uint32_t>(IPVS_DAEMON_ATTR_STATE, master ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP);
  m.end(nest);
  return exchange(fd_, rx_, m.done(), seq, nullptr);
}

std::optional<std::vector<lb::IpvsDest>> Ipvs::dests(const lb::IpvsService& s,
                                                     std::vector<lb::Tally>* stats) {
  std::vector<uint8_t> dump;
  if (request(IPVS_CMD_GET_DEST, s, nullptr, false, &dump) != 0)
    return std::nullopt;
  std::vector<lb::IpvsDest> out;
  size_t off = 0;
  while (off + 4 <= dump.size()) {
    uint32_t len;
    std::memcpy(&len, dump.data() + off, 4);
    off += 4;
    if (off + len > dump.size())
      break;
    attrs(dump.data() + off, len, [&](uint16_t type, const uint8_t* p, size_t l) {
      if (type != IPVS_CMD_ATTR_DEST)
        return;
      lb::IpvsDest d;
      lb::Tally tally;
      uint16_t af = s.family == Family::kInet ? AF_INET : AF_INET6;
      const uint8_t* addr = nullptr;
      attrs(p, l, [&](uint16_t t, const uint8_t* q, size_t ql) {
        if (t == IPVS_DEST_ATTR_STATS64) {
          attrs(q, ql, [&](uint16_t st, const uint8_t* v, size_t vl) {
            uint64_t x = 0;
            if (vl < sizeof x)
              return;
            std::memcpy(&x, v, sizeof x);
            if (st == IPVS_STATS_ATTR_CONNS)
              tally.conns = x;
            else if (st == IPVS_STATS_ATTR_INPKTS)
              tally.in_packets = x;
            else if (st == IPVS_STATS_ATTR_OUTPKTS)
              tally.out_packets = x;
            else if (st == IPVS_STATS_ATTR_INBYTES)
              tally.in_bytes = x;
            else if (st == IPVS_STATS_ATTR_OUTBYTES)
              tally.out_bytes = x;
          });
        } else if (t == IPVS_DEST_ATTR_ADDR && ql >= 4)
          addr = q;
        else if (t == IPVS_DEST_ATTR_ADDR_FAMILY && ql >= 2)
          std::memcpy(&af, q, 2);
        else if (t == IPVS_DEST_ATTR_PORT && ql >= 2) {
          uint16_t port;
          std::memcpy(&port, q, 2);
          d.port = ntohs(port);
        } else if (t == IPVS_DEST_ATTR_WEIGHT && ql >= 4) {
          uint32_t w;
          std::memcpy(&w, q, 4);
          d.weight = w;
        }
      });
      if (addr == nullptr)
        return;
      if (af == AF_INET) {
        uint32_t v4;
        std::memcpy(&v4, addr, 4);
        d.addr = IpAddress::v4(ntohl(v4));
      } else {
        std::array<uint8_t, 16> v6{};
        std::memcpy(v6.data(), addr, 16);
        d.addr = IpAddress::v6(v6);
      }
      out.push_back(d);
      if (stats)
        stats->push_back(tally);
    });
    off += len;
  }
  return out;
}

}  // namespace vipd::sys
