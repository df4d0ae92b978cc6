#include "sys/linux/proc_events.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace vipd::sys {
namespace {

void subscribe(int fd, proc_cn_mcast_op op) {
  alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))]{};
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  nh->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(op));
  nh->nlmsg_type = NLMSG_DONE;
  nh->nlmsg_pid = 0;
  cn_msg cn{};
  cn.id.idx = CN_IDX_PROC;
  cn.id.val = CN_VAL_PROC;
  cn.len = sizeof(op);
  std::memcpy(buf + NLMSG_HDRLEN, &cn, sizeof cn);
  std::memcpy(buf + NLMSG_HDRLEN + sizeof cn, &op, sizeof op);
  if (::send(fd, buf, nh->nlmsg_len, 0) < 0)
    throw std::system_error(errno, std::generic_category(), "process connector subscribe");
}

int openSocket(int& err) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = CN_IDX_PROC;
  sa.nl_pid = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    err = errno;
    ::close(fd);
    return -1;
  }
  int size = 1 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  return fd;
}

int early_fd = -1;

}  // namespace

void ProcEvents::openEarly() {
  int err = 0;
  if (early_fd < 0)
    early_fd = openSocket(err);
}

ProcEvents::ProcEvents() {
  int err = 0;
  fd_ = early_fd >= 0 ? early_fd : openSocket(err);
  early_fd = -1;
  if (fd_ < 0)
    throw std::system_error(err, std::generic_category(), "process connector socket");
  try {
    subscribe(fd_, PROC_CN_MCAST_LISTEN);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

ProcEvents::~ProcEvents() {
  if (fd_ >= 0) {
    try {
      subscribe(fd_, PROC_CN_MCAST_IGNORE);
    } catch (const std::system_error&) {
    }
    ::close(fd_);
  }
}

bool ProcEvents::drain(const std::function<void(const ProcEvent&)>& f) {
  alignas(nlmsghdr) char buf[16384];
  bool complete = true;
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == ENOBUFS) {
        complete = false;
        continue;
      }
      return complete;  // EAGAIN: nothing more
    }
    auto len = static_cast<size_t>(n);
    for (size_t off = 0; off + sizeof(nlmsghdr) <= len;) {
      nlmsghdr nh;
      std::memcpy(&nh, buf + off, sizeof nh);
      if (nh.nlmsg_len < sizeof(nlmsghdr) || off + nh.nlmsg_len > len)
        break;
      const char* payload = buf + off + NLMSG_HDRLEN;
      const size_t payload_len = nh.nlmsg_len - NLMSG_HDRLEN;
      off += NLMSG_ALIGN(nh.nlmsg_len);
      if (nh.nlmsg_type == NLMSG_ERROR || nh.nlmsg_type == NLMSG_NOOP)
        continue;
      cn_msg cn;
      if (payload_len < sizeof cn + sizeof(proc_event))
        continue;
      std::memcpy(&cn, payload, sizeof cn);
      if (cn.id.idx != CN_IDX_PROC || cn.len < sizeof(proc_event))
        continue;
      proc_event ev;
      std::memcpy(&ev, payload + sizeof cn, sizeof ev);
      switch (ev.what) {
        case proc_event::PROC_EVENT_FORK:
          if (ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid)
            f({ProcEvent::Kind::kFork, ev.event_data.fork.child_tgid});
          break;
        case proc_event::PROC_EVENT_EXEC:
          f({ProcEvent::Kind::kExec, ev.event_data.exec.process_tgid});
          break;
        case proc_event::PROC_EVENT_COMM:
          f({ProcEvent::Kind::kComm, ev.event_data.comm.process_tgid});
          break;
        case proc_event::PROC_EVENT_EXIT:
          if (ev.event_data.exit.process_pid == ev.event_data.exit.process_tgid)
            f({ProcEvent::Kind::kExit, ev.event_data.exit.process_tgid});
          break;
        default:
          break;
      }
    }
  }
}

}  // namespace vipd::sys
