#include "app/random_secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace zk::app {

std::string random_key_secret() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) throw std::runtime_error("RAND_bytes failed");
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, raw, sizeof(raw));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

}  // namespace zk::app
