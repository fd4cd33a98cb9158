// Typed views of the data responses the target needs: FETCH, LIST and STATUS.
// Pure functions over a parsed Response; nullopt when the response is not of
// that kind or does not have the required shape.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/imap/response.hpp"

namespace mailferry::imap {

struct FetchData {
  std::uint32_t sequence = 0;
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;
  std::optional<std::uint64_t> rfc822_size;
  std::optional<std::string> internal_date;  // as sent, without quotes
  std::optional<std::string> header;         // a BODY[HEADER...] item; NIL gives ""
  // BODY[] (or RFC822): the whole message. A literal too big to buffer is
  // `body_streamed`: its bytes went to Client::on_literal_chunk, and `body`
  // is empty.
  std::optional<std::string> body;
  bool body_streamed = false;
};
std::optional<FetchData> parse_fetch(const Response& response);

struct ListData {
  std::vector<std::string> attributes;              // as sent: "\HasNoChildren", "\Sent"
  char delimiter = '\0';                            // '\0' for NIL (a flat namespace)
  std::string name;                                 // as on the wire (modified UTF-7)
  bool has_attribute(std::string_view name) const;  // case-insensitive
};
std::optional<ListData> parse_list(const Response& response);  // LIST or LSUB

struct StatusData {
  std::string mailbox;                         // as on the wire
  std::map<std::string, std::uint64_t> items;  // upper-cased names: MESSAGES, UIDNEXT, ...
};
std::optional<StatusData> parse_status(const Response& response);

}  // namespace mailferry::imap
