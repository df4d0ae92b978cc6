#pragma once
// One libnftables context: nft command text in, one transaction out. Each call is one
// batch: the kernel applies all of it or none of it.

#include <string>

struct nft_ctx;

namespace vipd::sys {

class Nft {
 public:
  Nft() = default;
  ~Nft();
  Nft(const Nft&) = delete;
  Nft& operator=(const Nft&) = delete;

  // "" on success, else nft's error text.
  std::string run(const std::string& commands);
  // A listing command's output as nft's JSON into `out`; "" on success, else the error.
  std::string listJson(const std::string& command, std::string& out);

 private:
  bool open();
  nft_ctx* ctx_ = nullptr;
};

}  // namespace vipd::sys
