#pragma once
// Prometheus text exposition format 0.0.4, written by hand: `# HELP`, `# TYPE`, then
// `name{label="value"} number` lines; label values escape \, " and newline. Families are
// declared once with their help text and type, and samples are added to them.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vipd::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  // Starts a family; the samples that follow belong to it.
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const Labels& labels, double value);
  // A histogram's or summary's series: name + suffix ("_bucket", "_sum", "_count").
  void sample(const std::string& suffix, const Labels& labels, double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_, current_;
};

std::string escapeLabel(const std::string& v);

}  // namespace vipd::metrics
