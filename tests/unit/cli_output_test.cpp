// The lines people read: folder and message lines with sigils, grouped errors,
// and the number, size and duration formats they use.
#include <doctest/doctest.h>

#include "mailferry/cli/output_lines.hpp"

using namespace mailferry;
using namespace mailferry::cli;

namespace {

sync::FolderReport folder(std::string source, std::string target, std::uint64_t messages,
                          std::uint64_t present, std::uint64_t missing, std::uint64_t failed = 0) {
  sync::FolderReport f;
  f.source = std::move(source);
  f.target = std::move(target);
  f.counters.source = messages;
  f.counters.present = present;
  f.counters.missing = missing;
  f.counters.failed = failed;
  return f;
}

}  // namespace

TEST_CASE("cli output: check folder lines carry the sigil of their worst message") {
  CHECK(check_folder_line(folder("Inbox", "INBOX", 3, 3, 0), {}) ==
        "= INBOX (from Inbox): 3 messages, all present");
  CHECK(check_folder_line(folder("Archives", "Archives", 0, 0, 0), {}) == "= Archives: 0 messages");
  CHECK(check_folder_line(folder("Sent", "Sent", 45, 42, 3), {}) ==
        "+ Sent: 45 messages, 42 present, 3 missing");
  CHECK(check_folder_line(folder("Sent", "Sent", 4, 4, 0), {2, 0}) ==
        "* Sent: 4 messages, 4 present, 2 lacking flags");
  CHECK(check_folder_line(folder("Junk", "Junk", 5, 3, 1, 1), {}) ==
        "! Junk: 5 messages, 3 present, 1 missing, 1 unreadable");
  CHECK(folder_sigil(folder("a", "a", 1, 1, 0), {0, 1}) == '!');
  CHECK(folder_sigil(folder("a", "a", 2, 1, 1), {1, 0}) == '+');
}

TEST_CASE("cli output: sync folder lines and message lines") {
  auto f = folder("Inbox", "INBOX", 4812, 4100, 0);
  f.counters.appended = 712;
  f.counters.flags_updated = 3;
  f.created = true;
  CHECK(sync_folder_line(f, false) ==
        "  Inbox -> INBOX (new): 4,812 messages, 4,100 already there, 712 added, 3 flags updated");
  CHECK(sync_folder_line(f, true) ==
        "  Inbox -> INBOX (to create): 4,812 messages, 4,100 already there, 712 to add, 3 flag "
        "updates");
  MessageEvent missing;
  missing.sigil = sync::Sigil::Missing;
  missing.target_folder = "INBOX";
  missing.ordinal = 7;
  missing.message_id = "<a@b>";
  missing.date = {1709650800, 60};  // 2024-03-05 15:00 UTC, written at 16:00 +0100
  missing.from = "Alice Example";
  missing.subject = "Quarterly figures";
  CHECK(message_line(missing, "") ==
        "+ INBOX message 7 <a@b> 2024-03-05 from Alice Example \"Quarterly figures\"");
  MessageEvent failed;
  failed.sigil = sync::Sigil::Error;
  failed.target_folder = "Sent";
  failed.ordinal = 2;
  CHECK(message_line(failed, "NO [TOOBIG]") == "! Sent message 2 (no subject): NO [TOOBIG]");
}

TEST_CASE("cli output: a message is named by its date in the sender's zone, sender and subject") {
  // 23:30 UTC on 4 March is already 5 March in Tokyo (+0900).
  CHECK(message_name({1709595000, 540}, "Kenji", "Hi") == "2024-03-05 from Kenji \"Hi\"");
  CHECK(message_name({1709595000, 0}, "", "Hi") == "2024-03-04 \"Hi\"");
  CHECK(message_name({}, "bob@example.com", "") == "from bob@example.com (no subject)");
  CHECK(message_name({}, "", "") == "(no subject)");
}

TEST_CASE("cli output: counts in folder lines take the singular for one") {
  auto f = folder("Sent Items", "Sent", 6, 5, 0);
  f.counters.appended = 1;
  f.counters.flags_updated = 1;
  f.counters.duplicates_in_source = 1;
  CHECK(sync_folder_line(f, false) ==
        "  Sent Items -> Sent: 6 messages, 5 already there, 1 added, 1 flag updated, 1 duplicate "
        "in the source");
  CHECK(sync_folder_line(f, true) ==
        "  Sent Items -> Sent: 6 messages, 5 already there, 1 to add, 1 flag update, 1 duplicate "
        "in the source");
  f.counters.duplicates_in_source = 25;
  CHECK(sync_folder_line(f, false).find("25 duplicates in the source") != std::string::npos);
}

TEST_CASE("cli output: errors are grouped by reason, in order of first appearance") {
  std::vector<core::ErrorRecord> errors;
  for (int i = 1; i <= 300; ++i)
    errors.push_back(
        {core::ErrorScope::Message, "mbox:x message " + std::to_string(i), "NO [OVERQUOTA] quota"});
  errors.insert(errors.begin(), {core::ErrorScope::Folder, "pst:y folder Junk", "unreadable"});
  errors.push_back({core::ErrorScope::Message, "", "size changed"});
  auto lines = grouped_errors(errors);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "pst:y folder Junk: unreadable");
  CHECK(lines[1] == "mbox:x message 1: NO [OVERQUOTA] quota (and 299 more like it)");
  CHECK(lines[2] == "size changed");
}

TEST_CASE("cli output: numbers, sizes and durations") {
  CHECK(grouped_number(0) == "0");
  CHECK(grouped_number(999) == "999");
  CHECK(grouped_number(1000) == "1,000");
  CHECK(grouped_number(1234567) == "1,234,567");
  CHECK(human_bytes(512) == "512 B");
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(human_bytes(300 * 1024 * 1024) == "300 MiB");
  CHECK(human_duration(42) == "42s");
  CHECK(human_duration(90) == "1m30s");
  CHECK(human_duration(7322) == "2h02m");
}

TEST_CASE("cli output: columns line up for wide characters") {
  CHECK(display_width("INBOX") == 5);
  CHECK(display_width("Größe") == 5);
  CHECK(display_width("削除済みアイテム") == 16);
  CHECK(pad_right("削除済み", 10) == "削除済み  ");
  CHECK(pad_right("Sent", 6) == "Sent  ");
  CHECK(pad_right("a-very-long-name", 4) == "a-very-long-name");
}
