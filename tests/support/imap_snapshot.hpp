// What an independent IMAP client (Python's imaplib, tests/tools/imap_snapshot.py)
// sees in an account: the end-to-end tests compare it with the source, so a
// bug in mailferry's own IMAP code cannot hide itself.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mailferry/core/flags.hpp"
#include "support/mail_server.hpp"

namespace mailferry::testing {

struct ServerMessage {
  std::uint32_t uid = 0;
  std::set<std::string> flags;  // "\Seen", "$Forwarded", ...
  std::string internaldate;     // as the server prints it
  std::int64_t epoch = 0;       // INTERNALDATE in seconds since the epoch
  std::uint64_t size = 0;
  std::string sha256;  // of the exact bytes BODY[] returns
};

// Folder name (UTF-8) -> messages. Throws std::runtime_error if the tool fails.
std::map<std::string, std::vector<ServerMessage>> imap_snapshot(const MailServer& server,
                                                                const std::string& user);

std::string sha256_hex(const std::string& bytes);

// Folder -> sorted "SHA-256 INTERNALDATE flags" of its messages (\Recent left
// out): two accounts hold the same mail when these are equal, whatever the
// UIDs.
std::map<std::string, std::vector<std::string>> mail_contents(
    const std::map<std::string, std::vector<ServerMessage>>& snapshot);

// `flags` as ServerMessage::flags holds them ("\Seen", "$Forwarded"): what a
// source message's flags must look like on the server.
std::set<std::string> flag_names(core::Flags flags);

}  // namespace mailferry::testing
