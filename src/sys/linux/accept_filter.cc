#include "sys/linux/accept_filter.h"

namespace vipd::sys {
namespace {

std::string setFor(const IpAddress& a) {
  return a.isV4() ? "no_accept4" : "no_accept6";
}

}  // namespace

AcceptFilter::~AcceptFilter() {
  if (table_)
    nft_.run("delete table inet vipd");
}

std::string AcceptFilter::ensureTable() {
  if (table_)
    return "";
  // A table left by a daemon that was killed is replaced, not merged.
  nft_.run("delete table inet vipd");
  auto err = nft_.run(
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
  return nft_.run("add element inet vipd " + setFor(a) + " { " + a.str() + " }");
}

std::string AcceptFilter::unblock(const IpAddress& a) {
  if (!table_)
    return "";
  return nft_.run("delete element inet vipd " + setFor(a) + " { " + a.str() + " }");
}

}  // namespace vipd::sys
