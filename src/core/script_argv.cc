#include "core/script_argv.h"

#include "conf/model.h"

namespace vipd::core {

bool needsShell(const std::string& command) {
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (quote == '"' && (c == '$' || c == '`'))
        return true;  // expansion inside double quotes is shell syntax too
      continue;
    }
    switch (c) {
      case '\'':
      case '"':
        quote = c;
        break;
      case '|':
      case '&':
      case ';':
      case '<':
      case '>':
      case '$':
      case '`':
      case '(':
      case ')':
        return true;
      default:
        break;
    }
  }
  return false;
}

std::vector<std::string> commandArgv(const std::string& command,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> argv;
  if (needsShell(command)) {
    argv = {"/bin/sh", "-c", extra.empty() ? command : command + " \"$@\"", "vipd-script"};
  } else {
    argv = conf::splitCommand(command);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace vipd::core
