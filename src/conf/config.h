#pragma once
// The config front end's public face: load a keepalived.conf into a validated model, and
// print a model back in keepalived syntax.

#include <optional>
#include <string>

#include "base/diag.h"
#include "conf/model.h"
#include "conf/preprocess.h"

namespace vipd::conf {

struct LoadResult {
  Config config;  // as much as could be read, even with errors
  Diagnostics diags;
  bool file_missing = false;  // the main file could not be read at all
  bool ok() const { return !file_missing && !diags.hasErrors(); }
};

LoadResult loadFile(const std::string& path, const PreprocessOptions& opts, bool lenient);
LoadResult loadText(const std::string& name, const std::string& text, const PreprocessOptions& opts,
                    bool lenient);

// The normalized config in keepalived syntax; re-parsing it yields an equal Config.
std::string dumpConfig(const Config& cfg);

}  // namespace vipd::conf
