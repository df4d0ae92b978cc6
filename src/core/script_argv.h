#pragma once
// How a configured command becomes an argv (keepalived.conf(5) "script"): it is split into
// words as keepalived does (quotes group, nothing else is interpreted) and exec'ed directly,
// so a value in the configuration can never be reinterpreted by a shell. As keepalived 2.x
// (notify.c: a script whose first word is an executable file is execve'd, SC_EXECABLE),
// that holds whatever the words contain: `/path/notify.sh a;b $(c)` passes "a;b", "$(c)".
// Only a command whose first word is not a program and that uses shell syntax (keepalived
// 1.x's "</dev/tcp/127.0.0.1/80", `[ -f x ] || exit 1`) runs under /bin/sh -c, and even
// then the arguments vipd appends (the notify `INSTANCE name STATE priority`) are passed
// as "$@", never pasted into the command text.

#include <functional>
#include <string>
#include <vector>

namespace vipd::core {

// True when the command contains shell operators or expansions outside quotes.
bool needsShell(const std::string& command);

// Whether a word names an executable file (a path, or found in $PATH), as execve sees it.
using IsProgram = std::function<bool(const std::string& word)>;

// The argv to exec: the command's words followed by `extra`, or, for shell syntax after a
// first word that `is_program` does not know (none given: any),
// {"/bin/sh", "-c", command + " \"$@\"", "vipd-script", extra...}.
std::vector<std::string> commandArgv(const std::string& command,
                                     const std::vector<std::string>& extra = {},
                                     const IsProgram& is_program = {});

}  // namespace vipd::core
