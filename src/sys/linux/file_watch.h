#pragma once
// inotify on directories: track_file watches the directory holding the file, not the file,
// so that a file replaced by rename (how editors and `mv` update it) or created later is
// still seen.

#include <functional>
#include <map>
#include <string>

namespace vipd::sys {

class FileWatch {
 public:
  FileWatch();  // throws std::system_error
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  int fd() const { return fd_; }
  // Watches `dir` for files written, created, renamed in or out, or deleted. Returns false
  // (with errno) when the directory cannot be watched.
  bool watch(const std::string& dir);
  // Calls f(directory, file name) for every pending event.
  void drain(const std::function<void(const std::string&, const std::string&)>& f);

 private:
  int fd_ = -1;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
};

}  // namespace vipd::sys
