// Extra trust anchors (--ca-file) added on top of the system store.
//
// libcurl's CURLOPT_CAINFO replaces the default bundle instead of adding to
// it, so the connection keeps libcurl's system store and adds these
// certificates to the OpenSSL X509_STORE from CURLOPT_SSL_CTX_FUNCTION.
// Internal to src/net.
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace mailferry::net::detail {

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

class ExtraCa {
 public:
  // Reads every certificate of a PEM file. Throws core::ConnectionError naming
  // the file when it cannot be read or holds no certificate.
  static ExtraCa load(const std::string& pem_path);

  // Adds the certificates to `store` (duplicates are harmless).
  void add_to(X509_STORE* store) const;
  std::size_t size() const { return certs_.size(); }

 private:
  std::vector<X509Ptr> certs_;
};

}  // namespace mailferry::net::detail
