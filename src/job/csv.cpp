#include "mailferry/job/csv.hpp"

namespace mailferry::job {
namespace {

// ',' or ';', counted in the header (the first line that is neither empty
// nor a comment) outside quotes.
char detect_separator(std::string_view text) {
  for (;;) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) break;
    const auto line = text.substr(0, end);
    if (!line.empty() && line != "\r" && line.front() != '#') break;
    text.remove_prefix(end + 1);
  }
  std::size_t commas = 0, semicolons = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;  // "" inside quotes flips twice: no change
    if (quoted) continue;
    if (c == '\n') break;
    commas += c == ',';
    semicolons += c == ';';
  }
  return semicolons > commas ? ';' : ',';
}

class Reader {
 public:
  Reader(std::string_view text, char separator) : text_(text), separator_(separator) {}

  CsvTable read() {
    CsvTable table;
    table.separator = separator_;
    while (pos_ < text_.size()) {
      if (at_line_end()) {  // an empty line
        skip_line_end();
        continue;
      }
      if (text_[pos_] == '#') {  // a comment line
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        skip_line_end();
        continue;
      }
      CsvRow row = read_row();
      if (!table.rows.empty() && row.size() != table.rows.front().size())
        throw CsvError(row.front().line, 0,
                       "this line has " + std::to_string(row.size()) + " fields, the header " +
                           std::to_string(table.rows.front().size()) + " (separator '" +
                           std::string(1, separator_) + "'; quote fields that hold it)");
      table.rows.push_back(std::move(row));
    }
    return table;
  }

 private:
  bool at_line_end() const {
    return text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void skip_line_end() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  CsvRow read_row() {
    CsvRow row;
    for (;;) {
      row.push_back(read_field(row.size() + 1));
      if (pos_ >= text_.size()) return row;
      if (text_[pos_] == separator_) {
        ++pos_;
        if (pos_ >= text_.size()) {  // a separator at the very end: one more empty field
          row.push_back({"", line_, row.size() + 1});
          return row;
        }
        continue;
      }
      skip_line_end();  // read_field stops only at a separator or a line end
      return row;
    }
  }

  CsvField read_field(std::size_t column) {
    CsvField field{"", line_, column};
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size())
          throw CsvError(field.line, column, "a quote opened here is never closed");
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.text += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field.text += c;
      }
      if (pos_ < text_.size() && text_[pos_] != separator_ && !at_line_end())
        throw CsvError(line_, column,
                       "text after the closing quote; a quote inside a quoted field is "
                       "written twice (\"\")");
      return field;
    }
    while (pos_ < text_.size() && text_[pos_] != separator_ && !at_line_end()) {
      if (text_[pos_] == '"')
        throw CsvError(line_, column,
                       "a quote inside a field without quotes; put the whole field in quotes "
                       "and write the quote twice (\"\")");
      field.text += text_[pos_++];
    }
    return field;
  }

  std::string_view text_;
  char separator_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

CsvTable parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return Reader(text, detect_separator(text)).read();
}

}  // namespace mailferry::job
