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
  // The configuration as read: every logical line after preprocessing (includes,
  // conditionals, parameters, repetition expanded, comments gone), joined. Equal text,
  // equal configuration.
  std::string text;
  // The text equals `unchanged_from` (loadFile): nothing was parsed, `config` is empty.
  bool unchanged = false;
  bool ok() const { return !file_missing && !diags.hasErrors(); }
};

// With `unchanged_from` (the running configuration's text), a file that reads the same
// stops after preprocessing: a reload with nothing changed costs a read of the files.
LoadResult loadFile(const std::string& path, const PreprocessOptions& opts, bool lenient,
                    const std::string* unchanged_from = nullptr);
LoadResult loadText(const std::string& name, const std::string& text, const PreprocessOptions& opts,
                    bool lenient);

// The normalized config in keepalived syntax; re-parsing it yields an equal Config.
std::string dumpConfig(const Config& cfg);

}  // namespace vipd::conf
