#include <openssl/evp.h>

#include <charconv>

#include "mailferry/cli/batch.hpp"
#include "mailferry/core/error.hpp"

namespace mailferry::cli {

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  auto number = [&](std::string_view part, unsigned& value) {
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    return error == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string_view::npos || !number(text.substr(0, slash), shard.index) ||
      !number(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count)
    throw core::UsageError("--shard: '" + std::string(text) +
                           "' is not K/M with 0 <= K < M (e.g. --shard 0/4 ... --shard 3/4)");
  return shard;
}

unsigned shard_of(std::string_view job_name, unsigned count) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(job_name.data(), job_name.size(), digest, &length, EVP_sha256(), nullptr);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | digest[i];
  return static_cast<unsigned>(value % count);
}

std::vector<job::Job> select_shard(std::vector<job::Job> jobs, Shard shard) {
  if (shard.count <= 1) return jobs;
  std::vector<job::Job> selected;
  for (auto& j : jobs)
    if (shard_of(j.name, shard.count) == shard.index) selected.push_back(std::move(j));
  return selected;
}

}  // namespace mailferry::cli
