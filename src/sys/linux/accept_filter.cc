#include "sys/linux/accept_filter.h"

#include <nftables/libnftables.h>

namespace vipd::sys {
namespace {

std::string setFor(const IpAddress& a) {
  return a.isV4() ? "no_accept4" : "no_accept6";
}

}  // namespace

AcceptFilter::~AcceptFilter() {
  if (table_)
    run("delete table inet vipd");
  if (ctx_)
    nft_ctx_free(ctx_);
}

std::string AcceptFilter::run(const std::string& commands) {
  if (!ctx_) {
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_)
      return "cannot create an nftables context";
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
  if (nft_run_cmd_from_buffer(ctx_, commands.c_str()) == 0)
    return "";
  std::string err = nft_ctx_get_error_buffer(ctx_);
  return err.empty() ? "nftables refused: " + commands : err;
}

std::string AcceptFilter::ensureTable() {
  if (table_)
    return "";
  // A table left by a daemon that was killed is replaced, not merged.
  run("delete table inet vipd");
  auto err = run(
      "add table inet vipd\n"
      "add set inet vipd no_accept4 { type ipv4_addr; }\n"
      "add set inet vipd no_accept6 { type ipv6_addr; }\n"
      "add chain inet vipd input { type filter hook input priority -1; policy accept; }\n"
      "add rule inet vipd input ip daddr @no_accept4 drop\n"
      "add rule inet vipd input icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n"
      "add rule inet vipd input ip6 daddr @no_accept6 drop\n");
  if (err.empty())
    table_ = true;
  return err;
}

std::string AcceptFilter::block(const IpAddress& a) {
  if (auto err = ensureTable(); !err.empty())
    return err;
  return run("add element inet vipd " + setFor(a) + " { " + a.str() + " }");
}

std::string AcceptFilter::unblock(const IpAddress& a) {
  if (!table_)
    return "";
  return run("delete element inet vipd " + setFor(a) + " { " + a.str() + " }");
}

}  // namespace vipd::sys
