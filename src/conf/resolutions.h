#pragma once
// Stage 3b of the config pipeline, between binding and validation: settings that conflict
// and that keepalived corrects with a log line (authentication under strict mode, a
// preempt_delay with nopreempt, ...) are corrected the same way in the model, with a warning
// at the keyword. What keepalived refuses, validate() refuses.

#include "base/diag.h"
#include "conf/model.h"

namespace vipd::conf {

void applyResolutions(Config& cfg, Diagnostics& diags);

}  // namespace vipd::conf
