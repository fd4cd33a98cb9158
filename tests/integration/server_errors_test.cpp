// Server errors from a real Dovecot, through the real binary where the
// binary can be made to meet them: a full quota (NO [OVERQUOTA], account
// scope: the job stops, the next job goes on), a message over the server's
// size limit (NO [LIMIT], message scope: the others go on), the same limit
// advertised as APPENDLIMIT (refused before sending), and a folder deleted
// while the run works in it. Every one lands in the JSON report with the
// server's own words. Faults a real server cannot be made to produce on cue
// (NO [UNAVAILABLE], BYE mid-session, NO for one message) are in
// tests/unit/imap_server_errors_test.cpp.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "mailferry/cli/report_output.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using nlohmann::json;

namespace {

std::string corpus_mbox(const std::string& name) {
  return std::string(MAILFERRY_CORPUS_DIR) + "/mbox/" + name;
}

std::vector<std::string> sync_args(const DovecotServer& server, const std::string& from,
                                   const std::string& user, const std::string& report) {
  return server.sync_args("mbox:" + from, user, {"--report", report, "--quiet"});
}

// The errors of a job's report, or of every job of a run's, that mention `text`.
std::vector<json> errors_with(const json& report, const std::string& text) {
  std::vector<json> out;
  if (report.contains("jobs")) {
    for (const auto& job : report.at("jobs"))
      for (auto& e : errors_with(job, text)) out.push_back(std::move(e));
    return out;
  }
  for (const auto& e : report.at("errors"))
    if (e["message"].get<std::string>().find(text) != std::string::npos) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE(
    "server errors: a full quota (OVERQUOTA) stops that job with the server's words, the next job "
    "goes on") {
  DovecotShape shape;
  shape.quota = "100k";
  DovecotServer server(shape);
  TempDir dir;
  // mbox.src needs about 135 KB, mailarc-1.txt about 65 KB: one fits, one does not.
  const std::string jobs =
      dir.write_file("jobs.json", json{{"jobs",
                                        {{{"name", "too big"},
                                          {"from", "mbox:" + corpus_mbox("mbox.src")},
                                          {"to",
                                           {{"url", server.url("imaps", "full")},
                                            {"password_file", server.password_file()},
                                            {"ca_file", server.ca_file()}}},
                                          {"state", dir.file("full.db")}},
                                         {{"name", "fits"},
                                          {"from", "mbox:" + corpus_mbox("mailarc-1.txt")},
                                          {"to",
                                           {{"url", server.url("imaps", "roomy")},
                                            {"password_file", server.password_file()},
                                            {"ca_file", server.ca_file()}}},
                                          {"state", dir.file("roomy.db")}}}}}
                                      .dump(2));
  auto result = run_mailferry({"sync", jobs, "--report", dir.file("report.json"), "--quiet"});
  INFO(result.describe() << "\nstdout: " << result.out);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("OVERQUOTA") != std::string::npos);

  const json report = json::parse(read_file(dir.file("report.json")));
  REQUIRE(report["jobs"].size() == 2);
  const json& full = report["jobs"][0];
  const json& fits = report["jobs"][1];
  INFO("too big: " << full.dump(2));
  CHECK(full["exit_code"] == 1);
  auto quota = errors_with(full, "[OVERQUOTA] Quota exceeded (mailbox for user is full)");
  REQUIRE(!quota.empty());
  CHECK(quota.back()["scope"] == "account");
  // The job-level error says why the job stopped, in the server's words.
  CHECK(full["errors"].back()["where"].get<std::string>().find("mbox.src -> imaps://full@") !=
        std::string::npos);
  CHECK(full["errors"].back()["message"].get<std::string>().find("[OVERQUOTA]") !=
        std::string::npos);
  const int appended = full["totals"]["appended"].get<int>();
  CHECK(appended > 0);
  CHECK(appended < 45);
  CHECK(server.message_count("full", "INBOX") == appended);

  CHECK(fits["exit_code"] == 0);
  CHECK(fits["errors"].empty());
  CHECK(fits["totals"]["appended"] == 14);  // 16 messages, two of them twice
  CHECK(server.message_count("roomy", "INBOX") == 14);
}

TEST_CASE(
    "server errors: a message over the server's size limit (NO [LIMIT]) is skipped and reported, "
    "the others go on") {
  DovecotShape shape;
  shape.max_mail_size = 200000;
  DovecotServer server(shape);
  TempDir dir;
  // 29 messages, one of them 748 KB.
  auto result = run_mailferry(
      sync_args(server, corpus_mbox("content-length.mbox.txt"), "limited", dir.file("r.json")));
  INFO(result.describe());
  CHECK(result.exit_code == 1);
  const json report = json::parse(read_file(dir.file("r.json")));
  INFO(report.dump(2));
  auto refused = errors_with(
      report, "[LIMIT] Mail size is larger than the maximum size allowed by server configuration");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["scope"] == "message");
  CHECK(refused[0]["where"].get<std::string>().find("content-length.mbox.txt") !=
        std::string::npos);
  CHECK(report["totals"]["appended"] == 28);
  CHECK(report["totals"]["failed"] == 1);
  CHECK(server.message_count("limited", "INBOX") == 28);

  // The next run tries the big one again, and only that one.
  auto again = run_mailferry(
      sync_args(server, corpus_mbox("content-length.mbox.txt"), "limited", dir.file("r2.json")));
  CHECK(again.exit_code == 1);
  const json second = json::parse(read_file(dir.file("r2.json")));
  CHECK(second["totals"]["present"] == 28);
  CHECK(second["totals"]["appended"] == 0);
  CHECK(second["totals"]["failed"] == 1);
}

TEST_CASE("server errors: over an advertised APPENDLIMIT a message is refused before it is sent") {
  DovecotShape shape;
  shape.max_mail_size = 200000;
  shape.advertise_appendlimit = true;
  DovecotServer server(shape);
  TempDir dir;
  auto result = run_mailferry(
      sync_args(server, corpus_mbox("content-length.mbox.txt"), "advertised", dir.file("r.json")));
  INFO(result.describe());
  CHECK(result.exit_code == 1);
  const json report = json::parse(read_file(dir.file("r.json")));
  INFO(report.dump(2));
  auto refused = errors_with(report, "the server accepts at most 200000 (APPENDLIMIT)");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["scope"] == "message");
  CHECK(errors_with(report, "[LIMIT]").empty());  // the server never saw it
  CHECK(report["totals"]["appended"] == 28);
  CHECK(server.message_count("advertised", "INBOX") == 28);
}

namespace {

// A source that, when the executor starts on `victim`, has the target folder
// of that name deleted on the server by another session (a user tidying up
// in a mail client while the migration runs).
class DeletingSource final : public source::Source {
 public:
  DeletingSource(source::Source& inner, std::function<void()> delete_folder, std::string victim)
      : inner_(inner), delete_folder_(std::move(delete_folder)), victim_(std::move(victim)) {}
  std::string describe() const override { return inner_.describe(); }
  std::vector<source::SourceFolder> folders() override { return inner_.folders(); }
  void scan(const source::SourceFolder& folder, source::ScanSink& sink) override {
    if (folder.display_name() == victim_ && !deleted_) {
      deleted_ = true;
      delete_folder_();
    }
    inner_.scan(folder, sink);
  }
  std::unique_ptr<core::BodyReader> open(const source::SourceFolder& folder,
                                         const source::SourceMessage& message) override {
    return inner_.open(folder, message);
  }

 private:
  source::Source& inner_;
  std::function<void()> delete_folder_;
  std::string victim_;
  bool deleted_ = false;
};

}  // namespace

TEST_CASE("server errors: a target folder deleted while the run works in it") {
  DovecotServer server;
  TempDir dir;
  const std::string tree =
      std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  // The folder exists when the run lists and indexes it, and is gone when
  // the messages for it are sent.
  for (const char* folder : {"Archives", "Archives/2019"})
    server.save_message("tidy", folder,
                        "Message-ID: <other@example.org>\r\nSubject: x\r\n\r\nx\r\n");
  source::MboxSource mbox(tree);
  DeletingSource source(
      mbox,
      [&] {
        server.doveadm({"mailbox", "delete", "-u", "tidy", "-s", "Archives/2019"});
      },
      "Archives/2019");
  target::ImapTarget target(server.connect_options(net::Protocol::Imap, "tidy"));
  sync::ExecutorOptions options;
  options.reconnects.first_delay = std::chrono::milliseconds(10);
  auto report = sync::Executor(source, target, options).run();
  json j = cli::to_json(report);
  INFO(j.dump(2));
  // Dovecot 2.3 answers APPENDs into a selected folder deleted by another
  // session with NO [SERVERBUG]: each message is reported with those words
  // and skipped; every other folder is complete.
  CHECK(report.exit_code == 1);
  CHECK(server.message_count("tidy", "INBOX") == 3);
  CHECK(server.message_count("tidy", "Sent") == 2);
  CHECK(server.message_count("tidy", "Drafts") == 1);
  REQUIRE(report.errors.size() == 2);
  for (const auto& e : report.errors) {
    CHECK(e.scope == core::ErrorScope::Message);
    CHECK(e.where.find("folder Archives/2019: message") != std::string::npos);
    CHECK(e.message.find("the server refused the message: NO ") != std::string::npos);
  }
  // The next run, with the folder gone, creates it again and completes.
  source::MboxSource again(tree);
  auto second = sync::Executor(again, target, options).run();
  CHECK(second.exit_code == 0);
  CHECK(server.message_count("tidy", "Archives/2019") == 2);
}

TEST_CASE(
    "server errors: a parent folder that is only a placeholder (\\Noselect) is created and "
    "filled") {
  DovecotServer server;
  const std::string tree =
      std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  // Only the child exists: the server lists "Archives" as \Noselect.
  server.save_message("parent", "Archives/2019",
                      "Message-ID: <other@example.org>\r\nSubject: x\r\n\r\nx\r\n");
  CHECK_THROWS(server.message_count("parent", "Archives"));
  auto result = run_mailferry(server.sync_args("mbox:" + tree, "parent"));
  INFO(result.describe());
  CHECK(result.exit_code == 0);
  // The tree's Archives is empty: the folder is made real, and stays empty.
  CHECK(server.message_count("parent", "Archives") == 0);
  CHECK(server.message_count("parent", "Archives/2019") == 3);  // 2 from the tree + the other
  CHECK(server.message_count("parent", "INBOX") == 3);
}
