#pragma once
// How a configured command becomes an argv (keepalived.conf(5) "script"): it is split into
// words as keepalived does (quotes group, nothing else is interpreted) and exec'ed directly,
// so a value in the configuration can never be reinterpreted by a shell. Only a command that
// uses shell syntax itself (a pipe, `||`, a redirection such as keepalived 1.x's
// "</dev/tcp/127.0.0.1/80", `$VAR`) runs under /bin/sh -c, and even then the arguments vipd
// appends (the notify `INSTANCE name STATE priority`) are passed as "$@", never pasted into
// the command text.

#include <string>
#include <vector>

namespace vipd::core {

// True when the command contains shell operators or expansions outside quotes.
bool needsShell(const std::string& command);

// The argv to exec: the command's words followed by `extra`, or
// {"/bin/sh", "-c", command + " \"$@\"", "vipd-script", extra...} for shell syntax.
std::vector<std::string> commandArgv(const std::string& command,
                                     const std::vector<std::string>& extra = {});

}  // namespace vipd::core
