#pragma once
// vipctl's views for people: aligned tables and sections, coloured on a terminal, plain
// when piped (or with NO_COLOR). Every view has a JSON twin (`vipctl json ...`), which is
// what scripts and tests read.

#include <nlohmann/json.hpp>
#include <string>

namespace vipctl {

struct Style {
  bool color = false;
};

std::string renderStatus(const nlohmann::json& result, const Style& s);
std::string renderShow(const nlohmann::json& result, const Style& s);
std::string renderExplain(const nlohmann::json& result, const Style& s);
std::string renderReload(const nlohmann::json& result, const Style& s);
std::string renderVirtualServers(const nlohmann::json& result, const Style& s);
// "1.2 s", "3 min 4 s", "2 h 5 min"
std::string humanDuration(int64_t ms);

}  // namespace vipctl
