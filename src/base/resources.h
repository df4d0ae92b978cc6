#pragma once
// Telling "this host is short of something" from "the thing checked is broken".

#include <cerrno>

namespace vipd {

// Whether an errno value says this host ran out of descriptors, processes or memory. A
// check that could not even start for such a reason says nothing about the service it
// checks: its state stays, and it tries again at its next interval (issue 17).
inline bool isResourceShortage(int err) {
  return err == EMFILE || err == ENFILE || err == EAGAIN || err == ENOMEM || err == ENOBUFS;
}

}  // namespace vipd
