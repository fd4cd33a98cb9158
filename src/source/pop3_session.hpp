// Internal to Pop3Source: one logged-in POP3 session and what it listed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailferry/net/connection.hpp"
#include "mailferry/pop3/client.hpp"
#include "mailferry/source/pop3_source.hpp"

namespace mailferry::source {

struct Pop3Source::Session {
  std::unique_ptr<net::Connection> connection;
  std::unique_ptr<pop3::Client> client;  // declared after connection: destroyed first
  std::uint64_t generation = 0;          // numbers of messages are valid in this session only
  bool has_uidl = false;
  std::optional<bool> has_top;        // nullopt: CAPA did not say; probed on first use
  std::vector<pop3::ListEntry> list;  // by message number
  std::vector<pop3::UidlEntry> uidl;  // empty without UIDL
  std::unordered_map<std::string, std::uint32_t> number_of;  // UIDL -> number
};

}  // namespace mailferry::source
