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
                                     const std::vector<std::string>& extra,
                                     const IsProgram& is_program) {
  std::vector<std::string> argv = conf::splitCommand(command);
  if (needsShell(command) && !(is_program && !argv.empty() && is_program(argv[0])))
    argv = {"/bin/sh", "-c", extra.empty() ? command : command + " \"$@\"", "vipd-script"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace vipd::core
