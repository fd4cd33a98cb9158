// ImapTarget against a real Dovecot: TLS and login, folders with non-ASCII
// names, pipelined APPEND with flags and INTERNALDATE, a streamed 5 MB body, a
// body that fails mid-literal, UID STORE, and a dry run that changes nothing.
// What the server holds is checked through doveadm and through an independent
// IMAP client (imap_snapshot), not only through ImapTarget itself.
#include "mailferry/target/imap_target.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/imap/client.hpp"
#include "mailferry/target/dry_run_target.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"

using namespace mailferry;
using mailferry::testing::DovecotServer;
using target::AppendItem;
using target::AppendOutcome;
using target::ImapTarget;
using target::TargetMessage;

namespace {

DovecotServer& server() {
  static DovecotServer instance;
  return instance;
}

net::ConnectOptions options_for(const std::string& user, bool implicit_tls = true) {
  net::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = implicit_tls ? server().imaps_port() : server().imap_port();
  o.implicit_tls = implicit_tls;
  o.ca_file = server().ca_file();
  o.user = user;
  o.password = core::Secret(server().password());
  o.timeout = std::chrono::seconds(30);
  return o;
}

std::string message(const std::string& id, int n, std::size_t body_lines) {
  std::string m = "Message-ID: <" + id +
                  ">\r\n"
                  "Date: Sat, 02 Feb 2019 11:12:13 +0100\r\n"
                  "From: Alice <alice@example.org>\r\n"
                  "To: Bob <bob@example.org>\r\n"
                  "Subject: message " +
                  std::to_string(n) +
                  "\r\n"
                  "\r\n";
  for (std::size_t i = 0; i < body_lines; ++i)
    m += "line " + std::to_string(i) + " of message " + std::to_string(n) + "\r\n";
  return m;
}

// A body from memory that remembers how it was read.
class StringBody final : public core::BodyReader {
 public:
  StringBody(std::string bytes, std::size_t fail_after = std::string::npos)
      : bytes_(std::move(bytes)), fail_after_(fail_after) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (pos_ >= fail_after_)
      throw core::SourceError("read error in the test source", core::ErrorScope::Message);
    std::size_t n = std::min({capacity, bytes_.size() - pos_, fail_after_ - pos_});
    bytes_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
  std::size_t fail_after_;
};

AppendItem item_for(const std::string& bytes, core::Flags flags, core::InternalDate date,
                    std::size_t fail_after = std::string::npos) {
  AppendItem item;
  item.size = bytes.size();
  item.flags = flags;
  item.internal_date = date;
  item.open_body = [bytes, fail_after] { return std::make_unique<StringBody>(bytes, fail_after); };
  item.where = "test message";
  return item;
}

std::vector<TargetMessage> index_of(target::Target& t, const std::string& folder,
                                    bool read_only = false) {
  std::vector<TargetMessage> out;
  t.index_folder(folder, read_only, [&](TargetMessage m) { out.push_back(std::move(m)); });
  return out;
}

// doveadm's view: uid -> (flags without \Recent, INTERNALDATE, size with CRLF)
struct DoveadmMessage {
  std::set<std::string> flags;
  long long date = 0;
  std::uint64_t size = 0;
};
std::map<std::uint32_t, DoveadmMessage> doveadm_fetch(const std::string& user,
                                                      const std::string& folder) {
  std::string out = server().doveadm(std::vector<std::string>{
      "-f", "tab", "fetch", "-u", user, "uid flags date.received.unixtime size.virtual", "mailbox",
      folder, "all"});
  std::istringstream lines(out);
  std::string line;
  std::getline(lines, line);  // the header
  std::map<std::uint32_t, DoveadmMessage> result;
  while (std::getline(lines, line)) {
    std::vector<std::string> cols;
    std::stringstream fields(line);
    std::string col;
    while (std::getline(fields, col, '\t')) cols.push_back(col);
    REQUIRE(cols.size() == 4);
    DoveadmMessage m;
    std::istringstream flag_words(cols[1]);
    std::string flag;
    while (flag_words >> flag)
      if (flag != "\\Recent") m.flags.insert(flag);
    m.date = std::stoll(cols[2]);
    m.size = std::stoull(cols[3]);
    result[static_cast<std::uint32_t>(std::stoul(cols[0]))] = m;
  }
  return result;
}

std::set<std::string> flag_set(core::Flags flags) {
  std::set<std::string> out;
  std::istringstream words(flags.to_imap());
  std::string w;
  while (words >> w) out.insert(w);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "imap target: imaps login verifies the fixture's CA and asks for capabilities after login") {
  ImapTarget t(options_for("tls-user"));
  CHECK(t.describe() == "imaps://tls-user@127.0.0.1:" + std::to_string(server().imaps_port()));
  CHECK(t.capabilities().has("IMAP4rev1"));
  CHECK(t.capabilities().has("UIDPLUS"));  // only after login: libcurl saw the pre-login list
  CHECK(t.capabilities().has("LITERAL+"));
  auto folders = t.list_folders();
  auto find = [&](const std::string& name) {
    return std::find_if(folders.begin(), folders.end(),
                        [&](const target::TargetFolder& f) { return f.name == name; });
  };
  REQUIRE(find("INBOX") != folders.end());
  CHECK(find("INBOX")->role == core::Role::Inbox);
  REQUIRE(find("Sent") != folders.end());
  CHECK(find("Sent")->role == core::Role::Sent);
  CHECK(find("Sent")->delimiter == '/');
  CHECK(find("Drafts")->role == core::Role::Drafts);
  CHECK(find("Trash")->role == core::Role::Trash);
}

TEST_CASE("imap target: imap:// uses STARTTLS and --insecure-plaintext does not") {
  {
    ImapTarget t(options_for("starttls-user", false));
    CHECK(t.list_folders().size() >= 1);
  }
  {
    auto o = options_for("plain-user", false);
    o.allow_plaintext = true;
    ImapTarget t(o);
    CHECK(t.list_folders().size() >= 1);
  }
  std::string log = server().log();
  bool tls_login = false, plain_login = false;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    if (!contains(line, "Login: ")) continue;
    if (contains(line, "user=<starttls-user>") && contains(line, ", TLS")) tls_login = true;
    if (contains(line, "user=<plain-user>") && !contains(line, ", TLS")) plain_login = true;
  }
  CHECK(tls_login);
  CHECK(plain_login);
}

TEST_CASE("imap target: a wrong password is a connection error naming the user") {
  auto o = options_for("wrong-pass-user");
  o.password = core::Secret("not the password");
  try {
    ImapTarget t(o);
    FAIL("logged in with a wrong password");
  } catch (const core::ConnectionError& e) {
    CHECK(e.exit_code() == core::kExitConnection);
    CHECK(contains(e.what(), "login failed for user wrong-pass-user"));
    CHECK_FALSE(contains(e.what(), "not the password"));
  }
}

TEST_CASE("imap target: an unknown CA is refused, with a hint to use --ca-file") {
  for (bool implicit_tls : {true, false}) {
    auto o = options_for("no-ca-user", implicit_tls);
    o.ca_file.clear();
    try {
      ImapTarget t(o);
      FAIL("connected without trusting the test CA");
    } catch (const core::ConnectionError& e) {
      CHECK(contains(e.what(), "certificate"));
      CHECK(contains(e.what(), "--ca-file"));
    }
  }
  auto o = options_for("bad-ca-user");
  o.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH_AS(ImapTarget{o}, doctest::Contains("/nonexistent/ca.pem"),
                       core::ConnectionError);
}

TEST_CASE("imap target: folders with non-ASCII names are created and listed in UTF-8") {
  const std::string user = "utf8-folders";
  ImapTarget t(options_for(user));
  const std::vector<std::string> names = {
      "Entw\xc3\xbcrfe alt",                                            // German
      "\xeb\xb3\xb4\xeb\x82\xb8 \xed\x8e\xb8\xec\xa7\x80\xed\x95\xa8",  // Korean
      "\xe9\x80\x81\xe4\xbf\xa1\xe6\xb8\x88\xe3\x81\xbf",               // Japanese
      "Tom & Jerry",
      "Archiv/\xc3\x84rger",  // nested
  };
  for (const auto& name : names) t.create_folder(name, core::Role::None);
  t.create_folder(names[0], core::Role::None);  // again: not an error
  auto listed = t.list_folders();
  std::set<std::string> listed_names;
  for (const auto& f : listed) listed_names.insert(f.name);
  for (const auto& name : names) CHECK(listed_names.count(name) == 1);
  CHECK(listed_names.count("Archiv") == 1);
  auto on_server = server().mailboxes(user);
  for (const auto& name : names)
    CHECK(std::find(on_server.begin(), on_server.end(), name) != on_server.end());
  // Subscribed, as the interface promises.
  std::string subscribed =
      server().doveadm(std::vector<std::string>{"mailbox", "list", "-u", user, "-s"});
  CHECK(contains(subscribed, names[1]));

  std::string bytes = message("korean@mailferry.test", 1, 3);
  std::vector<AppendOutcome> outcomes;
  t.append(names[1], {item_for(bytes, core::Flag::Seen, {1549102333, 60})},
           [&](std::size_t, const AppendOutcome& o) { outcomes.push_back(o); });
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].ok);
  CHECK(server().message_count(user, names[1]) == 1);
  auto indexed = index_of(t, names[1], true);
  REQUIRE(indexed.size() == 1);
  CHECK(indexed[0].key.value == "<korean@mailferry.test>");
}

TEST_CASE("imap target: 200 pipelined APPENDs keep flags, INTERNALDATE and every byte") {
  const std::string user = "append-200";
  ImapTarget t(options_for(user));
  std::vector<std::string> bytes;
  std::vector<AppendItem> items;
  for (int i = 0; i < 200; ++i) {
    bytes.push_back(message("m" + std::to_string(i) + "@Mailferry.Test", i, 5 + i % 40));
    core::Flags flags(static_cast<std::uint8_t>(i % 128));
    core::InternalDate date{1549102333 + static_cast<std::time_t>(i) * 25200, ((i % 5) - 2) * 90};
    items.push_back(item_for(bytes.back(), flags, date));
  }
  std::vector<AppendOutcome> outcomes(items.size());
  std::vector<int> order;
  t.append("INBOX", items, [&](std::size_t i, const AppendOutcome& o) {
    outcomes[i] = o;
    order.push_back(static_cast<int>(i));
  });
  REQUIRE(order.size() == 200);
  std::set<std::uint32_t> uids;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    CAPTURE(i);
    CHECK(outcomes[i].ok);
    CHECK(outcomes[i].uidvalidity != 0);  // APPENDUID (UIDPLUS)
    CHECK(outcomes[i].uid != 0);
    uids.insert(outcomes[i].uid);
  }
  CHECK(uids.size() == 200);

  auto indexed = index_of(t, "INBOX");
  REQUIRE(indexed.size() == 200);
  std::map<std::uint32_t, TargetMessage> by_uid;
  for (auto& m : indexed) by_uid[m.uid] = m;
  auto dove = doveadm_fetch(user, "INBOX");
  REQUIRE(dove.size() == 200);
  auto snapshot = testing::imap_snapshot(server(), user);
  std::map<std::uint32_t, std::string> sha_by_uid;
  for (const auto& m : snapshot["INBOX"]) sha_by_uid[m.uid] = m.sha256;
  for (std::size_t i = 0; i < items.size(); ++i) {
    CAPTURE(i);
    const std::uint32_t uid = outcomes[i].uid;
    REQUIRE(by_uid.count(uid) == 1);
    const TargetMessage& m = by_uid[uid];
    CHECK(m.key.value == "<m" + std::to_string(i) + "@mailferry.test>");
    CHECK(m.flags == items[i].flags);
    CHECK(m.size == bytes[i].size());
    CHECK(m.internal_date.utc == items[i].internal_date.utc);
    CHECK(dove[uid].flags == flag_set(items[i].flags));
    CHECK(dove[uid].date == items[i].internal_date.utc);
    CHECK(dove[uid].size == bytes[i].size());
    CHECK(sha_by_uid[uid] == testing::sha256_hex(bytes[i]));
  }
  auto status = t.status("INBOX");
  CHECK(status.messages == 200);
  CHECK(status.uidnext == *uids.rbegin() + 1);
}

TEST_CASE("imap target: a 5 MB message is streamed in chunks, not held") {
  const std::string user = "big-message";
  ImapTarget t(options_for(user));
  std::string bytes = message("big@mailferry.test", 0, 0);
  while (bytes.size() < 5 * 1024 * 1024)
    bytes +=
        "This is a long line of a big message, number " + std::to_string(bytes.size()) + "\r\n";
  struct CountingBody final : core::BodyReader {
    const std::string& data;
    std::size_t pos = 0, reads = 0, largest = 0;
    explicit CountingBody(const std::string& d) : data(d) {}
    std::size_t read(char* buffer, std::size_t capacity) override {
      ++reads;
      largest = std::max(largest, capacity);
      std::size_t n = std::min(capacity, data.size() - pos);
      data.copy(buffer, n, pos);
      pos += n;
      return n;
    }
  };
  std::size_t reads = 0, largest = 0;
  AppendItem item;
  item.size = bytes.size();
  item.flags = core::Flag::Flagged;
  item.internal_date = {1262304000, 0};
  item.where = "big";
  item.open_body = [&]() -> std::unique_ptr<core::BodyReader> {
    struct Reporting final : core::BodyReader {
      CountingBody inner;
      std::size_t& reads;
      std::size_t& largest;
      Reporting(const std::string& d, std::size_t& r, std::size_t& l)
          : inner(d), reads(r), largest(l) {}
      ~Reporting() override {
        reads = inner.reads;
        largest = inner.largest;
      }
      std::size_t read(char* b, std::size_t c) override { return inner.read(b, c); }
    };
    return std::make_unique<Reporting>(bytes, reads, largest);
  };
  AppendOutcome outcome;
  t.append("INBOX", {item}, [&](std::size_t, const AppendOutcome& o) { outcome = o; });
  CHECK(outcome.ok);
  CHECK(largest <= 64 * 1024);
  CHECK(reads >= bytes.size() / (64 * 1024));
  auto snapshot = testing::imap_snapshot(server(), user);
  REQUIRE(snapshot["INBOX"].size() == 1);
  CHECK(snapshot["INBOX"][0].size == bytes.size());
  CHECK(snapshot["INBOX"][0].sha256 == testing::sha256_hex(bytes));
  CHECK(snapshot["INBOX"][0].flags.count("\\Flagged") == 1);
}

TEST_CASE(
    "imap target: a body failing mid-literal leaves no partial message and the rest goes on") {
  const std::string user = "broken-body";
  ImapTarget t(options_for(user));
  std::vector<std::string> bytes;
  std::vector<AppendItem> items;
  for (int i = 0; i < 5; ++i) {
    bytes.push_back(message("broken" + std::to_string(i) + "@mailferry.test", i, 9000));
    items.push_back(item_for(bytes.back(), core::Flag::Seen, {1549102333, 0},
                             i == 2 ? 150000 : std::string::npos));
  }
  REQUIRE(bytes[2].size() > 200000);
  std::vector<AppendOutcome> outcomes(items.size());
  std::vector<bool> seen(items.size(), false);
  t.append("INBOX", items, [&](std::size_t i, const AppendOutcome& o) {
    outcomes[i] = o;
    seen[i] = true;
  });
  for (std::size_t i = 0; i < items.size(); ++i) {
    CAPTURE(i);
    CHECK(seen[i]);
    CHECK(outcomes[i].ok == (i != 2));
  }
  CHECK(outcomes[2].error.scope == core::ErrorScope::Message);
  CHECK(contains(outcomes[2].error.message, "read error in the test source"));
  CHECK(outcomes[2].error.where == "test message");
  auto snapshot = testing::imap_snapshot(server(), user);
  REQUIRE(snapshot["INBOX"].size() == 4);
  std::set<std::string> stored;
  for (const auto& m : snapshot["INBOX"]) stored.insert(m.sha256);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    CHECK(stored.count(testing::sha256_hex(bytes[i])) == (i == 2 ? 0u : 1u));
  // The target reconnected and still works.
  CHECK(index_of(t, "INBOX").size() == 4);
}

TEST_CASE("imap target: update_flags adds, never removes, in compact UID sets") {
  const std::string user = "add-flags";
  ImapTarget t(options_for(user));
  std::vector<AppendItem> items;
  std::vector<std::string> bytes;
  for (int i = 0; i < 8; ++i) {
    bytes.push_back(message("flags" + std::to_string(i) + "@mailferry.test", i, 2));
    items.push_back(item_for(
        bytes.back(), i == 3 ? core::Flags(core::Flag::Answered) : core::Flags(), {1549102333, 0}));
  }
  std::vector<std::uint32_t> uid(items.size());
  t.append("INBOX", items, [&](std::size_t i, const AppendOutcome& o) { uid[i] = o.uid; });
  core::Flags seen_flagged(core::Flag::Seen);
  seen_flagged.add(core::Flag::Flagged);
  t.update_flags("INBOX", {{uid[0], core::Flag::Seen},
                           {uid[1], core::Flag::Seen},
                           {uid[2], core::Flag::Seen},
                           {uid[3], core::Flag::Seen},
                           {uid[5], seen_flagged},
                           {uid[6], core::Flag::Forwarded},
                           {uid[7], core::Flag::MdnSent}});
  auto dove = doveadm_fetch(user, "INBOX");
  CHECK(dove[uid[0]].flags == std::set<std::string>{"\\Seen"});
  CHECK(dove[uid[2]].flags == std::set<std::string>{"\\Seen"});
  CHECK(dove[uid[3]].flags == std::set<std::string>{"\\Answered", "\\Seen"});
  CHECK(dove[uid[4]].flags.empty());
  CHECK(dove[uid[5]].flags == std::set<std::string>{"\\Flagged", "\\Seen"});
  CHECK(dove[uid[6]].flags == std::set<std::string>{"$Forwarded"});
  CHECK(dove[uid[7]].flags == std::set<std::string>{"$MDNSent"});
  auto snapshot = t.index_folder("INBOX", false, [](TargetMessage) {});
  CHECK(snapshot.keywords_allowed);  // Dovecot's PERMANENTFLAGS has \*
}

TEST_CASE("imap target: a missing folder is a folder-scoped error") {
  ImapTarget t(options_for("missing-folder"));
  try {
    t.append("No Such Folder", {item_for(message("x@y", 0, 1), {}, {1549102333, 0})},
             [](std::size_t, const AppendOutcome&) {});
    FAIL("appended to a folder that does not exist");
  } catch (const core::ServerError& e) {
    CHECK(e.scope() == core::ErrorScope::Folder);
    CHECK(contains(e.what(), "No Such Folder"));
  }
  CHECK_THROWS_AS(index_of(t, "No Such Folder", true), core::ServerError);
  CHECK(t.list_folders().size() >= 1);  // the connection is fine
}

TEST_CASE("imap target: DryRunTarget reads through and changes nothing on the server") {
  const std::string user = "dry-run";
  ImapTarget real(options_for(user));
  std::string existing = message("existing@mailferry.test", 0, 2);
  std::vector<AppendOutcome> first;
  real.append("INBOX", {item_for(existing, {}, {1549102333, 0})},
              [&](std::size_t, const AppendOutcome& o) { first.push_back(o); });
  REQUIRE(first.size() == 1);
  const auto mailboxes_before = server().mailboxes(user);
  const auto before = doveadm_fetch(user, "INBOX");

  target::DryRunTarget dry(real);
  CHECK(dry.describe() == real.describe());
  CHECK(dry.list_folders().size() == real.list_folders().size());
  dry.create_folder("Would Be New", core::Role::Archive);
  CHECK(index_of(dry, "Would Be New").empty());
  std::vector<AppendOutcome> outcomes;
  dry.append("INBOX",
             {item_for(message("new1@mailferry.test", 1, 2), core::Flag::Seen, {1549102333, 0}),
              item_for(message("new2@mailferry.test", 2, 2), {}, {1549102333, 0})},
             [&](std::size_t, const AppendOutcome& o) { outcomes.push_back(o); });
  REQUIRE(outcomes.size() == 2);
  for (const auto& o : outcomes) {
    CHECK(o.ok);
    CHECK(o.uid == 0);
  }
  dry.update_flags("INBOX", {{first[0].uid, core::Flag::Flagged}});
  auto indexed = index_of(dry, "INBOX", false);
  REQUIRE(indexed.size() == 1);
  CHECK(indexed[0].key.value == "<existing@mailferry.test>");

  CHECK(server().mailboxes(user) == mailboxes_before);
  auto after = doveadm_fetch(user, "INBOX");
  REQUIRE(after.size() == before.size());
  CHECK(after.begin()->second.flags == before.begin()->second.flags);
}
