#pragma once
// Diagnostics in the form compilers use, `file:line:col: error|warning: message`, so editors
// jump to the spot. Collected, never thrown: a config check reports every problem at once.

#include <string>
#include <vector>

#include "base/source_loc.h"

namespace vipd {

enum class Severity { kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  std::string str() const;
};

class Diagnostics {
 public:
  // Downgrades "relaxable" errors (unknown keyword, bad value) to warnings: keepalived's
  // log-and-ignore behaviour, for migrating a config that vipd would otherwise refuse.
  explicit Diagnostics(bool lenient = false) : lenient_(lenient) {}

  void error(const SourceLoc& loc, std::string msg);
  void warning(const SourceLoc& loc, std::string msg);
  // An error that --lenient turns into a warning (unknown keywords and bad values).
  void relaxable(const SourceLoc& loc, std::string msg);

  const std::vector<Diagnostic>& all() const { return items_; }
  int errorCount() const { return errors_; }
  int warningCount() const { return static_cast<int>(items_.size()) - errors_; }
  bool hasErrors() const { return errors_ > 0; }
  bool lenient() const { return lenient_; }
  std::string str() const;  // one diagnostic per line

 private:
  bool lenient_;
  int errors_ = 0;
  std::vector<Diagnostic> items_;
};

}  // namespace vipd
