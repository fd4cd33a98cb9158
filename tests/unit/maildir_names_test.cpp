// Maildir file names: the unique part, the S= and W= sizes, the info letters
// and the Dovecot keywords they stand for.
#include <doctest/doctest.h>

#include "mailferry/maildir/file_name.hpp"
#include "mailferry/maildir/folder_tree.hpp"

using mailferry::core::Flag;
using mailferry::core::Flags;
using namespace mailferry::maildir;

TEST_CASE("maildir names: unique part, S= and W= sizes and the info after :2,") {
  const FileName n = parse_file_name("1700000000.M1P2.host,S=1234,W=1260:2,FRS");
  CHECK(n.unique == "1700000000.M1P2.host,S=1234,W=1260");
  CHECK(n.size == 1234u);
  CHECK(n.virtual_size == 1260u);
  CHECK(n.has_info);
  CHECK(n.info == "FRS");

  const FileName bare = parse_file_name("1700000000.M1P2.host");
  CHECK(bare.unique == "1700000000.M1P2.host");
  CHECK(!bare.size);
  CHECK(!bare.has_info);

  // Separators of file systems that cannot hold ':'.
  CHECK(parse_file_name("u;2,S").info == "S");
  CHECK(parse_file_name("u!2,S").unique == "u");
  // A host name escaped with \072 holds no separator; a broken S= is no size.
  CHECK(parse_file_name("1.M2.a\\072b,S=12x:2,").size == std::nullopt);
  CHECK(parse_file_name("1.M2.a\\072b,S=12x:2,").info.empty());
  CHECK(parse_file_name("1.M2.a:2,S:2,T").info == "T");
}

TEST_CASE("maildir names: flag letters map to IMAP flags and T never becomes Deleted") {
  const KeywordTable none;
  const InfoFlags f = flags_from_info("DFPRST", none);
  CHECK(f.flags.has(Flag::Draft));
  CHECK(f.flags.has(Flag::Flagged));
  CHECK(f.flags.has(Flag::Forwarded));
  CHECK(f.flags.has(Flag::Answered));
  CHECK(f.flags.has(Flag::Seen));
  CHECK(!f.flags.has(Flag::Deleted));
  CHECK(f.trashed);
  CHECK(flags_from_info("", none).flags.empty());
  CHECK(!flags_from_info("S", none).trashed);
}

TEST_CASE("maildir names: Dovecot keyword letters name lines of dovecot-keywords") {
  const KeywordTable k =
      KeywordTable::parse("0 $Forwarded\n1 Work\r\n2 $MDNSent\nbad line\n30 x\n");
  CHECK(k.name('a') == "$Forwarded");
  CHECK(k.name('b') == "Work");
  CHECK(k.name('c') == "$MDNSent");
  CHECK(k.name('d').empty());
  const InfoFlags f = flags_from_info("Sabcd", k);
  CHECK(f.flags.bits() == static_cast<unsigned>(Flag::Seen) + static_cast<unsigned>(Flag::Forwarded) +
                              static_cast<unsigned>(Flag::MdnSent));
  CHECK(f.flags.other_keywords() == std::vector<std::string>{"Work"});
  CHECK(f.dropped_keywords == std::vector<std::string>{"letter d"});
  // A keyword line cannot smuggle in a system flag.
  CHECK(flags_from_info("a", KeywordTable::parse("0 \\Deleted\n")).flags.empty());
}

TEST_CASE("maildir names: layout names") {
  CHECK(parse_layout("auto") == Layout::Auto);
  CHECK(parse_layout("maildir++") == Layout::MaildirPlusPlus);
  CHECK(parse_layout("fs") == Layout::Fs);
  CHECK(!parse_layout("mbox"));
  CHECK(layout_name(Layout::MaildirPlusPlus) == "maildir++");
}
