// POP3 to IMAP through the real engine (Executor + ImapTarget), both on the
// test Dovecot: the nightly-sync story, run by run.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "mailferry/source/pop3_source.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/state_store.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/dovecot_server.hpp"
#include "support/mail_text.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::DovecotServer;
using mailferry::testing::TempDir;

using mailferry::testing::to_crlf;

namespace {

std::vector<std::string> corpus(std::size_t count) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(MAILFERRY_CORPUS_DIR) + "/eml"))
    paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count && i < paths.size(); ++i)
    out.push_back(to_crlf(testing::read_file(paths[i])));
  return out;
}

std::size_t inbox_count(const DovecotServer& dovecot, const std::string& user) {
  std::istringstream lines(
      dovecot.doveadm({"-f", "flow", "mailbox", "status", "-u", user, "messages", "INBOX"}));
  std::string line;
  std::getline(lines, line);
  return std::stoul(line.substr(line.find('=') + 1));
}

struct Run {
  sync::JobReport report;
  std::uint64_t top = 0, retr = 0, dele = 0;
};

// One nightly run: POP3 user "pop" into IMAP user "imap".
Run run(const DovecotServer& dovecot, const std::string& state, bool delete_after_copy = false,
        int keep_days = 0) {
  sync::StateStore store(state);
  source::Pop3SourceOptions po;
  po.connect = dovecot.connect_options(net::Protocol::Pop3, "pop");
  po.cache = &store;
  source::Pop3Source source(std::move(po));
  target::ImapTarget target(dovecot.connect_options(net::Protocol::Imap, "imap"));
  sync::ExecutorOptions eo;
  eo.mapping.single_folder_source = true;
  eo.mapping.to_folder = "INBOX";
  eo.removal = {delete_after_copy, keep_days};
  sync::Executor executor(source, target, eo);
  Run r;
  r.report = executor.run();
  r.top = source.commands_sent("TOP");
  r.retr = source.commands_sent("RETR");
  r.dele = source.commands_sent("DELE");
  return r;
}

}  // namespace

TEST_CASE("pop3 sync: first run migrates all, second moves nothing and sends no TOP/RETR") {
  DovecotServer dovecot;
  TempDir dir;
  const std::string state = dir.file("nightly.state");
  auto messages = corpus(10);
  for (std::size_t i = 0; i < 8; ++i) dovecot.save_message("pop", "INBOX", messages[i]);

  auto first = run(dovecot, state);
  CHECK(first.report.errors.empty());
  CHECK(first.report.totals.appended == 8);
  CHECK(first.top == 8);
  CHECK(first.retr == 8);
  CHECK(inbox_count(dovecot, "imap") == 8);

  auto second = run(dovecot, state);
  CHECK(second.report.totals.appended == 0);
  CHECK(second.report.totals.present == 8);
  CHECK(second.top == 0);
  CHECK(second.retr == 0);

  // New mail between runs is the only thing moved.
  dovecot.save_message("pop", "INBOX", messages[8]);
  dovecot.save_message("pop", "INBOX", messages[9]);
  auto third = run(dovecot, state);
  CHECK(third.report.totals.appended == 2);
  CHECK(third.top == 2);
  CHECK(third.retr == 2);
  CHECK(inbox_count(dovecot, "imap") == 10);

  // Without the state file: slower (TOP for all), but no duplicate.
  std::filesystem::remove(state);
  std::filesystem::remove(state + "-wal");
  std::filesystem::remove(state + "-shm");
  auto fresh = run(dovecot, state);
  CHECK(fresh.report.totals.appended == 0);
  CHECK(fresh.report.totals.present == 10);
  CHECK(fresh.top == 10);
  CHECK(fresh.retr == 0);
  CHECK(inbox_count(dovecot, "imap") == 10);
  CHECK(inbox_count(dovecot, "pop") == 10);  // nothing deleted without the option
}

TEST_CASE("pop3 sync: delete-after-copy removes what is confirmed, keep-days keeps recent") {
  DovecotServer dovecot;
  TempDir dir;
  const std::string state = dir.file("nightly.state");
  auto messages = corpus(6);
  // One message that arrived just now (Received: today) and five old ones.
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", std::gmtime(&now));
  std::string recent = "Received: from mx by pop.example.org; " + std::string(date) +
                       "\r\nMessage-ID: <recent@example.org>\r\nSubject: recent\r\n\r\nhi\r\n";
  for (const auto& m : messages) dovecot.save_message("pop", "INBOX", m);
  dovecot.save_message("pop", "INBOX", recent);

  auto kept = run(dovecot, state, true, 3);
  CHECK(kept.report.totals.appended == 7);
  CHECK(kept.dele == 6);
  CHECK(inbox_count(dovecot, "pop") == 1);  // the recent one stays for the phone
  CHECK(inbox_count(dovecot, "imap") == 7);

  auto all = run(dovecot, state, true, 0);
  CHECK(all.report.totals.appended == 0);
  CHECK(all.report.totals.present == 1);
  CHECK(all.dele == 1);
  CHECK(inbox_count(dovecot, "pop") == 0);
  CHECK(inbox_count(dovecot, "imap") == 7);
}
