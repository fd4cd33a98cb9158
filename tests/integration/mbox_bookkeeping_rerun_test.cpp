// The mbox source uploads messages without the store's bookkeeping fields
// (Status:, X-Mozilla-Status:, a framing Content-Length:, ...). Users of
// older versions have copies WITH those fields on their server; a re-run must
// find them present, Message-ID or not, and upload nothing again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/mail_text.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

// One message of the test mbox: the bytes as sent, and the bookkeeping
// fields the mail store added into its header block.
struct StoredMessage {
  std::string from_line;
  std::string sent_header;  // the header fields as sent, each line ending in LF
  std::string bookkeeping;  // the store's fields, each line ending in LF
  std::string body;

  std::string as_sent() const { return to_crlf(sent_header + "\n" + body); }
  // What an older version uploaded: the bookkeeping fields kept where the
  // store wrote them, at the end of the header block.
  std::string as_uploaded_before() const {
    return to_crlf(sent_header + bookkeeping + "\n" + body);
  }
  std::string in_mbox() const { return from_line + "\n" + sent_header + bookkeeping + "\n" + body; }
};

std::vector<StoredMessage> stored_messages() {
  const std::string third_body = "Third body, framed by Content-Length.\n";
  return {
      {"From ana@example.com Mon Mar  4 10:00:00 2019",
       "Message-ID: <rerun-1@example.com>\nDate: Mon, 4 Mar 2019 10:00:00 +0000\n"
       "From: ana@example.com\nTo: ben@example.net\nSubject: with a Message-ID\n",
       "Status: RO\nX-Status: A\nX-UID: 1\n", "First body.\n"},
      {"From ana@example.com Mon Mar  4 11:00:00 2019",
       "Date: Mon, 4 Mar 2019 11:00:00 +0000\nFrom: ana@example.com\nTo: ben@example.net\n"
       "Subject: no Message-ID, Thunderbird fields\n",
       "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\nX-Mozilla-Keys:                    \n"
       "Status: O\n",
       "Second body.\n"},
      {"From ana@example.com Mon Mar  4 12:00:00 2019",
       "Date: Mon, 4 Mar 2019 12:00:00 +0000\nFrom: ana@example.com\nTo: ben@example.net\n"
       "Subject: no Message-ID, mboxcl\n",
       "Status: RO\nContent-Length: " + std::to_string(third_body.size()) + "\n", third_body},
  };
}

std::string mbox_of(const std::vector<StoredMessage>& messages) {
  std::string out;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += "\n";  // the separator's empty line
    out += messages[i].in_mbox();
  }
  return out;
}

nlohmann::json sync_totals(const DovecotServer& server, const TempDir& dir, const std::string& user,
                           const std::string& mbox) {
  const std::string report = dir.file(user + ".json");
  auto result = run_mailferry(server.sync_args("mbox:" + mbox, user, {"--report", report}));
  CHECK(result.exit_code == 0);
  return nlohmann::json::parse(read_file(report))["totals"];
}

std::multiset<std::uint64_t> inbox_sizes(const DovecotServer& server, const std::string& user) {
  std::multiset<std::uint64_t> out;
  const auto snapshot = imap_snapshot(server, user);
  for (const auto& m : snapshot.at("INBOX")) out.insert(m.size);
  return out;
}

}  // namespace

TEST_CASE(
    "mbox rerun: copies an older version uploaded with Status and X-Mozilla-Status lines are "
    "found present, and nothing is uploaded again") {
  DovecotServer server;
  TempDir dir;
  const auto messages = stored_messages();
  const std::string mbox = dir.write_file("Inbox.mbox", mbox_of(messages));

  // The way it was: every message on the server with its bookkeeping fields.
  std::multiset<std::uint64_t> old_sizes;
  for (const auto& m : messages) {
    server.save_message("olduser", "INBOX", m.as_uploaded_before(), "\\Seen");
    old_sizes.insert(m.as_uploaded_before().size());
  }
  const auto totals = sync_totals(server, dir, "olduser", mbox);
  CHECK(totals["appended"].get<int>() == 0);
  CHECK(totals["present"].get<int>() == static_cast<int>(messages.size()));
  CHECK(server.message_count("olduser", "INBOX") == static_cast<int>(messages.size()));
  CHECK(inbox_sizes(server, "olduser") == old_sizes);
}

TEST_CASE("mbox rerun: a fresh migration uploads the messages as sent, and a re-run finds them") {
  DovecotServer server;
  TempDir dir;
  const auto messages = stored_messages();
  const std::string mbox = dir.write_file("Inbox.mbox", mbox_of(messages));

  CHECK(sync_totals(server, dir, "newuser", mbox)["appended"].get<int>() ==
        static_cast<int>(messages.size()));
  std::multiset<std::string> expected, stored;
  for (const auto& m : messages) expected.insert(sha256_hex(m.as_sent()));
  const auto snapshot = imap_snapshot(server, "newuser");
  for (const auto& m : snapshot.at("INBOX")) stored.insert(m.sha256);
  CHECK(stored == expected);  // byte for byte as sent: RFC822.SIZE as doveadm import keeps it

  const auto again = sync_totals(server, dir, "newuser", mbox);
  CHECK(again["appended"].get<int>() == 0);
  CHECK(again["present"].get<int>() == static_cast<int>(messages.size()));
}
