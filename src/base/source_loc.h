#pragma once
// A position in a configuration file. Every token and every model node carries one, so a
// diagnostic can always name file, line and column.

#include <memory>
#include <string>

namespace vipd {

struct SourceLoc {
  std::shared_ptr<const std::string> file;  // shared: thousands of tokens point at one name
  int line = 0;                             // 1-based; 0 = unknown
  int col = 0;                              // 1-based; 0 = unknown

  std::string fileName() const { return file ? *file : std::string("<none>"); }
  std::string str() const;

  // Locations never take part in model equality: a config printed back and re-parsed must
  // compare equal although every node now sits elsewhere.
  friend bool operator==(const SourceLoc&, const SourceLoc&) { return true; }
};

}  // namespace vipd
