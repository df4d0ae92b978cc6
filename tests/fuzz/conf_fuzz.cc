// libFuzzer target: the whole config front end (preprocess, tokenize, parse, bind, validate,
// print back) on arbitrary bytes, with includes served from memory. Any crash, hang,
// sanitizer report or failed round trip is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "conf/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  vipd::conf::PreprocessOptions o;
  o.config_id = "main";
  o.random_seed = 1;
  o.max_lines = 20000;
  o.max_includes = 50;
  o.read_file = [&](const std::string& path, std::string& out) {
    if (path != "/f/main.conf" && path != "/f/inc.conf")
      return false;
    out = text;
    return true;
  };
  o.glob = [](const std::string& p) {
    vipd::conf::IncludeMatch m;
    if (p == "/f/inc.conf")
      m.files.push_back(p);
    else
      m.missing = 1;
    return m;
  };
  auto r = vipd::conf::loadFile("/f/main.conf", o, false);
  if (!r.diags.hasErrors()) {
    // A config without errors must print back to something that parses to an equal model.
    std::string dumped = vipd::conf::dumpConfig(r.config);
    auto again = vipd::conf::loadText("/f/dump.conf", dumped, o, false);
    if (again.diags.hasErrors() || !(again.config == r.config))
      abort();
  }
  return 0;
}
