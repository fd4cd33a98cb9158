#include "mailferry/core/secret.hpp"

#include <openssl/crypto.h>

namespace mailferry::core {

// OPENSSL_cleanse is not optimised away, unlike a plain memset before free.
Secret::~Secret() { OPENSSL_cleanse(value_.data(), value_.size()); }

}  // namespace mailferry::core
