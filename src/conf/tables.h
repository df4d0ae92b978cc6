#pragma once
// The keyword tables, one per block kind (see schema.h). Defined in tables_*.cc.

#include "conf/schema.h"

namespace vipd::conf {

const Schema<Config>& configSchema();
const Schema<GlobalDefs>& globalDefsSchema();
const Schema<VrrpScript>& vrrpScriptSchema();
const Schema<TrackProcess>& trackProcessSchema();
const Schema<TrackFile>& trackFileSchema();
const Schema<SyncGroup>& syncGroupSchema();
const Schema<VrrpInstance>& vrrpInstanceSchema();
const Schema<BfdInstance>& bfdInstanceSchema();
const Schema<VirtualServerGroup>& virtualServerGroupSchema();
const Schema<VirtualServer>& virtualServerSchema();
const Schema<RealServer>& realServerSchema();
const Schema<Checker>& checkerSchema(CheckerKind kind);
const Schema<SslContext>& sslSchema();
const Schema<Authentication>& authenticationSchema();
const Schema<HttpUrl>& httpUrlSchema();

}  // namespace vipd::conf
