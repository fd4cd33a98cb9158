// Maildir file names and what they carry: "UNIQUE[,S=SIZE][,W=VSIZE][:2,INFO]".
//
// UNIQUE (with the ",S=" and ",W=" fields) names the message for as long as
// it exists: a mail program that changes flags renames the file, changing
// only INFO, and one that moves it from new/ to cur/ keeps the whole name.
// INFO lists the flags, one letter each: D draft, F flagged, P passed
// (forwarded), R replied, S seen, T trashed; lowercase letters are Dovecot
// keywords, each standing for a line of the folder's dovecot-keywords file.
//
// The info separator is ':'; ';' and '!' are accepted too, as written on file
// systems that cannot hold ':' (mbsync's InfoDelimiter, Dovecot's
// maildir_broken_filename_sizes setups).
// Pure functions; no state, no I/O except KeywordTable::read.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/flags.hpp"

namespace mailferry::maildir {

struct FileName {
  std::string unique;                         // the name before the info separator
  std::optional<std::uint64_t> size;          // ",S=": the file's size in bytes
  std::optional<std::uint64_t> virtual_size;  // ",W=": its size with CRLF line ends
  bool has_info = false;                      // ":2," is present
  std::string info;                           // the letters after ":2,"
};

FileName parse_file_name(std::string_view name);

// The keywords of one Maildir folder (Dovecot's "dovecot-keywords": lines
// "N NAME", N from 0 to 25 standing for the letters 'a' to 'z').
class KeywordTable {
 public:
  // Reads DIR/dovecot-keywords; an absent or unreadable file is an empty table.
  static KeywordTable read(const std::filesystem::path& dir);
  // Parses the file's text; lines that are not "N NAME" with N < 26 are ignored.
  static KeywordTable parse(std::string_view text);
  // The keyword of a letter 'a'..'z'; "" when the file names none.
  const std::string& name(char letter) const;

 private:
  std::array<std::string, 26> names_;
};

struct InfoFlags {
  core::Flags flags;
  bool trashed = false;  // 'T': marked for deletion in the mail program
  // Keywords of the info part that mailferry cannot carry (core/flags.hpp
  // holds a closed set), each as its name or "letter x" when unnamed.
  std::vector<std::string> dropped_keywords;
};

// The flags INFO stands for. 'T' never becomes \Deleted: a message a mail
// program had not expunged yet is still a message to migrate.
InfoFlags flags_from_info(std::string_view info, const KeywordTable& keywords);

}  // namespace mailferry::maildir
