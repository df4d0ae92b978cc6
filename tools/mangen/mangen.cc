// Writes vipd(8) and vipd.conf(5) from the code's own tables, so the pages cannot drift from
// what vipd accepts: the command-line flags (daemon/options.cc) and every keyword of every
// block (conf/tables_*.cc). The words for each keyword come from docs/man/keywords.txt;
// `--check` fails when a keyword of the tables has no entry there, or an entry names a
// keyword the tables do not have.
//   vipd-mangen vipd.8 DOCS_DIR > vipd.8
//   vipd-mangen vipd.conf.5 DOCS_DIR > vipd.conf.5
//   vipd-mangen --check DOCS_DIR
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conf/tables.h"
#include "daemon/options.h"

namespace {

using vipd::conf::CheckerKind;

// Keywords described together (synonyms, a family of no-op keywords) share one text.
struct Group {
  std::vector<std::string> synopses;  // each keyword with its arguments, as in a config
  std::string text;
};

struct Section {
  std::vector<Group> groups;            // in the file's order, which is the page's
  std::map<std::string, size_t> index;  // keyword -> group
};

// [block] -> its keywords, from docs/man/keywords.txt.
using Docs = std::map<std::string, Section>;

// The file: `[block]` headers; a group is one or more lines starting with a keyword (the rest
// of the line is its arguments) followed by indented lines of description; `#` comments.
Docs readDocs(const std::string& path, std::vector<std::string>& errors) {
  Docs docs;
  std::ifstream in(path);
  if (!in)
    errors.push_back("cannot read " + path);
  std::string line, block;
  Group* cur = nullptr;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#')
      continue;
    if (line[0] == '[') {
      block = line.substr(1, line.find(']') - 1);
      cur = nullptr;
      continue;
    }
    Section& sec = docs[block];
    if (line[0] == ' ') {
      if (!cur) {
        errors.push_back(fmt::format("{}:{}: description without a keyword", path, n));
        continue;
      }
      auto b = line.find_first_not_of(' ');
      cur->text += (cur->text.empty() ? "" : " ") + line.substr(b);
      continue;
    }
    if (!cur || !cur->text.empty()) {
      sec.groups.emplace_back();
      cur = &sec.groups.back();
    }
    std::string key = line.substr(0, line.find(' '));
    if (!sec.index.emplace(key, sec.groups.size() - 1).second)
      errors.push_back(fmt::format("{}:{}: [{}] {} is described twice", path, n, block, key));
    cur->synopses.push_back(line);
  }
  for (const auto& [name, sec] : docs) {
    for (const auto& g : sec.groups) {
      if (g.text.empty())
        errors.push_back(fmt::format("[{}] {}: no description", name, g.synopses.front()));
    }
  }
  return docs;
}

struct Block {
  std::string name;                   // as in keywords.txt
  std::vector<std::string> fallback;  // sections whose entries also count, in order
  std::string title;
  std::vector<std::string> keywords;
};

template <class T>
std::vector<std::string> names(const vipd::conf::Schema<T>& s) {
  std::vector<std::string> out;
  for (const auto& row : s)
    out.emplace_back(row.name);
  return out;
}

const char* kCheckerNames[] = {"HTTP_GET",  "SSL_GET",   "TCP_CHECK",  "MISC_CHECK", "SMTP_CHECK",
                               "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK"};

std::vector<Block> blocks() {
  using namespace vipd::conf;
  std::vector<Block> out = {
      {"top", {}, "The top level", names(configSchema())},
      {"global_defs", {}, "global_defs", names(globalDefsSchema())},
      {"vrrp_script", {}, "vrrp_script NAME", names(vrrpScriptSchema())},
      {"vrrp_track_process", {}, "vrrp_track_process NAME", names(trackProcessSchema())},
      {"track_file", {}, "track_file NAME", names(trackFileSchema())},
      {"vrrp_sync_group", {}, "vrrp_sync_group NAME", names(syncGroupSchema())},
      {"vrrp_instance", {}, "vrrp_instance NAME", names(vrrpInstanceSchema())},
      {"authentication", {}, "authentication (in vrrp_instance)", names(authenticationSchema())},
      {"bfd_instance", {}, "bfd_instance NAME", names(bfdInstanceSchema())},
      {"virtual_server",
       {},
       "virtual_server ADDRESS PORT | fwmark N | group NAME",
       names(virtualServerSchema())},
      {"real_server",
       {},
       "real_server ADDRESS [PORT] (in virtual_server)",
       names(realServerSchema())},
  };
  out.push_back({"checker", {}, "Every checker (unless said otherwise)", {}});
  for (int k = 0; k < 10; ++k) {
    auto kind = static_cast<CheckerKind>(k);
    std::vector<std::string> fallback = {"checker"};
    if (kind == CheckerKind::kSslGet)
      fallback.insert(fallback.begin(), "HTTP_GET");  // SSL_GET is HTTP_GET over TLS
    out.push_back({kCheckerNames[k], fallback, std::string(kCheckerNames[k]) + " (in real_server)",
                   names(checkerSchema(kind))});
  }
  out.push_back({"url", {}, "url (in HTTP_GET and SSL_GET)", names(httpUrlSchema())});
  out.push_back({"SSL", {}, "SSL (the client side of SSL_GET)", names(sslSchema())});
  return out;
}

// The section describing `key` in block `b`: its own, else its fallback; "" = none.
std::string findSection(const Docs& docs, const Block& b, const std::string& key) {
  std::vector<std::string> order = {b.name};
  order.insert(order.end(), b.fallback.begin(), b.fallback.end());
  for (const auto& section : order) {
    auto s = docs.find(section);
    if (s != docs.end() && s->second.index.count(key))
      return section;
  }
  return "";
}

int check(const Docs& docs, std::vector<std::string> errors) {
  std::set<std::pair<std::string, std::string>> used;
  size_t count = 0;
  for (const auto& b : blocks()) {
    for (const auto& k : b.keywords) {
      std::string sec = findSection(docs, b, k);
      if (sec.empty()) {
        errors.push_back(fmt::format(
            "[{}] {}: the keyword is in the tables but not in keywords.txt", b.name, k));
        continue;
      }
      used.emplace(sec, k);
      ++count;
    }
  }
  for (const auto& [block, sec] : docs) {
    for (const auto& [key, g] : sec.index) {
      if (!used.count({block, key})) {
        errors.push_back(
            fmt::format("[{}] {}: described in keywords.txt but no such keyword in "
                        "the tables",
                        block, key));
      }
    }
  }
  for (const auto& e : errors)
    std::cerr << e << "\n";
  if (!errors.empty())
    return 1;
  std::cout << "keywords.txt describes all " << count << " keywords of the tables\n";
  return 0;
}

// roff: a leading '.' or '\'' would be a request; backslashes are escapes.
std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\''))
    out = "\\&" + out;
  return out;
}

std::string header(const std::string& name, int section, const std::string& what) {
  return fmt::format(".TH {} {} \"\" \"vipd {}\" \"{}\"\n", name, section, VIPD_VERSION, what);
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void vipdPage(const std::string& docs_dir) {
  std::cout << header("VIPD", 8, "System Administration")
            << ".SH NAME\nvipd \\- VRRP routers and health-checked load balancing, reading "
               "keepalived.conf\n"
            << ".SH SYNOPSIS\n.B vipd\n[\\fIOPTION\\fR...]\n"
            << readText(docs_dir + "/vipd.8.head") << ".SH OPTIONS\n";
  std::string compat;
  for (const auto& f : vipd::daemon::flagDocs()) {
    if (f.help.empty()) {
      compat += (compat.empty() ? "" : ", ") + esc(f.synopsis().substr(f.short_name ? 0 : 4));
      continue;
    }
    std::cout << ".TP\n.B " << esc(f.synopsis()) << "\n" << esc(std::string(f.help)) << "\n";
  }
  std::cout << ".PP\nAccepted for compatibility with keepalived, without effect: " << compat
            << ".\n"
            << readText(docs_dir + "/vipd.8.tail");
}

void confPage(const Docs& docs, const std::string& docs_dir) {
  std::cout << header("VIPD.CONF", 5, "File Formats")
            << ".SH NAME\nvipd.conf \\- vipd's configuration: keepalived.conf, unchanged\n"
            << readText(docs_dir + "/vipd.conf.5.head") << ".SH KEYWORDS\n";
  for (const auto& b : blocks()) {
    auto sec = docs.find(b.name);
    if (sec == docs.end())
      continue;
    std::cout << ".SS " << esc(b.title) << "\n";
    if (sec->second.groups.empty())
      std::cout << "No options of its own: those of every checker.\n";
    for (const auto& g : sec->second.groups) {
      for (size_t i = 0; i < g.synopses.size(); ++i)
        std::cout << (i == 0 ? ".TP\n.B " : ".TQ\n.B ") << esc(g.synopses[i]) << "\n";
      std::cout << esc(g.text) << "\n";
    }
  }
  std::cout << readText(docs_dir + "/vipd.conf.5.tail");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: vipd-mangen vipd.8|vipd.conf.5|--check DOCS_DIR\n";
    return 2;
  }
  std::string what = argv[1], dir = argv[2];
  std::vector<std::string> errors;
  Docs docs = readDocs(dir + "/keywords.txt", errors);
  if (what == "--check")
    return check(docs, errors);
  if (!errors.empty()) {
    for (const auto& e : errors)
      std::cerr << e << "\n";
    return 1;
  }
  if (what == "vipd.8") {
    vipdPage(dir);
  } else if (what == "vipd.conf.5") {
    confPage(docs, dir);
  } else {
    std::cerr << "vipd-mangen: unknown page " << what << "\n";
    return 2;
  }
  return 0;
}
