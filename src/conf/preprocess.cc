#include "conf/preprocess.h"

#include <dirent.h>
#include <fmt/format.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "base/text.h"

namespace vipd::conf {
namespace {

constexpr int kMaxExpansionDepth = 32;
constexpr size_t kMaxLineLength = 1 << 20;

bool isNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool isNameChar(char c) {
  return isNameStart(c) || (c >= '0' && c <= '9');
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && isSpace(s[b]))
    ++b;
  while (e > b && isSpace(s[e - 1]))
    --e;
  return std::string(s.substr(b, e - b));
}

// Removes a `#` or `!` comment that starts outside quotes. Inside quotes a backslash escapes
// the next character, so `"a\"#b"` keeps its `#`.
std::string stripComment(const std::string& raw, size_t* comment_at = nullptr) {
  char quote = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' || c == '!') {
      if (comment_at)
        *comment_at = i;
      return raw.substr(0, i);
    }
  }
  return raw;
}

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

bool hasWildcard(const std::string& p) {
  return p.find_first_of("*?[{") != std::string::npos;
}

struct Param {
  std::string value;  // multi-line values hold '\n' between lines
};

class Preprocessor {
 public:
  Preprocessor(const PreprocessOptions& opts, Diagnostics& diags)
      : opts_(opts),
        diags_(diags),
        rng_(opts.random_seed),
        include_check_(opts.check_all_includes ? kRead | kMatch | kWildcard | kBrace : 0u) {}

  void runFile(const std::string& path) {
    std::string text;
    if (!opts_.read_file(path, text)) {
      diags_.error(SourceLoc{std::make_shared<const std::string>(path), 0, 0},
                   "cannot read configuration file");
      return;
    }
    runText(path, text);
  }

  void runText(const std::string& name, const std::string& text) {
    auto file = std::make_shared<const std::string>(name);
    dirs_.push_back(dirOf(name));
    std::istringstream in(text);
    std::string raw;
    std::vector<std::string> raws;
    while (std::getline(in, raw))
      raws.push_back(std::move(raw));
    for (size_t i = 0; i < raws.size() && !aborted_; ++i) {
      SourceLoc loc{file, static_cast<int>(i + 1), 1};
      size_t comment_at = std::string::npos;
      std::string text_line = stripComment(raws[i], &comment_at);
      comment_col_ = comment_brace_col_ = 0;
      if (comment_at != std::string::npos) {
        comment_col_ = static_cast<int>(comment_at) + 1;
        auto brace = raws[i].find('{', comment_at);
        if (brace != std::string::npos)
          comment_brace_col_ = static_cast<int>(brace) + 1;
      }
      // A multi-line definition swallows the following lines up to one without a trailing '\'.
      if (isMultiLineDefinition(text_line)) {
        std::string joined = trim(text_line);
        joined.pop_back();
        while (i + 1 < raws.size()) {
          std::string next = trim(stripComment(raws[i + 1]));
          ++i;
          if (next.empty())
            continue;  // blank lines inside a macro are allowed
          bool more = next.back() == '\\';
          if (more)
            next = trim(next.substr(0, next.size() - 1));
          joined += '\n';
          joined += next;
          if (!more)
            break;
        }
        text_line = joined;
      }
      processLine(text_line, loc, 0, false);
    }
    dirs_.pop_back();
  }

  std::vector<Line> take() { return std::move(out_); }

 private:
  bool isMultiLineDefinition(const std::string& line) {
    std::string t = trim(line);
    size_t name_end = 0;
    return parseDefinitionName(t, name_end) && !t.empty() && t.back() == '\\';
  }

  // `$NAME=` at the start (after whitespace); sets name_end to the index of '='.
  static bool parseDefinitionName(const std::string& t, size_t& eq) {
    if (t.size() < 3 || t[0] != '$' || !isNameStart(t[1]))
      return false;
    size_t i = 2;
    while (i < t.size() && isNameChar(t[i]))
      ++i;
    if (i >= t.size() || t[i] != '=')
      return false;
    eq = i;
    return true;
  }

  void processLine(std::string text, const SourceLoc& loc, int depth, bool expanded) {
    if (aborted_)
      return;
    if (depth > kMaxExpansionDepth) {
      diags_.error(loc, "parameter expansion or repetition nested too deeply");
      return;
    }
    size_t first = 0;
    while (first < text.size() && isSpace(text[first]))
      ++first;
    if (first == text.size())
      return;

    // Conditional line: `@id rest` or `@^id rest`. Blank the prefix so columns stay exact.
    if (text[first] == '@') {
      size_t end = first + 1;
      while (end < text.size() && !isSpace(text[end]))
        ++end;
      std::string id = text.substr(first + 1, end - first - 1);
      bool negate = !id.empty() && id[0] == '^';
      if (negate)
        id.erase(0, 1);
      if ((id == opts_.config_id) == negate)
        return;
      for (size_t k = first; k < end; ++k)
        text[k] = ' ';
      return processLine(std::move(text), loc, depth, expanded);
    }

    std::string t = trim(text);
    size_t eq = 0;
    if (parseDefinitionName(t, eq)) {
      std::string name = t.substr(1, eq - 1);
      std::string value = t.substr(eq + 1);
      if (value.find('\n') == std::string::npos)
        value = trim(value);
      // A multi-line value begins after the `\` that followed `=`.
      if (!value.empty() && value[0] == '\n')
        value.erase(0, 1);
      params_[name] = Param{value};
      return;
    }

    if (t.rfind("~SEQ", 0) == 0 || t.rfind("~LST", 0) == 0) {
      return repeatLine(t, loc, depth);
    }

    bool changed = false;
    std::string result = expand(text, loc, 0, changed);
    if (changed) {
      if (result.find('\n') != std::string::npos) {
        std::istringstream in(result);
        std::string part;
        while (std::getline(in, part))
          processLine(part, loc, depth + 1, true);
        return;
      }
      return processLine(result, loc, depth + 1, true);
    }

    if (handleInclude(t, loc, depth))
      return;
    if (out_.size() >= opts_.max_lines) {
      diags_.error(loc,
                   fmt::format("configuration expands to more than {} lines", opts_.max_lines));
      aborted_ = true;
      return;
    }
    SourceLoc at = loc;
    at.col = expanded ? 1 : loc.col;
    Line line{std::move(text), at, expanded};
    if (!expanded && depth == 0) {
      line.comment_col = comment_col_;
      line.comment_brace_col = comment_brace_col_;
    }
    out_.push_back(std::move(line));
  }

  // Expands `${NAME}`, `${_PREDEFINED args}` and `$NAME` (followed by whitespace or end).
  // Undefined names stay as written, as keepalived leaves them (a `$` in a script survives).
  std::string expand(const std::string& s, const SourceLoc& loc, int depth, bool& changed) {
    if (depth > kMaxExpansionDepth) {
      diags_.error(loc, "parameter expansion nested too deeply (recursive definition?)");
      return s;
    }
    std::string out;
    bool any = false;
    for (size_t i = 0; i < s.size();) {
      if (s[i] != '$' || i + 1 >= s.size()) {
        out += s[i++];
        continue;
      }
      if (s[i + 1] == '{') {
        size_t close = s.find('}', i + 2);
        if (close != std::string::npos) {
          std::string inner = s.substr(i + 2, close - i - 2);
          std::string value;
          if (lookup(inner, loc, value)) {
            out += value;
            any = true;
            i = close + 1;
            continue;
          }
        }
        out += s[i++];
        continue;
      }
      if (isNameStart(s[i + 1])) {
        size_t e = i + 1;
        while (e < s.size() && isNameChar(s[e]))
          ++e;
        if (e == s.size() || isSpace(s[e])) {
          auto it = params_.find(s.substr(i + 1, e - i - 1));
          if (it != params_.end()) {
            out += it->second.value;
            any = true;
            i = e;
            continue;
          }
        }
      }
      out += s[i++];
    }
    if (out.size() > kMaxLineLength) {
      diags_.error(loc, "parameter expansion produces a line longer than 1 MiB");
      aborted_ = true;
      return s;
    }
    if (!any)
      return s;
    changed = true;
    bool again = false;
    std::string deeper = expand(out, loc, depth + 1, again);
    return again ? deeper : out;
  }

  bool lookup(const std::string& inner, const SourceLoc& loc, std::string& value) {
    std::istringstream words(inner);
    std::string name;
    words >> name;
    if (name == "_PWD") {
      value = dirs_.empty() ? "." : dirs_.back();
    } else if (name == "_INSTANCE") {
      value = opts_.config_id;
    } else if (name == "_HASH") {
      value = "#";
    } else if (name == "_BANG") {
      value = "!";
    } else if (name == "_ENV") {
      std::string var;
      words >> var;
      const char* v = var.empty() ? nullptr : getenv(var.c_str());
      value = v ? v : "";
    } else if (name == "_RANDOM") {
      std::string lo_s, hi_s;
      words >> lo_s >> hi_s;
      auto lo = lo_s.empty() ? std::optional<int64_t>(0) : parseInt(lo_s);
      auto hi = hi_s.empty() ? std::optional<int64_t>(32767) : parseInt(hi_s);
      if (!lo || !hi || *lo < 0 || *hi < *lo) {
        diags_.error(loc, "bad ${_RANDOM [MIN [MAX]]} range");
        return false;
      }
      std::uniform_int_distribution<int64_t> dist(*lo, *hi);
      value = std::to_string(dist(rng_));
    } else if (inner.find(' ') == std::string::npos) {
      auto it = params_.find(inner);
      if (it == params_.end())
        return false;
      value = it->second.value;
    } else {
      return false;
    }
    return true;
  }

  // ~SEQ(var[, start[, step]], end), ~SEQx(...) and ~LST(var|{vars}, values|{values}...).
  void repeatLine(const std::string& t, const SourceLoc& loc, int depth) {
    bool hex = t.rfind("~SEQx(", 0) == 0;
    bool list = t.rfind("~LST(", 0) == 0;
    size_t open = t.find('(');
    if (open == std::string::npos || (!list && !hex && t.rfind("~SEQ(", 0) != 0)) {
      diags_.error(loc, "expected ~SEQ(...), ~SEQx(...) or ~LST(...)");
      return;
    }
    // Find the matching ')' while skipping braces of ~LST groups.
    int nest = 0;
    size_t close = std::string::npos;
    for (size_t i = open; i < t.size(); ++i) {
      if (t[i] == '(' || t[i] == '{')
        ++nest;
      if (t[i] == ')' || t[i] == '}')
        --nest;
      if (nest == 0) {
        close = i;
        break;
      }
    }
    if (close == std::string::npos || t[close] != ')') {
      diags_.error(loc, "unterminated repetition: missing ')'");
      return;
    }
    auto items = splitTopLevel(t.substr(open + 1, close - open - 1));
    std::string rest = t.substr(close + 1);
    if (list)
      return repeatList(items, rest, loc, depth);
    repeatSequence(items, hex, rest, loc, depth);
  }

  static std::vector<std::string> splitTopLevel(const std::string& s) {
    std::vector<std::string> out;
    int nest = 0;
    std::string cur;
    for (char c : s) {
      if (c == '{')
        ++nest;
      if (c == '}')
        --nest;
      if (c == ',' && nest == 0) {
        out.push_back(trim(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    out.push_back(trim(cur));
    return out;
  }

  static std::vector<std::string> groupItems(const std::string& s) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      return splitTopLevel(s.substr(1, s.size() - 2));
    }
    return {s};
  }

  void withBindings(const std::vector<std::string>& vars, const std::vector<std::string>& vals,
                    const std::string& rest, const SourceLoc& loc, int depth) {
    std::map<std::string, std::optional<Param>> saved;
    for (size_t k = 0; k < vars.size(); ++k) {
      auto it = params_.find(vars[k]);
      saved.emplace(vars[k], it == params_.end() ? std::nullopt : std::optional(it->second));
      params_[vars[k]] = Param{vals[k]};
    }
    processLine(rest, loc, depth + 1, true);
    for (auto& [name, old] : saved) {
      if (old) {
        params_[name] = *old;
      } else {
        params_.erase(name);
      }
    }
  }

  void repeatList(const std::vector<std::string>& items, const std::string& rest,
                  const SourceLoc& loc, int depth) {
    if (items.size() < 2) {
      diags_.error(loc, "~LST needs a variable and at least one value");
      return;
    }
    auto vars = groupItems(items[0]);
    for (size_t i = 1; i < items.size() && !aborted_; ++i) {
      auto vals = groupItems(items[i]);
      if (vals.size() != vars.size()) {
        diags_.error(loc, fmt::format("~LST value group {} has {} values for {} variables", i,
                                      vals.size(), vars.size()));
        return;
      }
      withBindings(vars, vals, rest, loc, depth);
    }
  }

  void repeatSequence(const std::vector<std::string>& items, bool hex, const std::string& rest,
                      const SourceLoc& loc, int depth) {
    if (items.size() < 2 || items.size() > 4 || items[0].empty()) {
      diags_.error(loc, "~SEQ takes (var, end), (var, start, end) or (var, start, step, end)");
      return;
    }
    std::vector<int64_t> nums;
    for (size_t i = 1; i < items.size(); ++i) {
      auto v = parseInt(items[i], true);
      if (!v) {
        diags_.error(loc, fmt::format("~SEQ: '{}' is not an integer", items[i]));
        return;
      }
      nums.push_back(*v);
    }
    int64_t start = 0, step = 0, end = nums.back();
    if (nums.size() == 1) {
      start = end > 0 ? 1 : -1;
    } else {
      start = nums[0];
    }
    step = nums.size() == 3 ? nums[1] : (end >= start ? 1 : -1);
    if (step == 0) {
      diags_.error(loc, "~SEQ: step must not be 0");
      return;
    }
    for (int64_t v = start; step > 0 ? v <= end : v >= end; v += step) {
      if (aborted_)
        return;
      withBindings({items[0]}, {hex ? fmt::format("{:x}", v) : std::to_string(v)}, rest, loc,
                   depth);
    }
  }

  // keepalived's include checks (its parser.c): what makes an include an error rather than a
  // logged skip. `include` has none, `includer` R, `includem` R|M, `includew` R|M|W,
  // `includeb` R|B, `includea` all; `include_check` adds to every include after it.
  static constexpr unsigned kRead = 1;      // a match that is a directory or not a regular,
                                            // non-executable file
  static constexpr unsigned kMatch = 2;     // a file or directory the pattern spells out is missing
  static constexpr unsigned kWildcard = 4;  // a wildcard matches nothing
  static constexpr unsigned kBrace = 8;     // some alternatives of a {a,b} pattern are missing

  // `include_check [[+|-]read|match|wildcard_match|brace_match ...]` (global_defs in
  // keepalived, which reads in one pass: it applies to the includes after it).
  void noteIncludeCheck(const std::string& t, const SourceLoc& loc) {
    std::istringstream in(t);
    std::string word;
    in >> word;
    if (word != "include_check")
      return;
    std::vector<std::string> words;
    while (in >> word)
      words.push_back(word);
    if (words.empty()) {
      include_check_ = kRead | kMatch | kWildcard | kBrace;
      return;
    }
    for (size_t k = 0; k < words.size(); ++k) {
      std::string w = words[k];
      char op = (w[0] == '+' || w[0] == '-') ? w[0] : 0;
      if (op)
        w.erase(0, 1);
      unsigned flag = w == "read"             ? kRead
                      : w == "match"          ? kMatch
                      : w == "wildcard_match" ? kWildcard
                      : w == "brace_match"    ? kBrace
                                              : 0;
      if (!flag) {
        diags_.error(loc, fmt::format("include_check: unknown check '{}' (read, match, "
                                      "wildcard_match, brace_match)",
                                      w));
      } else if (op == '+') {
        include_check_ |= flag;
      } else if (op == '-') {
        include_check_ &= ~flag;
      } else if (k == 0) {
        include_check_ = kRead | flag;
      } else {
        diags_.error(loc,
                     fmt::format("include_check: '{}' without + or - after the first check", w));
      }
    }
  }

  // An include problem: an error when the include's checks cover it, else a warning and the
  // file is skipped, as keepalived logs and skips it.
  void includeProblem(unsigned checks, unsigned cls, const SourceLoc& loc, const std::string& msg) {
    if (checks & cls) {
      diags_.error(loc, msg);
      return;
    }
    const char* stricter = cls == kRead    ? "includer"
                           : cls == kMatch ? "includem"
                           : cls == kBrace ? "includeb"
                                           : "includew";
    diags_.warning(
        loc, fmt::format("{}; skipped, as keepalived does ({} would refuse it)", msg, stricter));
  }

  bool handleInclude(const std::string& t, const SourceLoc& loc, int depth) {
    static const std::pair<const char*, unsigned> kinds[] = {
        {"include", 0},
        {"includer", kRead},
        {"includem", kRead | kMatch},
        {"includew", kRead | kMatch | kWildcard},
        {"includeb", kRead | kBrace},
        {"includea", kRead | kMatch | kWildcard | kBrace}};
    size_t sp = 0;
    while (sp < t.size() && !isSpace(t[sp]))
      ++sp;
    std::string word = t.substr(0, sp);
    const std::pair<const char*, unsigned>* kind = nullptr;
    for (const auto& k : kinds) {
      if (word == k.first)
        kind = &k;
    }
    if (!kind) {
      noteIncludeCheck(t, loc);
      return false;
    }
    const unsigned checks = kind->second | include_check_;
    std::string pattern = trim(t.substr(sp));
    if (pattern.size() >= 2 && (pattern.front() == '"' || pattern.front() == '\'') &&
        pattern.back() == pattern.front()) {
      pattern = pattern.substr(1, pattern.size() - 2);
    }
    if (pattern.empty()) {
      diags_.error(loc, fmt::format("'{}' needs a file name", word));
      return true;
    }
    if (static_cast<int>(dirs_.size()) > opts_.max_include_depth) {
      diags_.error(loc, "includes nested too deeply (an include loop?)");
      return true;
    }
    std::string full = pattern[0] == '/' ? pattern : dirs_.back() + "/" + pattern;
    IncludeMatch m = opts_.glob(full);
    const bool brace = full.find('{') != std::string::npos;
    if (m.files.empty() && m.skipped.empty()) {
      if (m.missing > 0) {
        includeProblem(checks, brace ? kBrace : kMatch, loc,
                       hasWildcard(full)
                           ? fmt::format("'{}': a file or directory it names does not exist", full)
                           : fmt::format("included file '{}' does not exist", full));
      } else if (m.wildcards && (checks & kWildcard)) {
        diags_.error(loc, fmt::format("'{}' matches no file", full));
      }
      return true;
    }
    if (m.missing > 0) {
      includeProblem(checks, kBrace, loc,
                     fmt::format("'{}': some of the files it names do not exist", full));
      if (checks & kBrace)
        return true;
    }
    for (const auto& what : m.skipped)
      includeProblem(checks, kRead, loc, fmt::format("included '{}' is not a file to read", what));
    for (const auto& path : m.files) {
      if (++includes_ > opts_.max_includes) {
        diags_.error(loc, fmt::format("more than {} files included in total (an include loop?)",
                                      opts_.max_includes));
        aborted_ = true;
        return true;
      }
      std::string text;
      if (!opts_.read_file(path, text)) {
        includeProblem(checks, kRead, loc, fmt::format("cannot read included file '{}'", path));
        continue;
      }
      (void)depth;
      runText(path, text);
    }
    return true;
  }

  const PreprocessOptions& opts_;
  Diagnostics& diags_;
  std::mt19937_64 rng_;
  std::map<std::string, Param> params_;
  std::vector<std::string> dirs_;
  std::vector<Line> out_;
  int comment_col_ = 0, comment_brace_col_ = 0;  // of the raw line being processed
  unsigned include_check_ = 0;                   // IncludeCheck bits from include_check
  bool aborted_ = false;
  int includes_ = 0;
};

// glob(3) with keepalived's view of a pattern: GLOB_ALTDIRFUNC lets us count the names the
// pattern spells out that are missing (a failed lstat) and the directories read for a
// wildcard (an opendir, failing when the directory is missing). glob calls them on this
// thread only, hence thread_local counters.
thread_local int glob_missing = 0;
thread_local bool glob_wildcards = false;

IncludeMatch globInclude(const std::string& pattern) {
  IncludeMatch m;
  glob_t g{};
  g.gl_opendir = [](const char* name) -> void* {
    glob_wildcards = true;
    DIR* d = opendir(name);
    if (!d)
      ++glob_missing;
    return d;
  };
  g.gl_readdir = [](void* d) { return readdir(static_cast<DIR*>(d)); };
  g.gl_closedir = [](void* d) { closedir(static_cast<DIR*>(d)); };
  g.gl_lstat = [](const char* path, struct stat* st) {
    int r = lstat(path, st);
    if (r != 0)
      ++glob_missing;
    return r;
  };
  g.gl_stat = [](const char* path, struct stat* st) { return stat(path, st); };
  glob_missing = 0;
  glob_wildcards = false;
  if (::glob(pattern.c_str(), GLOB_BRACE | GLOB_MARK | GLOB_ALTDIRFUNC, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string path = g.gl_pathv[i];
      struct stat st {};
      if (!path.empty() && path.back() == '/') {
        m.skipped.push_back(path + " (a directory)");
      } else if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
                 (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
        m.skipped.push_back(path + " (not a regular, non-executable file)");
      } else {
        m.files.push_back(std::move(path));
      }
    }
  }
  globfree(&g);
  m.missing = glob_missing;
  m.wildcards = glob_wildcards;
  return m;
}

}  // namespace

PreprocessOptions defaultPreprocessOptions() {
  PreprocessOptions o;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) {
    o.config_id = host;
    auto dot = o.config_id.find('.');
    if (dot != std::string::npos)
      o.config_id.resize(dot);
  }
  o.random_seed = std::random_device{}();
  o.read_file = [](const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return !in.bad();
  };
  o.glob = globInclude;
  return o;
}

std::vector<Line> preprocessFile(const std::string& path, const PreprocessOptions& opts,
                                 Diagnostics& diags) {
  Preprocessor p(opts, diags);
  p.runFile(path);
  return p.take();
}

std::vector<Line> preprocessText(const std::string& name, const std::string& text,
                                 const PreprocessOptions& opts, Diagnostics& diags) {
  Preprocessor p(opts, diags);
  p.runText(name, text);
  return p.take();
}

}  // namespace vipd::conf
