#pragma once
// keepalived's script security check (keepalived.conf(5) "SCRIPTS"): a script run as root
// must not be replaceable by anyone but root, so its file and every directory above it must
// be root-owned and not writable by others. With `enable_script_security` an unsafe script
// is an error (vipd -t exits 6); without it, a warning, as keepalived's "SECURITY VIOLATION".

#include <string>

#include "base/diag.h"
#include "conf/model.h"

namespace vipd::daemon {

// Returns true when an unsafe script was found and script security is enabled.
bool checkScriptSecurity(const conf::Config& cfg, Diagnostics& diags);

// Why this script must not be run, or "" when it may: with enable_script_security, a script
// run as root whose file or a directory above it can be changed by someone else.
std::string refusedScript(const conf::ScriptCommand& s, const conf::GlobalDefs& g);

}  // namespace vipd::daemon
