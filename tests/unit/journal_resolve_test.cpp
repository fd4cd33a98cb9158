// The executor resolving a killed run's journal against a scripted target:
// an upload that was still in flight when the run died lands on the server
// while the next run looks, and must not be uploaded a second time.
#include <doctest/doctest.h>

#include <map>

#include "mailferry/source/memory_body.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/journal.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::TempDir;

namespace {

// One folder of messages given by key and size.
class ListSource final : public source::Source {
 public:
  explicit ListSource(std::vector<std::pair<std::string, std::uint64_t>> messages)
      : messages_(std::move(messages)) {}
  std::string describe() const override { return "list:"; }
  std::vector<source::SourceFolder> folders() override {
    return {{{"INBOX"}, core::Role::Inbox, "inbox"}};
  }
  void scan(const source::SourceFolder&, source::ScanSink& sink) override {
    std::uint64_t ordinal = 0;
    for (const auto& [key, size] : messages_) {
      source::SourceMessage m;
      m.ordinal = ++ordinal;
      m.locator = std::to_string(ordinal);
      m.key.value = key;
      m.message_id = key;
      m.size = size;
      m.internal_date.utc = 1600000000;
      sink.message(std::move(m));
    }
  }
  std::unique_ptr<core::BodyReader> open(const source::SourceFolder&,
                                         const source::SourceMessage& m) override {
    // The key, then padding: the scripted server reads the key back.
    std::string bytes = m.key.value + " ";
    bytes.resize(m.size, 'x');
    return std::make_unique<source::MemoryBodyReader>(bytes);
  }

 private:
  std::vector<std::pair<std::string, std::uint64_t>> messages_;
};

// A server whose INBOX holds `stored`; `in_flight` lands there (as the
// killed run's last APPEND, still being executed) the first time the client
// asks for the folder's status or sends anything.
class LateServer final : public target::Target {
 public:
  std::vector<target::TargetMessage> stored;
  std::vector<target::TargetMessage> in_flight;
  std::vector<std::pair<std::string, std::uint64_t>> appended;  // by this run

  std::string describe() const override { return "late://"; }
  target::TargetFeatures features() const override { return {}; }
  std::vector<target::TargetFolder> list_folders() override {
    return {{"INBOX", '/', core::Role::Inbox, true, false}};
  }
  void create_folder(const std::string&, core::Role) override {}
  target::FolderSnapshot index_folder(
      const std::string&, bool, const std::function<void(target::TargetMessage)>& each) override {
    for (const auto& m : stored) each(m);
    return snapshot();
  }
  target::FolderSnapshot status(const std::string&) override {
    land();
    return snapshot();
  }
  void append(const std::string&, const std::vector<target::AppendItem>& items,
              const std::function<void(std::size_t, const target::AppendOutcome&)>& done) override {
    land();
    for (std::size_t i = 0; i < items.size(); ++i) {
      target::TargetMessage m;
      m.uid = next_uid_++;
      m.size = items[i].size;
      auto body = items[i].open_body();
      char buffer[256];
      std::string head(buffer, body->read(buffer, sizeof buffer));
      m.key.value = head.substr(0, head.find(' '));
      stored.push_back(m);
      target::AppendOutcome ok;
      ok.ok = true;
      ok.uid = m.uid;
      done(i, ok);
    }
  }
  void update_flags(const std::string&, const std::vector<target::FlagUpdate>&) override {}

  // Copies per (key, size).
  std::map<std::pair<std::string, std::uint64_t>, int> copies() const {
    std::map<std::pair<std::string, std::uint64_t>, int> out;
    for (const auto& m : stored) ++out[{m.key.value, m.size}];
    return out;
  }

 private:
  void land() {
    for (auto& m : in_flight) {
      m.uid = next_uid_++;
      stored.push_back(m);
    }
    in_flight.clear();
  }
  target::FolderSnapshot snapshot() const {
    target::FolderSnapshot s;
    s.uidvalidity = 1;
    s.uidnext = next_uid_;
    s.messages = static_cast<std::uint32_t>(stored.size());
    s.keywords_allowed = true;
    return s;
  }
  std::uint32_t next_uid_ = 1;
};

target::TargetMessage on_server(const std::string& key, std::uint64_t size) {
  target::TargetMessage m;
  m.key.value = key;
  m.size = size;
  return m;
}

// The run after the kill: the same job, with its journal, against the server
// whose in-flight uploads land during the settle wait.
sync::JobReport run_after_kill(source::Source& source, LateServer& server, sync::Journal& journal) {
  sync::ExecutorOptions options;
  options.mapping.single_folder_source = true;
  options.journal = &journal;
  options.settle_quiet = std::chrono::milliseconds(50);
  return sync::Executor(source, server, options).run();
}

}  // namespace

TEST_CASE(
    "journal resolution: what never reached the server is uploaded once after the settle wait") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  sync::Journal journal(store, "job");
  journal.begin("INBOX", {sync::JournalEntry({"<a@x>"}, 10), sync::JournalEntry({"<b@x>"}, 20),
                          sync::JournalEntry({"<c@x>"}, 30)});
  ListSource source({{"<a@x>", 10}, {"<b@x>", 20}, {"<c@x>", 30}});
  LateServer server;
  server.stored.push_back(on_server("<a@x>", 10));     // stored before the kill
  server.in_flight.push_back(on_server("<b@x>", 20));  // executed after the kill
  // <c@x> was never received.

  auto report = run_after_kill(source, server, journal);

  CHECK(report.exit_code == 0);
  auto copies = server.copies();
  CHECK(copies[{"<a@x>", 10}] == 1);
  CHECK(copies[{"<b@x>", 20}] == 1);
  CHECK(copies[{"<c@x>", 30}] == 1);
  CHECK(report.totals.appended == 1);
  CHECK(report.totals.present == 2);
  CHECK(journal.pending("INBOX").empty());
  // The upload of this run is recorded as stored; what was resolved, if
  // recorded, as found.
  int stored = 0;
  for (const auto& r : journal.results("INBOX")) {
    INFO(r.key.value);
    if (r.key.value == "<c@x>") {
      CHECK(r.outcome == sync::JournalOutcome::Stored);
      ++stored;
    } else {
      CHECK(r.outcome == sync::JournalOutcome::Found);
    }
  }
  CHECK(stored == 1);
}

TEST_CASE(
    "journal resolution: a Message-ID shared by two versions counts only the version of that "
    "size") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  sync::Journal journal(store, "job");
  journal.begin("INBOX", {sync::JournalEntry({"<s@x>"}, 10), sync::JournalEntry({"<s@x>"}, 20)});
  ListSource source({{"<s@x>", 10}, {"<s@x>", 20}});
  LateServer server;
  server.stored.push_back(on_server("<s@x>", 10));  // the first version, stored before the kill
  server.stored.back().uid = 100;
  server.in_flight.push_back(on_server("<s@x>", 20));  // the second, executed after the kill

  auto report = run_after_kill(source, server, journal);

  CHECK(report.exit_code == 0);
  auto copies = server.copies();
  CHECK(copies[{"<s@x>", 10}] == 1);
  CHECK(copies[{"<s@x>", 20}] == 1);  // found after the settle wait, not sent again
  CHECK(report.totals.appended == 0);
  CHECK(journal.pending("INBOX").empty());
  // Both were found, each with the UID of its own version.
  std::map<std::uint64_t, std::uint32_t> uid_by_size;
  for (const auto& r : journal.results("INBOX")) {
    CHECK(r.outcome == sync::JournalOutcome::Found);
    uid_by_size[r.size] = r.uid;
  }
  CHECK(uid_by_size.size() == 2);
  CHECK(uid_by_size[10] == 100);
  CHECK(uid_by_size[20] != 0);
  CHECK(uid_by_size[20] != 100);
}
