#include "sys/linux/nft.h"

#include <nftables/libnftables.h>

namespace vipd::sys {

Nft::~Nft() {
  if (ctx_)
    nft_ctx_free(ctx_);
}

bool Nft::open() {
  if (!ctx_) {
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_)
      return false;
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
  return true;
}

std::string Nft::run(const std::string& commands) {
  if (!open())
    return "cannot create an nftables context";
  const int rc = nft_run_cmd_from_buffer(ctx_, commands.c_str());
  nft_ctx_get_output_buffer(ctx_);  // a listing's text is not kept: reading empties it
  if (rc == 0)
    return "";
  std::string err = nft_ctx_get_error_buffer(ctx_);
  return err.empty() ? "nftables refused: " + commands : err;
}

std::string Nft::listJson(const std::string& command, std::string& out) {
  if (!open())
    return "cannot create an nftables context";
  const unsigned flags = nft_ctx_output_get_flags(ctx_);
  nft_ctx_output_set_flags(ctx_, flags | NFT_CTX_OUTPUT_JSON);
  const int rc = nft_run_cmd_from_buffer(ctx_, command.c_str());
  nft_ctx_output_set_flags(ctx_, flags);
  out = nft_ctx_get_output_buffer(ctx_);  // reading it empties the buffer
  if (rc == 0)
    return "";
  std::string err = nft_ctx_get_error_buffer(ctx_);
  return err.empty() ? "nftables refused: " + command : err;
}

}  // namespace vipd::sys
