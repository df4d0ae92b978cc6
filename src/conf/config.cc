#include "conf/config.h"

#include "conf/ast.h"
#include "conf/resolutions.h"
#include "conf/tables.h"
#include "conf/validate.h"

namespace vipd::conf {
namespace {

// Takes the lines to free them before binding: the peak memory of loading thousands of
// instances is then the tree and the model, not also the text they came from.
void bindAndValidate(std::vector<Line> lines, LoadResult& r) {
  auto tree = parseTree(lines, r.diags);
  lines = {};
  Ctx ctx(r.diags);
  bindBlock(r.config, tree, configSchema(), ctx, "the top level");
  applyResolutions(r.config, r.diags);
  validate(r.config, r.diags);
}

}  // namespace

LoadResult loadFile(const std::string& path, const PreprocessOptions& opts, bool lenient,
                    const std::string* unchanged_from) {
  LoadResult r{Config{}, Diagnostics(lenient), false, {}, false};
  std::string probe;
  if (!opts.read_file(path, probe)) {
    r.file_missing = true;
    r.diags.error(SourceLoc{std::make_shared<const std::string>(path), 0, 0},
                  "cannot read configuration file");
    return r;
  }
  auto lines = preprocessText(path, probe, opts, r.diags);
  probe = {};
  // Blank lines and the spaces around a line's words do not change what it says.
  size_t size = 0;
  for (const auto& l : lines)
    size += l.text.size() + 1;
  r.text.reserve(size);
  for (const auto& l : lines) {
    const auto first = l.text.find_first_not_of(" \t\r");
    if (first == std::string::npos)
      continue;
    const auto last = l.text.find_last_not_of(" \t\r");
    r.text.append(l.text, first, last - first + 1);
    r.text += '\n';
  }
  if (unchanged_from && !r.diags.hasErrors() && *unchanged_from == r.text) {
    r.unchanged = true;
    return r;
  }
  bindAndValidate(std::move(lines), r);
  return r;
}

LoadResult loadText(const std::string& name, const std::string& text, const PreprocessOptions& opts,
                    bool lenient) {
  LoadResult r{Config{}, Diagnostics(lenient), false, {}, false};
  bindAndValidate(preprocessText(name, text, opts, r.diags), r);
  return r;
}

std::string dumpConfig(const Config& cfg) {
  Printer p;
  printBlock(cfg, configSchema(), p);
  return p.str();
}

}  // namespace vipd::conf
