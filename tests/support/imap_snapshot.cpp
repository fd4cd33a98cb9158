#include "support/imap_snapshot.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "support/run_command.hpp"

namespace mailferry::testing {
namespace {

// The interpreter that "python3" in PATH stands for, asked once: a version
// manager's shim there (pyenv's is a chain of shell scripts) costs most of a
// second on every start, and the crash tests take hundreds of snapshots.
const std::string& python3() {
  static const std::string path = [] {
    const auto r = run_command({"python3", "-c", "import sys; print(sys.executable)"});
    std::string found = r.out;
    while (!found.empty() && (found.back() == '\n' || found.back() == '\r')) found.pop_back();
    return r.exit_code == 0 && !found.empty() && found[0] == '/' ? found : std::string("python3");
  }();
  return path;
}

}  // namespace

std::map<std::string, std::vector<ServerMessage>> imap_snapshot(const MailServer& server,
                                                                const std::string& user) {
  auto result = run_command({python3(), std::string(MAILFERRY_TEST_DIR) + "/tools/imap_snapshot.py",
                             "127.0.0.1", std::to_string(server.imaps_port()), user,
                             server.password_file(), server.ca_file()});
  if (result.exit_code != 0) throw std::runtime_error("imap_snapshot.py: " + result.describe());
  auto document = nlohmann::json::parse(result.out);
  std::map<std::string, std::vector<ServerMessage>> folders;
  for (const auto& [name, messages] : document.items()) {
    auto& list = folders[name];
    for (const auto& m : messages) {
      ServerMessage s;
      s.uid = m["uid"].get<std::uint32_t>();
      for (const auto& f : m["flags"]) s.flags.insert(f.get<std::string>());
      s.internaldate = m["internaldate"].get<std::string>();
      s.epoch = m["epoch"].is_null() ? 0 : m["epoch"].get<std::int64_t>();
      s.size = m["size"].get<std::uint64_t>();
      s.sha256 = m["sha256"].get<std::string>();
      list.push_back(std::move(s));
    }
  }
  return folders;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::set<std::string> flag_names(core::Flags flags) {
  std::set<std::string> names;
  const std::string text = flags.to_imap();
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    names.insert(text.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

std::map<std::string, std::vector<std::string>> mail_contents(
    const std::map<std::string, std::vector<ServerMessage>>& snapshot) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, messages] : snapshot) {
    auto& lines = out[name];
    for (const auto& m : messages) {
      std::string line = m.sha256 + " " + std::to_string(m.epoch);
      for (const auto& f : m.flags)
        if (f != "\\Recent") line += " " + f;
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
  }
  return out;
}

}  // namespace mailferry::testing
