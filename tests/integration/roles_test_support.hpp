// Shared by the roles_* end-to-end tests: source messages by folder (as
// SHA-256 of the exact upload bytes), server snapshots by folder, and the
// source trees the tests migrate.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mailferry/source/mbox_source.hpp"
#include "mailferry/source/pst_source.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::roles_test {

using Snapshot = std::map<std::string, std::vector<testing::ServerMessage>>;
using Shas = std::multiset<std::string>;

inline std::string thunderbird_dir() {
  return std::string(MAILFERRY_TEST_DIR) + "/../examples/thunderbird/Local Folders";
}

inline std::string corpus_file(const std::string& relative) {
  return std::string(MAILFERRY_CORPUS_DIR) + "/" + relative;
}

// The SHA-256 of every message a server holds in `folder` (none: empty).
inline Shas shas(const Snapshot& server, const std::string& folder) {
  Shas out;
  auto it = server.find(folder);
  if (it != server.end())
    for (const auto& m : it->second) out.insert(m.sha256);
  return out;
}

// Source folder (display name) -> SHA-256 of its distinct messages (one key
// and size per folder, as the differ uploads them).
inline std::map<std::string, Shas> source_messages(source::Source& source) {
  std::map<std::string, Shas> out;
  for (const auto& f : source.folders()) {
    testing::CollectingSink sink;
    source.scan(f, sink);
    REQUIRE(sink.errors.empty());
    std::set<std::pair<core::MessageKey, std::uint64_t>> seen;
    auto& folder = out[f.display_name()];
    for (const auto& m : sink.messages) {
      if (!seen.insert({m.key, m.size}).second) continue;
      auto reader = source.open(f, m);
      std::string bytes;
      char buffer[65536];
      while (std::size_t n = reader->read(buffer, sizeof buffer)) bytes.append(buffer, n);
      folder.insert(testing::sha256_hex(bytes));
    }
  }
  return out;
}

inline std::map<std::string, Shas> thunderbird_messages() {
  source::MboxSource source(thunderbird_dir());
  return source_messages(source);
}

inline std::map<std::string, Shas> pst_messages(const std::string& file) {
  source::PstSource source(corpus_file("pst/" + file));
  return source_messages(source);
}

// A Thunderbird-style tree with Korean, Japanese and German folder names:
// 보낸 편지함 (Sent), 下書き (Drafts), Größe/Übersicht, プロジェクト.
// Returns its path.
inline std::string write_intl_tree(const testing::TempDir& dir) {
  const std::string tb = thunderbird_dir();
  dir.write_file("intl/Inbox", testing::read_file(tb + "/Inbox"));
  dir.write_file("intl/보낸 편지함", testing::read_file(tb + "/Sent"));
  dir.write_file("intl/下書き", testing::read_file(tb + "/Drafts"));
  dir.write_file("intl/Größe.sbd/Übersicht", testing::read_file(tb + "/Archives.sbd/2019"));
  dir.write_file("intl/プロジェクト", testing::read_file(std::string(MAILFERRY_TEST_DIR) +
                                                         "/../examples/mbox/Inbox.mbox"));
  return dir.file("intl");
}

inline std::map<std::string, Shas> intl_messages(const std::string& path) {
  source::MboxSource source(path);
  return source_messages(source);
}

// Every distinct message of an mbox file or tree, whatever its folder.
inline Shas all_mbox_messages(const std::string& path) {
  Shas out;
  for (const auto& [folder, messages] : intl_messages(path))
    out.insert(messages.begin(), messages.end());
  return out;
}

// `mailferry sync --from FROM --to imaps://USER@server` with the test CA and password.
inline testing::CommandResult sync_to(const testing::DovecotServer& server, const std::string& user,
                                      const std::string& from,
                                      const std::vector<std::string>& extra = {}) {
  return testing::run_mailferry(server.sync_args(from, user, extra));
}

}  // namespace mailferry::roles_test
