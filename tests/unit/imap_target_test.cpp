// ImapTarget against a scripted server, for what the test Dovecot does not
// offer: APPENDLIMIT, quota, a refused special use, folders without keyword
// support, odd folder names, CREATE-SPECIAL-USE. The real-server tests are in
// tests/integration/imap_target_test.cpp.
#include "mailferry/target/imap_target.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/core/error.hpp"

using namespace mailferry;
using target::AppendItem;
using target::AppendOutcome;
using target::ImapTarget;
using testing::imap_fake::Body;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Script;
using testing::imap_fake::scripted;
using testing::imap_fake::Server;

namespace {

std::unique_ptr<ImapTarget> connect(const std::shared_ptr<Server>& server,
                                    std::size_t max_in_flight = 64) {
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  ImapTarget::Tuning tuning;
  tuning.max_in_flight = max_in_flight;
  return std::make_unique<ImapTarget>(options, tuning, [server](const net::ConnectOptions&) {
    return std::make_unique<FakeConnection>(server);
  });
}

std::string select_answer(const std::string& tag, const std::string& permanent, int exists = 0) {
  return "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
         "* OK [PERMANENTFLAGS (" +
         permanent +
         ")] Flags permitted.\r\n"
         "* " +
         std::to_string(exists) +
         " EXISTS\r\n"
         "* OK [UIDVALIDITY 77] UIDs valid\r\n"
         "* OK [UIDNEXT 9] Predicted next UID\r\n" +
         tag + " OK [READ-WRITE] Select completed.\r\n";
}

AppendItem item(std::string bytes, core::Flags flags = {}) {
  AppendItem it;
  it.size = bytes.size();
  it.flags = flags;
  it.internal_date = {1549102333, 60};
  it.where = "item";
  it.open_body = [bytes] { return std::make_unique<Body>(bytes); };
  return it;
}

std::vector<std::string> commands_starting(const Server& s, const std::string& verb) {
  std::vector<std::string> out;
  for (const auto& c : s.commands) {
    std::string rest = c.substr(c.find(' ') + 1);
    if (rest.rfind(verb, 0) == 0) out.push_back(rest);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "imap target (scripted): keywords a folder cannot keep are dropped, APPENDLIMIT is local") {
  int uid = 0;
  auto server =
      scripted("IMAP4rev1 LITERAL+ UIDPLUS APPENDLIMIT=100",
               {{"SELECT",
                 [](const std::string& t) {
                   return select_answer(t, "\\Answered \\Flagged \\Deleted \\Seen \\Draft");
                 }},
                {"APPEND", [&uid](const std::string& t) {
                   return t + " OK [APPENDUID 77 " + std::to_string(++uid) + "] done\r\n";
                 }}});
  auto target = connect(server);
  core::Flags flags(core::Flag::Seen);
  flags.add(core::Flag::Forwarded);
  flags.add(core::Flag::MdnSent);
  std::vector<AppendOutcome> outcomes(2);
  target->append("INBOX", {item(std::string(50, 'a'), flags), item(std::string(150, 'b'))},
                 [&](std::size_t i, const AppendOutcome& o) { outcomes[i] = o; });
  CHECK(outcomes[0].ok);
  CHECK(outcomes[0].uidvalidity == 77);
  CHECK(outcomes[0].uid == 1);
  CHECK_FALSE(outcomes[1].ok);
  CHECK(outcomes[1].error.scope == core::ErrorScope::Message);
  CHECK(outcomes[1].error.message.find("APPENDLIMIT") != std::string::npos);
  auto appends = commands_starting(*server, "APPEND");
  REQUIRE(appends.size() == 1);
  CHECK(appends[0] ==
        "APPEND INBOX (\\Seen) \"02-Feb-2019 11:12:13 +0100\" {50+}\r\n" + std::string(50, 'a'));
  auto snapshot = target->index_folder("INBOX", false, [](target::TargetMessage) {});
  CHECK_FALSE(snapshot.keywords_allowed);
  CHECK(snapshot.uidvalidity == 77);
  CHECK(snapshot.uidnext == 9);
}

TEST_CASE(
    "imap target (scripted): OVERQUOTA stops the run with an account error after known outcomes") {
  int appends = 0;
  auto server = scripted("IMAP4rev1 LITERAL+",
                         {{"SELECT", [](const std::string& t) { return select_answer(t, "\\*"); }},
                          {"APPEND", [&appends](const std::string& t) {
                             return ++appends <= 2 ? t + " OK done\r\n"
                                                   : t + " NO [OVERQUOTA] Quota exceeded\r\n";
                           }}});
  auto target = connect(server, 2);
  std::vector<AppendItem> items;
  for (int i = 0; i < 20; ++i) items.push_back(item("message " + std::to_string(i)));
  std::map<std::size_t, AppendOutcome> outcomes;
  try {
    target->append("Archive", items,
                   [&](std::size_t i, const AppendOutcome& o) { outcomes[i] = o; });
    FAIL("no error");
  } catch (const core::ServerError& e) {
    CHECK(e.scope() == core::ErrorScope::Account);
    CHECK(std::string(e.what()).find("OVERQUOTA") != std::string::npos);
  }
  CHECK(outcomes.at(0).ok);
  CHECK(outcomes.at(1).ok);
  CHECK(outcomes.at(2).error.scope == core::ErrorScope::Account);
  CHECK(outcomes.size() < items.size());  // the rest never went out
  CHECK(static_cast<std::size_t>(appends) == outcomes.size());
}

TEST_CASE("imap target (scripted): TRYCREATE is a folder error") {
  auto server = scripted("IMAP4rev1 LITERAL+",
                         {{"SELECT", [](const std::string& t) { return select_answer(t, "\\*"); }},
                          {"APPEND", [](const std::string& t) {
                             return t + " NO [TRYCREATE] Mailbox doesn't exist\r\n";
                           }}});
  auto target = connect(server);
  std::vector<AppendOutcome> outcomes;
  CHECK_THROWS_WITH_AS(
      target->append("Gone", {item("x")},
                     [&](std::size_t, const AppendOutcome& o) { outcomes.push_back(o); }),
      doctest::Contains("TRYCREATE"), core::ServerError);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].error.scope == core::ErrorScope::Folder);
}

TEST_CASE(
    "imap target (scripted): CREATE marks the role, falls back when refused, then subscribes") {
  auto server = scripted(
      "IMAP4rev1 CREATE-SPECIAL-USE",
      {{"CREATE Sent2 (USE",
        [](const std::string& t) { return t + " NO [USEATTR] Not supported\r\n"; }},
       {"CREATE Drafts2 (USE", [](const std::string& t) { return t + " OK done\r\n"; }},
       {"CREATE Existing",
        [](const std::string& t) { return t + " NO [ALREADYEXISTS] Exists\r\n"; }},
       {"CREATE Refused", [](const std::string& t) { return t + " NO [CANNOT] Bad name\r\n"; }},
       {"LIST", [](const std::string& t) { return t + " OK done\r\n"; }}});
  auto target = connect(server);
  target->create_folder("Sent2", core::Role::Sent);
  target->create_folder("Drafts2", core::Role::Drafts);
  target->create_folder("Existing", core::Role::None);
  CHECK_THROWS_AS(target->create_folder("Refused", core::Role::None), core::ServerError);
  auto creates = commands_starting(*server, "CREATE");
  REQUIRE(creates.size() == 5);
  CHECK(creates[0] == "CREATE Sent2 (USE (\\Sent))");
  CHECK(creates[1] == "CREATE Sent2");
  CHECK(creates[2] == "CREATE Drafts2 (USE (\\Drafts))");
  CHECK(creates[3] == "CREATE Existing");
  auto subscribes = commands_starting(*server, "SUBSCRIBE");
  CHECK(subscribes ==
        std::vector<std::string>{"SUBSCRIBE Sent2", "SUBSCRIBE Drafts2", "SUBSCRIBE Existing"});
}

TEST_CASE(
    "imap target (scripted): LIST gives roles, delimiters and names the server can take back") {
  for (bool extended : {true, false}) {
    CAPTURE(extended);
    auto server =
        scripted(extended ? "IMAP4rev1 SPECIAL-USE LIST-EXTENDED" : "IMAP4rev1",
                 {{"LIST",
                   [](const std::string& t) {
                     return "* LIST (\\HasNoChildren) \".\" Inbox\r\n"
                            "* LIST (\\HasNoChildren \\Sent) \".\" \"Gesendete Objekte\"\r\n"
                            "* LIST (\\Noselect \\HasChildren) \".\" Archiv\r\n"
                            "* LIST (\\HasNoChildren) \".\" \"Archiv.&AMQ-rger\"\r\n"
                            "* LIST (\\HasNoChildren) \".\" \"Bad&Name\"\r\n"
                            "* LIST () NIL Flat\r\n" +
                            t + " OK done\r\n";
                   }},
                  {"EXAMINE", [](const std::string& t) { return select_answer(t, ""); }}});
    auto target = connect(server);
    auto folders = target->list_folders();
    REQUIRE(folders.size() == 6);
    CHECK(folders[0].name == "INBOX");
    CHECK(folders[0].role == core::Role::Inbox);
    CHECK(folders[1].name == "Gesendete Objekte");
    CHECK(folders[1].role == core::Role::Sent);
    CHECK(folders[1].delimiter == '.');
    CHECK_FALSE(folders[2].selectable);
    CHECK(folders[3].name == "Archiv.\xc3\x84rger");
    CHECK(folders[4].name == "Bad&Name");  // not modified UTF-7: kept as sent
    CHECK(folders[5].delimiter == '\0');
    auto lists = commands_starting(*server, "LIST");
    REQUIRE(lists.size() == 1);
    CHECK(lists[0] == (extended ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\""));
    // Names go back exactly as listed.
    auto snapshot = target->index_folder("Bad&Name", true, [](target::TargetMessage) {});
    target->index_folder("Archiv.\xc3\x84rger", true, [](target::TargetMessage) {});
    auto examines = commands_starting(*server, "EXAMINE");
    CHECK(examines == std::vector<std::string>{"EXAMINE Bad&Name", "EXAMINE Archiv.&AMQ-rger"});
    CHECK(snapshot.keywords_allowed);  // EXAMINE lists no permanent flags: not a "no"
  }
}

TEST_CASE("imap target (scripted): the index streams FETCH results and skips unsolicited ones") {
  auto server = scripted(
      "IMAP4rev1",
      {{"SELECT", [](const std::string& t) { return select_answer(t, "\\*", 2); }},
       {"UID FETCH", [](const std::string& t) {
          std::string h1 = "Message-ID: <One@Example.COM>\r\n\r\n";
          std::string h2 = "Subject: no id\r\nDate: Sat, 02 Feb 2019 11:12:13 +0100\r\n\r\n";
          return "* 1 FETCH (UID 5 FLAGS (\\Seen $Forwarded) RFC822.SIZE 100 INTERNALDATE "
                 "\"02-Feb-2019 11:12:13 +0100\" BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM TO CC "
                 "SUBJECT)] {" +
                 std::to_string(h1.size()) + "}\r\n" + h1 +
                 ")\r\n"
                 "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
                 "* 2 FETCH (UID 9 FLAGS () RFC822.SIZE 200 INTERNALDATE "
                 "\"02-Feb-2019 11:12:13 +0100\" BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM TO CC "
                 "SUBJECT)] {" +
                 std::to_string(h2.size()) + "}\r\n" + h2 + ")\r\n" + t + " OK done\r\n";
        }}});
  auto target = connect(server);
  std::vector<target::TargetMessage> seen;
  auto snapshot = target->index_folder(
      "INBOX", false, [&](target::TargetMessage m) { seen.push_back(std::move(m)); });
  CHECK(snapshot.messages == 2);
  CHECK(snapshot.keywords_allowed);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].uid == 5);
  CHECK(seen[0].key.value == "<One@example.com>");
  CHECK(seen[0].flags.has(core::Flag::Forwarded));
  CHECK(seen[0].size == 100);
  CHECK(seen[0].internal_date.utc == 1549102333);
  CHECK(seen[1].uid == 9);
  CHECK(seen[1].key.is_fingerprint());
  auto fetches = commands_starting(*server, "UID FETCH");
  REQUIRE(fetches.size() == 1);
  CHECK(fetches[0] ==
        "UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (Message-ID "
        "Date From To Cc Subject Status X-Status X-Keywords X-UID X-IMAP X-IMAPbase Content-Length "
        "X-Mozilla-Status X-Mozilla-Status2 X-Mozilla-Keys)])");
}

TEST_CASE(
    "imap target (scripted): update_flags groups additions and removals by flag set in compact "
    "UID sets") {
  auto server = scripted(
      "IMAP4rev1",
      {{"SELECT",
        [](const std::string& t) {
          return select_answer(t, "\\Answered \\Flagged \\Deleted \\Seen \\Draft $MDNSent");
        }},
       {"UID STORE 9", [](const std::string& t) { return t + " NO Cannot store\r\n"; }}});
  auto target = connect(server);
  core::Flags seen_flagged(core::Flag::Seen);
  seen_flagged.add(core::Flag::Flagged);
  target->update_flags("INBOX", {{1, core::Flag::Seen},
                                 {3, core::Flag::Seen},
                                 {2, core::Flag::Seen},
                                 {5, core::Flag::Seen},
                                 {7, seen_flagged},
                                 {8, core::Flag::Forwarded},  // not permanent here: dropped
                                 {6, core::Flag::MdnSent},
                                 {4, {}, core::Flag::Flagged},
                                 {2, {}, core::Flag::Flagged}});
  auto stores = commands_starting(*server, "UID STORE");
  CHECK(stores == std::vector<std::string>{"UID STORE 6 +FLAGS.SILENT ($MDNSent)",
                                           "UID STORE 7 +FLAGS.SILENT (\\Seen \\Flagged)",
                                           "UID STORE 1:3,5 +FLAGS.SILENT (\\Seen)",
                                           "UID STORE 2,4 -FLAGS.SILENT (\\Flagged)"});
  CHECK_THROWS_WITH_AS(target->update_flags("INBOX", {{9, core::Flag::Seen}}),
                       doctest::Contains("Cannot store"), core::ServerError);
}
