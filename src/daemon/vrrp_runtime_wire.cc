// VrrpRuntime: adverts out (encoded once per priority, batched per socket) and in (every
// RFC receive check, drops counted by reason) (vrrp_runtime_internal.h says the split).
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "conf/resolve.h"
#include "daemon/kernel_plan.h"
#include "daemon/vrrp_runtime.h"
#include "daemon/vrrp_runtime_internal.h"
#include "proto/vrrp/announce.h"
#include "proto/vrrp/ipv4.h"
#include "proto/vrrp/packet.h"
#include "proto/vrrp/priority.h"
#include "proto/vrrp/receive.h"
#include "proto/vrrp/timers.h"

namespace vipd::daemon {

using vrrp::DropReason;

int VrrpRuntime::vrrpIfindex(const Instance& in) {
  // With use_vmac, adverts go out and come in on the VMAC (keepalived does the same): a
  // macvlan hands multicast whose source MAC is one of its own VMACs to that VMAC only, so
  // a socket on the base would never see the other routers' adverts.
  return in.vmac_ifindex && !in.conf.vmac_xmit_base ? in.vmac_ifindex : in.ifindex;
}

sys::VrrpSocket* VrrpRuntime::socketFor(Instance& in, std::string& error) {
  const int ifindex = vrrpIfindex(in);
  if (ifindex == 0 || !in.primary) {
    error = "no interface or source address";
    return nullptr;
  }
  const uint8_t proto = in.ah ? vrrp::kIpProtoAh : vrrp::kIpProtoVrrp;
  SocketKey key{ifindex, in.family, proto};
  auto it = sockets_.find(key);
  if (it != sockets_.end()) {
    joinGroup(in, it->second);
    return &it->second;
  }
  sys::VrrpSocketConfig c;
  c.family = in.family;
  c.ifindex = ifindex;
  c.ifname = ifindex == in.ifindex ? in.ifname : in.vmac_name;
  c.src = *in.primary;
  c.protocol = proto;
  c.group = *IpAddress::parse(in.family == Family::kInet ? "224.0.0.18" : "ff02::12");
  auto s = sys::VrrpSocket::open(c, error);
  if (!s)
    return nullptr;
  const int fd = s->fd();
  it = sockets_.emplace(key, std::move(*s)).first;
  loop_.watch(fd, [this, key] { onReadable(key); });
  joinGroup(in, it->second);
  return &it->second;
}

void VrrpRuntime::joinGroup(Instance& in, sys::VrrpSocket& s) {
  // mcast_dst_ip: an instance advertising to another group must also listen to it.
  if (in.unicast || in.group == s.config().group)
    return;
  if (int err = s.join(in.group); err != 0)
    log::error("({}) cannot join {}: {}", in.conf.name, in.group.str(), std::strerror(err));
}

void VrrpRuntime::sendAdvert(Instance& in, int priority) {
  std::string error;
  auto* sock = socketFor(in, error);
  if (!sock) {
    ++in.counters.send_errors;
    log::warning("({}) cannot send advert: {}", in.conf.name, error);
    return;
  }
  // Multicast adverts due in the same wakeup share one sendmmsg (flushAdverts); unicast ones
  // go at once, so a failure is logged with the peer it concerns.
  const bool batch = batch_depth_ > 0 && !in.unicast;
  auto send = [&](std::span<const uint8_t> bytes, const IpAddress& dst) {
    if (!batch)
      return sock->send(bytes, dst);
    if (sock->queued() == 0)
      batched_.push_back(sock);
    if (sock->queue(bytes, dst, &in))
      flushSocket(*sock);
    return -1;  // reported by flushSocket
  };
  auto sendTo = [&](const IpAddress& dst) {
    int err = in.ah ? send(ahDatagram(in, priority, dst), dst)
                    : send(encodedAdvert(in, priority, dst), dst);
    if (err >= 0)
      sent(in, err, dst);
  };
  if (!in.unicast) {
    sendTo(in.group);
    return;
  }
  for (const auto& peer : in.conf.unicast_peer)
    sendTo(peer.addr);
}

vrrp::Advert VrrpRuntime::advertOf(const Instance& in, int priority) {
  const auto& p = in.plan.params;
  vrrp::Advert ad;
  ad.version = p.version;
  ad.vrid = p.vrid;
  ad.priority = static_cast<uint8_t>(priority);
  ad.interval = vrrp::wireInterval(p.version, p.advert_interval);
  if (p.version == 2) {
    ad.auth_type = in.plan.rx.auth_type;
    if (ad.auth_type == vrrp::AuthType::kPass)
      ad.auth_data = vrrp::passwordBytes(in.plan.rx.auth_pass);
  }
  ad.addrs = in.plan.rx.addrs;
  return ad;
}

uint8_t VrrpRuntime::ttlOf(const Instance& in) {
  return in.unicast ? static_cast<uint8_t>(in.conf.unicast_ttl.value_or(255)) : 255;
}

std::span<const uint8_t> VrrpRuntime::encodedAdvert(Instance& in, int priority,
                                                    const IpAddress& dst) {
  // Encoded once and reused while priority, source and destination stay the same (the v3
  // checksum covers the pseudo-header): a steady master encodes and allocates nothing per
  // advert. IPv4 keeps room for the header, rewritten per datagram for its identification.
  const bool v4 = in.family == Family::kInet;
  auto& c = in.advert;
  if (c.bytes.empty() || c.priority != priority || c.src != *in.primary || c.dst != dst) {
    auto msg = vrrp::encode(advertOf(in, priority), {*in.primary, dst, in.plan.v3_checksum_as_v2});
    c.bytes.assign(v4 ? vrrp::kIpv4HeaderLen : 0, 0);
    c.bytes.insert(c.bytes.end(), msg.begin(), msg.end());
    c.priority = priority;
    c.src = *in.primary;
    c.dst = dst;
  }
  if (v4) {
    if (++in.ip_id == 0)
      in.ip_id = 1;
    vrrp::Ipv4Header h;
    h.total_len = static_cast<uint16_t>(c.bytes.size());
    h.id = in.ip_id;
    h.ttl = ttlOf(in);
    h.protocol = vrrp::kIpProtoVrrp;
    h.src = *in.primary;
    h.dst = dst;
    vrrp::writeIpv4(h, std::span(c.bytes).first<vrrp::kIpv4HeaderLen>());
  }
  return c.bytes;
}

std::span<const uint8_t> VrrpRuntime::ahDatagram(Instance& in, int priority, const IpAddress& dst) {
  // keepalived's AH form (v2, IPv4): the ICV covers the IP identification and the sequence
  // number, so each datagram is built whole.
  auto msg = vrrp::encode(advertOf(in, priority), {*in.primary, dst, in.plan.v3_checksum_as_v2});
  if (++in.ip_id == 0)
    in.ip_id = 1;
  in.advert.bytes = vrrp::encodeAhDatagram(
      msg, {*in.primary, dst, in.ip_id, ++in.ah_seq, ttlOf(in), in.unicast, {}}, in.ah_key);
  in.advert.priority = -1;  // not reusable
  return in.advert.bytes;
}

void VrrpRuntime::sent(Instance& in, int err, const IpAddress& dst) {
  if (err) {
    ++in.counters.send_errors;
    if (in.counters.send_errors == 1 || in.counters.send_errors % 100 == 0)
      log::warning("({}) advert to {} failed: {}", in.conf.name, dst.str(), std::strerror(err));
  } else {
    ++in.counters.adverts_sent;
  }
}

void VrrpRuntime::flushSocket(sys::VrrpSocket& s) {
  s.flush([&](void* tag, int err) {
    auto& in = *static_cast<Instance*>(tag);
    sent(in, err, in.group);
  });
}

void VrrpRuntime::flushAdverts() {
  for (auto* s : batched_) {
    if (s->queued() > 0)
      flushSocket(*s);
  }
  batched_.clear();
}

void VrrpRuntime::onReadable(SocketKey key) {
  auto it = sockets_.find(key);
  if (it == sockets_.end())
    return;
  SendBatch batch(*this);
  // Bounded: timers must not starve under a flood.
  for (size_t total = 0; total < 256;) {
    const size_t n = it->second.receiveMany();
    for (size_t i = 0; i < n; ++i)
      onDatagram(key, it->second.received(i));
    if (n < sys::VrrpSocket::kRxBatch)
      break;
    total += n;
  }
  rearm();
}

void VrrpRuntime::drop(Instance* in, DropReason r, const IpAddress& src) {
  auto& c = in ? in->counters : unmatched_;
  const uint64_t n = ++c.drops[static_cast<size_t>(r)];
  // Logged at 1, 10, 100, ... per reason: visible, but a flood cannot fill the log.
  bool power_of_ten = true;
  for (uint64_t v = n; v > 1; v /= 10) {
    if (v % 10 != 0)
      power_of_ten = false;
  }
  if (in && power_of_ten) {
    log::warning("({}) dropped advert from {}: {} ({} so far)", in->conf.name, src.str(),
                 vrrp::toString(r), n);
  }
}

void VrrpRuntime::onDatagram(const SocketKey& key, sys::Datagram& d) {
  const auto [ifindex, family, proto] = key;
  std::span<const uint8_t> payload(d.bytes);
  std::optional<vrrp::Ipv4Header> h;
  size_t off = 0;
  if (family == Family::kInet) {
    h = vrrp::parseIpv4(d.bytes);
    if (!h)
      return drop(nullptr, DropReason::kIpHeader, d.src);
    d.ttl = h->ttl;
    off = h->header_len + (h->protocol == vrrp::kIpProtoAh ? vrrp::kAhLen : 0);
  }
  if (d.bytes.size() < off + 2)
    return drop(nullptr, DropReason::kTooShort, d.src);
  const uint8_t vrid = d.bytes[off + 1];
  // Per packet: a map lookup, rebuilt only after instances or their interfaces changed.
  if (index_dirty_) {
    by_vrid_.clear();
    for (auto& c : instances_)
      by_vrid_.emplace(SocketKey{vrrpIfindex(*c), c->family, c->plan.params.vrid}, c.get());
    index_dirty_ = false;
  }
  auto found = by_vrid_.find(SocketKey{ifindex, family, vrid});
  Instance* in = found == by_vrid_.end() ? nullptr : found->second;
  if (!in)
    return drop(nullptr, DropReason::kUnknownVrid, d.src);
  if (family == Family::kInet) {
    if (in->ah != (h->protocol == vrrp::kIpProtoAh))
      return drop(in, DropReason::kAhMismatch, d.src);
    payload =
        std::span<const uint8_t>(d.bytes).subspan(h->header_len, h->total_len - h->header_len);
    if (in->ah) {
      auto opened = vrrp::openAhDatagram(d.bytes, *h, in->ah_key, in->unicast);
      if (auto* r = std::get_if<DropReason>(&opened))
        return drop(in, *r, d.src);
      const auto& o = std::get<vrrp::AhOpened>(opened);
      if (!in->replay->accept(d.src, o.seq, std::chrono::steady_clock::now()))
        return drop(in, DropReason::kAhReplay, d.src);
      payload = o.vrrp;
      // Keep our counter at or above every sequence number heard, as keepalived does with
      // its single per-instance counter: a keepalived peer drops anything below its own.
      in->ah_seq = std::max(in->ah_seq, o.seq);
    }
  }
  // keepalived skips the TTL check in unicast mode (peers may be routed), unless the peer
  // has min_ttl / max_ttl: then its TTL must be within them.
  if (in->unicast) {
    for (const auto& peer : in->conf.unicast_peer) {
      if (peer.addr != d.src || (!peer.min_ttl && !peer.max_ttl))
        continue;
      if (d.ttl < peer.min_ttl.value_or(0) || d.ttl > peer.max_ttl.value_or(255))
        return drop(in, DropReason::kTtl, d.src);
    }
  }
  vrrp::RxMeta meta{d.src, d.dst, d.ttl, !in->unicast};
  auto decoded = vrrp::decode(payload, meta);
  if (auto* r = std::get_if<DropReason>(&decoded))
    return drop(in, *r, d.src);
  const auto& ad = std::get<vrrp::Decoded>(decoded).advert;
  auto verdict = vrrp::checkAgainstInstance(ad, d.src, in->plan.rx);
  if (verdict.drop)
    return drop(in, *verdict.drop, d.src);
  ++in->counters.adverts_received;
  if (in->vr->state() == vrrp::State::kMaster && ad.priority != 0 &&
      ad.priority < in->vr->priority()) {
    notifier_.masterRxLowerPriority(in->conf, in->vr->priority());
  }
  handle(*in, vrrp::AdvertIn{d.src, ad.priority, vrrp::fromWireInterval(ad.version, ad.interval)});
}

}  // namespace vipd::daemon
