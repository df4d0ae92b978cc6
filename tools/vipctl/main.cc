// vipctl: the operator's view of a running vipd, over its control socket
// (docs/design/control-protocol.md). Subcommands come from the protocol's command table.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "ctl/protocol.h"
#include "vipctl/render.h"

namespace {

using nlohmann::json;

std::string completionScript() {
  std::string words;
  for (const auto& c : vipd::ctl::kCommands)
    words += std::string(c.name) + " ";
  words += "json watch completion";
  std::string with_instance;
  for (const auto& c : vipd::ctl::kCommands) {
    if (c.takes_instance)
      with_instance += std::string(with_instance.empty() ? "" : "|") + std::string(c.name);
  }
  return "# bash completion for vipctl: source <(vipctl completion bash)\n"
         "_vipctl() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  case $prev in\n"
         "    " +
         with_instance +
         ")\n"
         "      COMPREPLY=($(compgen -W \"$(vipctl json status 2>/dev/null | "
         "sed -n 's/.*\"name\":\"\\([^\"]*\\)\".*/\\1/p')\" -- \"$cur\")); return ;;\n"
         "    rs) COMPREPLY=($(compgen -W \"drain enable weight\" -- \"$cur\")); return ;;\n"
         "    drain|enable|weight)\n"
         "      COMPREPLY=($(compgen -W \"$(vipctl json vs 2>/dev/null | "
         "grep -o '\"name\": *\"[^\"]*\"' | sed 's/.*\"\\([^\"]*\\)\"$/\\1/' | "
         "sort -u)\" -- \"$cur\")); return ;;\n"
         "    json) COMPREPLY=($(compgen -W \"" +
         words +
         "\" -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  COMPREPLY=($(compgen -W \"" +
         words +
         "\" -- \"$cur\"))\n"
         "}\n"
         "complete -F _vipctl vipctl\n";
}

// roff text: '-' is a hyphen unless escaped, '\\' starts an escape.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  return out;
}

// vipctl(8), written from the same CLI11 tree that parses the command line (and through it
// from the protocol's command table), so the page cannot drift from the program.
std::string manPage(CLI::App& app) {
  std::string out = ".TH VIPCTL 8 \"\" \"vipd\" \"System Administration\"\n";
  std::string what = app.get_description();
  if (what.rfind("vipctl: ", 0) == 0)
    what.erase(0, 8);
  out += ".SH NAME\nvipctl \\- " + roff(what) + "\n";
  out += ".SH SYNOPSIS\n.B vipctl\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n";
  out +=
      ".SH DESCRIPTION\nvipctl talks to a running vipd over its control socket (a versioned JSON "
      "protocol; root, or the group named by global_defs control_socket_group). Every view is "
      "also available as JSON with \\fB\\-j\\fR or \\fBvipctl json\\fR.\n.SH OPTIONS\n";
  for (const auto* opt : app.get_options()) {
    if (opt->get_name() == "--help")
      continue;
    out +=
        ".TP\n.B " + roff(opt->get_name(false, true)) + "\n" + roff(opt->get_description()) + "\n";
  }
  out += ".SH COMMANDS\n";
  for (const auto* sub : app.get_subcommands([](CLI::App* a) { return !a->get_group().empty(); })) {
    std::string synopsis = sub->get_name();
    for (const auto* opt : sub->get_options()) {
      if (opt->get_positional())
        synopsis += " " + (opt->get_name() == "instance" ? "INSTANCE" : opt->get_description());
      else if (opt->get_name() != "--help")
        synopsis += " [" + opt->get_name(false, true) + "]";
    }
    out += ".TP\n.B " + roff(synopsis) + "\n" + roff(sub->get_description()) + "\n";
  }
  out +=
      ".SH EXIT STATUS\n0 on success; 1 when the daemon refuses the request or cannot be "
      "reached; another non-zero status on a usage error.\n.SH SEE ALSO\n.BR vipd (8),\n.BR "
      "vipd.conf (5)\n";
  return out;
}

int show(const json& resp, const std::string& cmd, bool as_json, const vipctl::Style& style) {
  if (as_json) {
    std::cout << resp.dump(2) << "\n";
    return resp.value("ok", false) ? 0 : 1;
  }
  if (!resp.value("ok", false)) {
    std::cerr << "vipctl: " << resp.value("error", std::string("failed")) << "\n";
    if (resp.contains("diagnostics")) {
      for (const auto& d : resp["diagnostics"])
        std::cerr << "  " << d.get<std::string>() << "\n";
    }
    return 1;
  }
  const json& r = resp["result"];
  if (cmd == "status")
    std::cout << vipctl::renderStatus(r, style);
  else if (cmd == "show")
    std::cout << vipctl::renderShow(r, style);
  else if (cmd == "explain" && r.contains("real_server"))
    std::cout << r.value("summary", std::string()) << "\n";
  else if (cmd == "explain")
    std::cout << vipctl::renderExplain(r, style);
  else if (cmd == "reload")
    std::cout << vipctl::renderReload(r, style);
  else if (cmd == "vs")
    std::cout << vipctl::renderVirtualServers(r, style);
  else if (cmd == "rs")
    std::cout << r.value("summary", std::string()) << "\n";
  else
    std::cout << r.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vipctl: status, explanations and reload of a running vipd"};
  app.require_subcommand(1);
  std::string socket;
  std::string ns;
  bool as_json = false;
  app.add_option("-S,--socket", socket, "control socket (default /run/vipd.sock)");
  app.add_option("-s,--namespace", ns, "the vipd started with -s NAME");
  app.add_flag("-j,--json", as_json, "print the JSON reply instead of the view");

  std::map<std::string, std::string> instance_of;
  std::map<std::string, std::vector<std::string>> args_of;
  for (const auto& c : vipd::ctl::kCommands) {
    auto* sub = app.add_subcommand(std::string(c.name), std::string(c.summary));
    if (c.takes_instance)
      sub->add_option("instance", instance_of[std::string(c.name)], "vrrp_instance name")
          ->required();
    if (!c.args.empty()) {
      auto* opt = sub->add_option("args", args_of[std::string(c.name)], std::string(c.args));
      if (c.args.front() != '[')
        opt->required();
    }
  }
  auto* json_cmd = app.add_subcommand("json", "any view as JSON: vipctl json show VI_1");
  std::vector<std::string> json_args;
  json_cmd->add_option("view", json_args, "status | show INSTANCE | explain INSTANCE | ...")
      ->required();
  auto* watch = app.add_subcommand("watch", "status, refreshed (Ctrl-C to stop)");
  double every = 1.0;
  watch->add_option("-n,--interval", every, "seconds between refreshes");
  auto* completion = app.add_subcommand("completion", "shell completion script");
  std::string shell = "bash";
  completion->add_option("shell", shell, "bash");
  auto* manpage = app.add_subcommand("manpage", "print vipctl(8) (used by the build)");
  manpage->group("");  // hidden from --help and from the page itself
  CLI11_PARSE(app, argc, argv);

  if (manpage->parsed()) {
    std::cout << manPage(app);
    return 0;
  }
  if (completion->parsed()) {
    if (shell != "bash") {
      std::cerr << "vipctl: only bash completion is provided\n";
      return 2;
    }
    std::cout << completionScript();
    return 0;
  }
  if (socket.empty())
    socket = vipd::ctl::defaultSocketPath(ns.empty() ? std::nullopt : std::optional(ns));
  vipctl::Style style{::isatty(1) && !std::getenv("NO_COLOR")};

  if (json_cmd->parsed()) {
    vipd::ctl::Request r{json_args[0], std::nullopt, {}};
    if (json_args.size() > 1)
      r.instance = json_args[1];
    return show(vipd::ctl::call(socket, r), r.cmd, true, style);
  }
  if (watch->parsed()) {
    for (;;) {
      auto resp = vipd::ctl::call(socket, {"status", std::nullopt, {}});
      if (style.color)
        std::cout << "\033[H\033[2J";
      int rc = show(resp, "status", as_json, style);
      if (rc != 0)
        return rc;
      std::cout << std::flush;
      std::this_thread::sleep_for(std::chrono::duration<double>(every));
    }
  }
  for (const auto& c : vipd::ctl::kCommands) {
    auto* sub = app.get_subcommand(std::string(c.name));
    if (!sub->parsed())
      continue;
    vipd::ctl::Request r{std::string(c.name), std::nullopt, {}};
    if (c.takes_instance)
      r.instance = instance_of[r.cmd];
    r.args = args_of[r.cmd];
    return show(vipd::ctl::call(socket, r), r.cmd, as_json, style);
  }
  return 2;
}
