#pragma once
// Test helpers: preprocess and load configs from an in-memory file system.

#include <map>
#include <string>

#include "conf/config.h"

namespace vipd::conf::testing {

struct MemFs {
  std::map<std::string, std::string> files;

  PreprocessOptions options(std::string config_id = "node1") const {
    PreprocessOptions o;
    o.config_id = std::move(config_id);
    o.random_seed = 42;
    o.read_file = [this](const std::string& path, std::string& out) {
      auto it = files.find(path);
      if (it == files.end())
        return false;
      out = it->second;
      return true;
    };
    // A small glob: exact names, or a trailing `*` in the last path component. A missing
    // exact name counts as missing, as glob's lstat would find it.
    o.glob = [this](const std::string& pattern) {
      IncludeMatch m;
      auto star = pattern.find('*');
      m.wildcards = star != std::string::npos;
      for (const auto& [path, text] : files) {
        if (star == std::string::npos
                ? path == pattern
                : path.rfind(pattern.substr(0, star), 0) == 0 &&
                      path.size() >= pattern.size() - 1 &&
                      path.substr(path.size() - (pattern.size() - star - 1)) ==
                          pattern.substr(star + 1)) {
          m.files.push_back(path);
        }
      }
      if (!m.wildcards && m.files.empty())
        m.missing = 1;
      return m;
    };
    return o;
  }
};

inline LoadResult load(const std::string& text, bool lenient = false) {
  MemFs fs;
  fs.files["/etc/vipd/vipd.conf"] = text;
  return loadFile("/etc/vipd/vipd.conf", fs.options(), lenient);
}

inline std::string lines(const std::vector<Line>& ls) {
  std::string out;
  for (const auto& l : ls) {
    size_t b = l.text.find_first_not_of(" \t");
    out += (b == std::string::npos ? "" : l.text.substr(b)) + "\n";
  }
  return out;
}

}  // namespace vipd::conf::testing
