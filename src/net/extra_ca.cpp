#include "extra_ca.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mailferry/core/error.hpp"

namespace mailferry::net::detail {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string openssl_error_text() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no certificate found";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

ExtraCa ExtraCa::load(const std::string& pem_path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(pem_path.c_str(), "rb"));
  if (!file)
    throw core::ConnectionError("cannot read CA file " + pem_path + ": " + std::strerror(errno));
  ExtraCa out;
  ERR_clear_error();
  while (X509* cert = PEM_read_X509(file.get(), nullptr, nullptr, nullptr))
    out.certs_.emplace_back(cert);
  // The loop ends with a "no start line" error at end of file; anything else is real.
  unsigned long last = ERR_peek_last_error();
  bool clean_end = ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (out.certs_.empty() || (last != 0 && !clean_end))
    throw core::ConnectionError("CA file " + pem_path +
                                " holds no usable PEM certificate: " + openssl_error_text());
  ERR_clear_error();
  return out;
}

void ExtraCa::add_to(X509_STORE* store) const {
  for (const auto& cert : certs_) X509_STORE_add_cert(store, cert.get());
  // Adding a certificate the store already has leaves an error behind that
  // libcurl would later misreport as the handshake's failure.
  ERR_clear_error();
}

}  // namespace mailferry::net::detail
