#include "managed/digest.h"

#include <openssl/evp.h>

#include <memory>

#include "model/hex.h"

namespace zk::managed {

namespace {

std::string hex_digest(const EVP_MD* md_type, const void* data, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), md_type, nullptr);
  EVP_DigestUpdate(ctx.get(), data, size);
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return model::hex_text(std::span<const uint8_t>(md, len));
}

}  // namespace

std::string sha1_hex(std::span<const uint8_t> data) {
  return hex_digest(EVP_sha1(), data.data(), data.size());
}

std::string sha256_hex(std::string_view text) {
  return hex_digest(EVP_sha256(), text.data(), text.size());
}

}  // namespace zk::managed
