#include "metrics/exposition.h"

#include <fmt/format.h>

#include <cmath>

namespace vipd::metrics {

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Exposition::family(const std::string& name, const std::string& type, const std::string& help) {
  current_ = name;
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Exposition::sample(const Labels& labels, double value) {
  sample("", labels, value);
}

void Exposition::sample(const std::string& suffix, const Labels& labels, double value) {
  out_ += current_ + suffix;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i)
        out_ += ',';
      out_ += labels[i].first + "=\"" + escapeLabel(labels[i].second) + "\"";
    }
    out_ += '}';
  }
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    out_ += fmt::format(" {}\n", static_cast<int64_t>(value));
  else
    out_ += fmt::format(" {}\n", value);
}

}  // namespace vipd::metrics
