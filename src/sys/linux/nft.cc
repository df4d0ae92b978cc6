#include "sys/linux/nft.h"

#include <nftables/libnftables.h>

namespace vipd::sys {

Nft::~Nft() {
  if (ctx_)
    nft_ctx_free(ctx_);
}

std::string Nft::run(const std::string& commands) {
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

}  // namespace vipd::sys
