#include "base/diag.h"

#include <fmt/format.h>

namespace vipd {

std::string SourceLoc::str() const {
  if (line == 0)
    return fileName();
  if (col == 0)
    return fmt::format("{}:{}", fileName(), line);
  return fmt::format("{}:{}:{}", fileName(), line, col);
}

std::string Diagnostic::str() const {
  return fmt::format("{}: {}: {}", loc.str(), severity == Severity::kError ? "error" : "warning",
                     message);
}

void Diagnostics::error(const SourceLoc& loc, std::string msg) {
  items_.push_back({Severity::kError, loc, std::move(msg)});
  ++errors_;
}

void Diagnostics::warning(const SourceLoc& loc, std::string msg) {
  items_.push_back({Severity::kWarning, loc, std::move(msg)});
}

void Diagnostics::relaxable(const SourceLoc& loc, std::string msg) {
  if (lenient_) {
    warning(loc, std::move(msg) + " (ignored: --lenient)");
  } else {
    error(loc, std::move(msg));
  }
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.str();
    out += '\n';
  }
  return out;
}

}  // namespace vipd
