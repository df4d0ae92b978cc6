#include "sys/linux/file_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace vipd::sys {

FileWatch::FileWatch() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "inotify");
}

FileWatch::~FileWatch() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool FileWatch::watch(const std::string& dir) {
  for (const auto& [wd, d] : dirs_) {
    if (d == dir)
      return true;
  }
  const int wd = ::inotify_add_watch(
      fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE);
  if (wd < 0)
    return false;
  dirs_[wd] = dir;
  return true;
}

void FileWatch::drain(const std::function<void(const std::string&, const std::string&)>& f) {
  alignas(inotify_event) char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0)
      return;
    for (ssize_t off = 0; off < n;) {
      inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      const char* name = buf + off + static_cast<ssize_t>(sizeof ev);
      auto it = dirs_.find(ev.wd);
      if (it != dirs_.end() && ev.len > 0)
        f(it->second, std::string(name, ::strnlen(name, ev.len)));
      off += static_cast<ssize_t>(sizeof ev + ev.len);
    }
  }
}

}  // namespace vipd::sys
