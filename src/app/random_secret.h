// A new key secret as tsig-keygen makes one: 32 random octets (OpenSSL RAND_bytes), base64.
#pragma once

#include <string>

namespace zk::app {

std::string random_key_secret();

}  // namespace zk::app
