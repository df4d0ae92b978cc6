#pragma once
// Stage 1 of the config pipeline: keepalived's line preprocessor.
//
// Turns a config file into logical lines, each tagged with where it came from. Handles, in
// keepalived's order per line: comments (`#`, `!`, outside quotes), conditional lines
// (`@id`, `@^id`), parameter definitions (`$NAME=value`, multi-line with a trailing `\`),
// sequence and list repetition (`~SEQ`, `~SEQx`, `~LST`), parameter expansion (`$NAME`,
// `${NAME}` and the predefined `${_PWD}`, `${_INSTANCE}`, `${_RANDOM}`, `${_ENV}`, `${_HASH}`,
// `${_BANG}`), and `include` with glob(3) and csh braces.
//
// Unlike keepalived, an `include` of a plain path that does not exist is an error: a config
// that silently loses a file is how split brains start. A wildcard that matches nothing is
// fine for `include`/`includer` (an empty conf.d) and an error for the strict variants.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/diag.h"

namespace vipd::conf {

struct Line {
  std::string text;       // comments removed; expansions applied
  SourceLoc loc;          // file and line of origin; loc.col is the column of text[0]
  bool expanded = false;  // text differs from the file (columns are then approximate)
  // A '{' written inside the line's comment (`vrrp_instance VI_1 # main {`) is ignored, by
  // keepalived too; the columns (1-based, 0 = none) let the brace errors say so.
  int comment_col = 0, comment_brace_col = 0;
};

// What an include pattern names, in the terms keepalived's include variants judge it by.
struct IncludeMatch {
  std::vector<std::string> files;    // regular, non-executable files, in glob order
  std::vector<std::string> skipped;  // matched but not such a file: "/d/ (directory)", ...
  int missing = 0;         // names or directories the pattern spells out that do not exist
  bool wildcards = false;  // a directory was read to match a wildcard
};

struct PreprocessOptions {
  std::string config_id;         // -i/--config-id; default: short host name
  uint64_t random_seed = 0;      // for ${_RANDOM}; keepalived's random_seed
  size_t max_lines = 2'000'000;  // bounds ~SEQ blow-ups (and fuzz inputs)
  int max_include_depth = 32;
  int max_includes = 10000;  // files included in total (a file that includes itself twice
                             // per level would otherwise grow exponentially)
  // keepalived's -e/--all-config: every include refuses what `includea` refuses, as if the
  // config began with `include_check`.
  bool check_all_includes = false;
  // Reads a file; tests and the fuzzer substitute an in-memory file system.
  std::function<bool(const std::string& path, std::string& out)> read_file;
  // Expands an include pattern (glob with braces); tests substitute their own.
  std::function<IncludeMatch(const std::string& pattern)> glob;
};

// Reads `path` and everything it includes. Problems are reported to `diags`; lines that could
// be read are returned even when there are errors, so every problem is reported in one run.
std::vector<Line> preprocessFile(const std::string& path, const PreprocessOptions& opts,
                                 Diagnostics& diags);
// The same for text already in memory (named `name` in diagnostics).
std::vector<Line> preprocessText(const std::string& name, const std::string& text,
                                 const PreprocessOptions& opts, Diagnostics& diags);

// The defaults: the real file system, glob(3) with GLOB_BRACE, and the short host name.
PreprocessOptions defaultPreprocessOptions();

}  // namespace vipd::conf
