#pragma once
// Stage 4 of the config pipeline: keepalived's semantic rules across blocks. Reports every
// problem with the location of the offending line; the model itself is not changed.

#include "base/diag.h"
#include "conf/model.h"

namespace vipd::conf {

void validate(const Config& cfg, Diagnostics& diags);

}  // namespace vipd::conf
