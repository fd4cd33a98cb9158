#include "mailferry/job/csv.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mailferry;

namespace {

std::vector<std::vector<std::string>> texts(const job::CsvTable& table) {
  std::vector<std::vector<std::string>> out;
  for (const auto& row : table.rows) {
    out.emplace_back();
    for (const auto& f : row) out.back().push_back(f.text);
  }
  return out;
}

std::string error_of(const std::string& text) {
  try {
    job::parse_csv(text);
  } catch (const job::CsvError& e) {
    return std::to_string(e.line()) + ":" + std::to_string(e.column()) + " " + e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("csv: commas, quotes with separators, doubled quotes and line breaks (RFC 4180)") {
  const auto table = job::parse_csv(
      "name,to.url,note\r\n"
      "alice,imaps://alice@h,\"a, b\"\r\n"
      "bob,imaps://bob@h,\"say \"\"hi\"\"\nsecond line\"\r\n"
      "carol,,\r\n");
  CHECK(table.separator == ',');
  CHECK(texts(table) ==
        std::vector<std::vector<std::string>>{{"name", "to.url", "note"},
                                              {"alice", "imaps://alice@h", "a, b"},
                                              {"bob", "imaps://bob@h", "say \"hi\"\nsecond line"},
                                              {"carol", "", ""}});
  // Lines and columns say where each field begins.
  CHECK(table.rows[2][2].line == 3);
  CHECK(table.rows[3][0].line == 5);
  CHECK(table.rows[3][2].column == 3);
}

TEST_CASE(
    "csv: the header decides between comma and semicolon, a BOM, blank and '#' lines are skipped") {
  const auto table = job::parse_csv(
      "\xEF\xBB\xBF# exported from the old server\n\nname;to.url\nalice;\"imaps://a@h;x\"\n\n"
      "#bob;imaps://b@h\ncarol;imaps://c@h");
  CHECK(table.separator == ';');
  CHECK(texts(table) == std::vector<std::vector<std::string>>{{"name", "to.url"},
                                                              {"alice", "imaps://a@h;x"},
                                                              {"carol", "imaps://c@h"}});
  CHECK(table.rows[1][0].line == 4);
  CHECK(job::parse_csv("url\nmbox:/a\n").separator == ',');  // one column: ',' then too
  CHECK(job::parse_csv("").rows.empty());
}

TEST_CASE("csv: a trailing separator is one more empty field, at the end of the text too") {
  CHECK(texts(job::parse_csv("a;b;\n1;2;")) ==
        std::vector<std::vector<std::string>>{{"a", "b", ""}, {"1", "2", ""}});
}

TEST_CASE("csv: what a lenient reader would guess at is an error with its line and column") {
  CHECK(error_of("a,b\n1,2,3\n") ==
        "2:0 this line has 3 fields, the header 2 (separator ','; "
        "quote fields that hold it)");
  CHECK(error_of("a,b\n1,x\"y\n").rfind("2:2 a quote inside a field without quotes", 0) == 0);
  CHECK(error_of("a,b\n1,\"x\"y\n").rfind("2:2 text after the closing quote", 0) == 0);
  CHECK(error_of("a,b\n1,\"x\n\n") == "2:2 a quote opened here is never closed");
}

TEST_CASE("csv: any input byte by byte ends in a table or a CsvError, never anything else") {
  const std::string text = "n;\"a\"\"b\";c\r\n1;\"x\ny\";\xEF\xBB\xBF\n";
  for (std::size_t n = 0; n <= text.size(); ++n) {
    INFO(n);
    try {
      job::parse_csv(text.substr(0, n));
    } catch (const job::CsvError&) {
    }
  }
}
