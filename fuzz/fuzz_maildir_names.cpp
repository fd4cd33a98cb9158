// Fuzz target: Maildir file names and Dovecot keyword files
// (maildir/file_name.hpp), the text a Maildir source takes from a disk it
// does not control.
//
// Input: a file name, a newline, then the text of a dovecot-keywords file.
// Invariants checked, beyond "no crash":
//  - the name is its unique part, then (when it has info) a separator out of
//    ':', ';', '!', "2," and the info, with nothing lost or added;
//  - an S= or W= size is only found when the unique part holds ",S=" / ",W=";
//  - the flags never include \Deleted; 'T' in the info and only that makes
//    the message trashed; every dropped keyword stands for a lowercase letter;
//  - no keyword name holds a line break.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mailferry/maildir/file_name.hpp"

using namespace mailferry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t lf = input.find('\n');
  const std::string_view name = input.substr(0, lf);
  const std::string_view keywords_text =
      lf == std::string_view::npos ? std::string_view{} : input.substr(lf + 1);

  const maildir::FileName parsed = maildir::parse_file_name(name);
  if (parsed.has_info) {
    FUZZ_CHECK(name.size() == parsed.unique.size() + 3 + parsed.info.size(),
               "unique part, separator and info make up the name");
    FUZZ_CHECK(name.substr(0, parsed.unique.size()) == parsed.unique, "the name starts unique");
    const char sep = name[parsed.unique.size()];
    FUZZ_CHECK(sep == ':' || sep == ';' || sep == '!', "a known info separator");
    FUZZ_CHECK(name.substr(parsed.unique.size() + 1, 2) == "2,", "info version 2");
    FUZZ_CHECK(name.substr(parsed.unique.size() + 3) == parsed.info, "the info ends the name");
  } else {
    FUZZ_CHECK(parsed.unique == name && parsed.info.empty(), "without info, all is unique");
  }
  if (parsed.size) FUZZ_CHECK(parsed.unique.find(",S=") != std::string::npos, "S= is there");
  if (parsed.virtual_size)
    FUZZ_CHECK(parsed.unique.find(",W=") != std::string::npos, "W= is there");

  const maildir::KeywordTable table = maildir::KeywordTable::parse(keywords_text);
  std::size_t lowercase = 0;
  for (char c = 'a'; c <= 'z'; ++c)
    FUZZ_CHECK(table.name(c).find('\n') == std::string::npos, "a keyword is one line");
  for (char c : parsed.info) lowercase += (c >= 'a' && c <= 'z') ? 1 : 0;
  const maildir::InfoFlags flags = maildir::flags_from_info(parsed.info, table);
  FUZZ_CHECK(!flags.flags.has(core::Flag::Deleted), "trashed never becomes \\Deleted");
  FUZZ_CHECK(flags.trashed == (parsed.info.find('T') != std::string::npos), "T and only T trashes");
  FUZZ_CHECK(flags.dropped_keywords.size() <= lowercase, "a dropped keyword is a letter");
  return 0;
}
