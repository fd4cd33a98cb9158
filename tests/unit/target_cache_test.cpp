// The target index cache: its stored form, the state store under it, and
// ImapTarget's side of it against scripted servers (what a re-run asks the
// server before it trusts a kept index, and what it asks before keeping one).
// The end-to-end behaviour against Dovecot is in tests/integration/rerun_cache_test.cpp.
#include "mailferry/sync/target_cache.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using sync::CachedFolder;
using sync::CachedMessage;
using sync::TargetCache;
using target::FolderSnapshot;
using target::ImapTarget;
using target::IndexChange;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Server;

namespace {

CachedFolder sample(std::size_t n) {
  CachedFolder f;
  f.snapshot.uidvalidity = 1795326533;
  f.snapshot.uidnext = static_cast<std::uint32_t>(n * 3 + 10);
  f.snapshot.messages = static_cast<std::uint32_t>(n);
  f.snapshot.highest_modseq = 1ull << 40;
  f.snapshot.keywords_allowed = true;
  for (std::size_t i = 0; i < n; ++i) {
    CachedMessage m;
    m.uid = static_cast<std::uint32_t>(i * 3 + 1);
    m.key.value = i % 5 == 0 ? "fp:" + std::string(32, 'a' + i % 26)
                             : "<" + std::to_string(i) + "@example.com>";
    m.flags = core::Flags(static_cast<std::uint8_t>(i % 128));
    m.size = 1000 + i * 7919;
    f.messages.push_back(m);
  }
  return f;
}

// Answers by the start of the command; the rest get OK.
std::shared_ptr<Server> scripted(std::map<std::string, std::string> answers) {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+ UIDPLUS CONDSTORE ESEARCH";
  server->answer = [answers](const std::string& tag, const std::string& command) {
    std::string best;
    for (const auto& [prefix, _] : answers)
      if (command.rfind(prefix, 0) == 0 && prefix.size() > best.size()) best = prefix;
    return best.empty() ? tag + " OK done\r\n" : answers.at(best) + tag + " OK done\r\n";
  };
  return server;
}

std::unique_ptr<ImapTarget> connect(const std::shared_ptr<Server>& server) {
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  return std::make_unique<ImapTarget>(
      options, ImapTarget::Tuning{},
      [server](const net::ConnectOptions&) { return std::make_unique<FakeConnection>(server); });
}

std::string selected(std::uint32_t exists, std::uint32_t uidnext, std::uint64_t modseq,
                     std::uint32_t uidvalidity = 77) {
  return "* FLAGS (\\Seen)\r\n* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n* " +
         std::to_string(exists) + " EXISTS\r\n* OK [UIDVALIDITY " + std::to_string(uidvalidity) +
         "] ok\r\n* OK [UIDNEXT " + std::to_string(uidnext) + "] ok\r\n* OK [HIGHESTMODSEQ " +
         std::to_string(modseq) + "] ok\r\n";
}

std::string fetched(std::uint32_t seq, std::uint32_t uid, const std::string& id) {
  std::string header = "Message-ID: <" + id + ">\r\n\r\n";
  return "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(uid) +
         " FLAGS (\\Seen) RFC822.SIZE 100 INTERNALDATE \"02-Feb-2019 11:12:13 +0100\" "
         "BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM TO CC SUBJECT)] {" +
         std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
}

std::vector<std::string> sent(const Server& s, const std::string& verb) {
  std::vector<std::string> out;
  for (const auto& c : s.commands) {
    std::string rest = c.substr(c.find(' ') + 1);
    if (rest.rfind(verb, 0) == 0) out.push_back(rest);
  }
  return out;
}

FolderSnapshot known(std::uint32_t messages, std::uint32_t uidnext, std::uint64_t modseq) {
  FolderSnapshot s;
  s.uidvalidity = 77;
  s.messages = messages;
  s.uidnext = uidnext;
  s.highest_modseq = modseq;
  return s;
}

}  // namespace

TEST_CASE("target cache: the stored form reads back exactly") {
  for (std::size_t n : {0u, 1u, 1000u}) {
    const CachedFolder f = sample(n);
    auto back = TargetCache::decode(TargetCache::encode(f));
    REQUIRE(back);
    CHECK(back->messages == f.messages);
    CHECK(back->snapshot.uidvalidity == f.snapshot.uidvalidity);
    CHECK(back->snapshot.uidnext == f.snapshot.uidnext);
    CHECK(back->snapshot.messages == f.snapshot.messages);
    CHECK(back->snapshot.highest_modseq == f.snapshot.highest_modseq);
    CHECK(back->snapshot.keywords_allowed);
  }
}

TEST_CASE("target cache: a damaged or foreign stored form is no cache") {
  const std::string good = TargetCache::encode(sample(50));
  CHECK_FALSE(TargetCache::decode(""));
  CHECK_FALSE(TargetCache::decode(good.substr(0, good.size() - 1)));  // cut short
  CHECK_FALSE(TargetCache::decode(good + "x"));                       // trailing bytes
  std::string version = good;
  version[0] = 9;
  CHECK_FALSE(TargetCache::decode(version));
  CachedFolder wrong_count = sample(3);
  wrong_count.snapshot.messages = 4;  // the snapshot counts a message the list lacks
  CHECK_FALSE(TargetCache::decode(TargetCache::encode(wrong_count)));
  // Every truncation is refused, none crashes.
  for (std::size_t cut = 0; cut < good.size(); cut += 7)
    CHECK_FALSE(TargetCache::decode(good.substr(0, cut)));
}

TEST_CASE("target cache: kept per account and folder in the state store") {
  testing::TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  TargetCache alice(store, "imaps://alice@host:993");
  TargetCache bob(store, "imaps://bob@host:993");
  alice.save("INBOX", sample(10));
  CHECK(alice.load("INBOX")->messages.size() == 10);
  CHECK_FALSE(bob.load("INBOX"));
  CHECK_FALSE(alice.load("Sent"));
  alice.save("INBOX", sample(3));  // replaced, not added to
  CHECK(alice.load("INBOX")->messages.size() == 3);
  alice.forget("INBOX");
  CHECK_FALSE(alice.load("INBOX"));
}

TEST_CASE("target cache (scripted): nothing changed costs one SELECT and no FETCH") {
  auto server = scripted({{"SELECT", selected(2, 9, 40)}});
  auto target = connect(server);
  int each = 0;
  auto result = target->index_folder_since(
      "INBOX", false, known(2, 9, 40), [&](target::TargetMessage) { ++each; },
      [&](std::uint32_t, core::Flags) { ++each; });
  CHECK(result.change == IndexChange::Unchanged);
  CHECK(each == 0);
  CHECK(sent(*server, "SELECT") == std::vector<std::string>{"SELECT INBOX (CONDSTORE)"});
  CHECK(sent(*server, "UID").empty());
}

TEST_CASE("target cache (scripted): new messages and flag changes are fetched, nothing else") {
  auto server = scripted(
      {{"SELECT", selected(3, 12, 45)},
       {"UID SEARCH", "* ESEARCH (TAG \"x\") UID COUNT 2\r\n"},
       {"UID FETCH 1:8 (UID FLAGS)", "* 1 FETCH (UID 3 FLAGS (\\Seen \\Flagged) MODSEQ (44))\r\n"},
       {"UID FETCH 9:*", fetched(3, 11, "new@example.com")}});
  auto target = connect(server);
  std::vector<target::TargetMessage> added;
  std::vector<std::pair<std::uint32_t, core::Flags>> changed;
  auto result = target->index_folder_since(
      "INBOX", false, known(2, 9, 40), [&](target::TargetMessage m) { added.push_back(m); },
      [&](std::uint32_t uid, core::Flags flags) { changed.emplace_back(uid, flags); });
  CHECK(result.change == IndexChange::Added);
  REQUIRE(added.size() == 1);
  CHECK(added[0].uid == 11);
  CHECK(added[0].key.value == "<new@example.com>");
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].first == 3);
  CHECK(changed[0].second.has(core::Flag::Flagged));
  CHECK(sent(*server, "UID SEARCH") ==
        std::vector<std::string>{"UID SEARCH RETURN (COUNT) UID 1:8"});
  auto fetches = sent(*server, "UID FETCH");
  REQUIRE(fetches.size() == 2);
  CHECK(fetches[0] == "UID FETCH 1:8 (UID FLAGS) (CHANGEDSINCE 40)");
  CHECK(fetches[1].rfind("UID FETCH 9:* (UID FLAGS RFC822.SIZE", 0) == 0);
}

TEST_CASE("target cache (scripted): a removed message or a new UIDVALIDITY means a full index") {
  SUBCASE("a message went: the older ones no longer count up") {
    auto server = scripted(
        {{"SELECT", selected(2, 12, 45)},
         {"UID SEARCH", "* ESEARCH (TAG \"x\") UID COUNT 1\r\n"},
         {"UID FETCH 1:*", fetched(1, 5, "a@example.com") + fetched(2, 11, "b@example.com")}});
    auto target = connect(server);
    std::vector<std::uint32_t> uids;
    auto result = target->index_folder_since(
        "INBOX", false, known(2, 9, 40), [&](target::TargetMessage m) { uids.push_back(m.uid); },
        [](std::uint32_t, core::Flags) {});
    CHECK(result.change == IndexChange::Full);
    CHECK(uids == std::vector<std::uint32_t>{5, 11});
  }
  SUBCASE("same UIDNEXT, fewer messages") {
    auto server = scripted(
        {{"SELECT", selected(1, 9, 41)}, {"UID FETCH 1:*", fetched(1, 5, "a@example.com")}});
    auto target = connect(server);
    auto result = target->index_folder_since(
        "INBOX", false, known(2, 9, 40), [](target::TargetMessage) {},
        [](std::uint32_t, core::Flags) {});
    CHECK(result.change == IndexChange::Full);
  }
  SUBCASE("the folder was recreated") {
    auto server = scripted({{"SELECT", selected(2, 9, 40, 78)}});
    auto target = connect(server);
    auto result = target->index_folder_since(
        "INBOX", false, known(2, 9, 40), [](target::TargetMessage) {},
        [](std::uint32_t, core::Flags) {});
    CHECK(result.change == IndexChange::Full);
    CHECK(sent(*server, "UID FETCH").size() == 1);
  }
}

TEST_CASE("target cache (scripted): an index is kept only when the server holds exactly its UIDs") {
  auto server = scripted(
      {{"STATUS", "* STATUS INBOX (MESSAGES 3 UIDNEXT 12 UIDVALIDITY 77 HIGHESTMODSEQ 50)\r\n"},
       {"EXAMINE", selected(3, 12, 50)},
       {"UID SEARCH", "* ESEARCH (TAG \"x\") UID ALL 3:4,11\r\n"}});
  auto target = connect(server);
  auto exact = target->snapshot_if_exactly("INBOX", {3, 4, 11});
  REQUIRE(exact);
  CHECK(exact->uidnext == 12);
  CHECK(exact->messages == 3);
  CHECK(exact->highest_modseq == 50);
  CHECK(exact->keywords_allowed);
  CHECK(sent(*server, "UID SEARCH").back() == "UID SEARCH RETURN (ALL) ALL");
  CHECK_FALSE(target->snapshot_if_exactly("INBOX", {3, 4, 10}));  // another message is there
  CHECK_FALSE(target->snapshot_if_exactly("INBOX", {3, 4}));      // the count differs
}
