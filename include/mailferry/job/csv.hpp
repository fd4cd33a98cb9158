// Reading CSV tables (RFC 4180), for account lists (accounts_file.hpp).
//
// Fields are separated by ',' or ';': the header line decides (the one of the
// two it holds more of outside quotes; ',' when it holds neither). A field in
// double quotes may hold separators, line breaks and "" for one quote. Lines
// end in LF or CRLF; a UTF-8 byte order mark at the start is skipped; empty
// lines and lines whose first character is '#' are left out. Every field
// knows its line (1-based, where the field begins) and column (1-based field
// number) for error messages.
//
// Strict where a lenient reader would guess: a quote inside an unquoted
// field, text after a closing quote, a quote left open at the end, and a row
// with more or fewer fields than the header are errors (CsvError), because a
// guess here would move the wrong mailbox.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::job {

struct CsvField {
  std::string text;
  std::size_t line = 0;
  std::size_t column = 0;
};
using CsvRow = std::vector<CsvField>;

struct CsvTable {
  char separator = ',';
  std::vector<CsvRow> rows;  // rows[0] is the header
};

class CsvError : public std::runtime_error {
 public:
  CsvError(std::size_t line, std::size_t column, const std::string& what)
      : std::runtime_error(what), line_(line), column_(column) {}
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }  // 0: the whole line

 private:
  std::size_t line_, column_;
};

// Parses `text`. An empty text is a table without rows. Throws CsvError.
CsvTable parse_csv(std::string_view text);

}  // namespace mailferry::job
