// End to end with the real binary and a real Dovecot: a PST that Outlook
// guards with a password. The helpdesk's recovery of Sent items works with the
// password given every usual way, stops clearly (exit 4, the file named) with
// a wrong one or none, and works unchecked with --ignore-pst-password, which
// warns in the output and the report. The guarded file is the corpus's
// Test_part1.pst (31 Sent items) given a known password the way Outlook sets
// one (support/pst_protect.hpp).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../unit/pst_test_support.hpp"
#include "support/dovecot_server.hpp"
#include "support/pst_protect.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using mailferry::pst_test::corpus;

namespace {

constexpr const char* kPassword = "Out look's \"pst\" 1";

// The distinct mails (key and size) of the file's Sent folder: what a
// recovery puts on the server (its 31 items hold repeated copies).
int distinct_sent_items(const std::string& path) {
  mailferry::source::PstSource src(path);
  std::set<std::pair<mailferry::core::MessageKey, std::uint64_t>> distinct;
  for (const auto& folder : src.folders()) {
    if (folder.role != mailferry::core::Role::Sent) continue;
    mailferry::pst_test::Sink sink;
    src.scan(folder, sink);
    for (const auto& m : sink.messages) distinct.insert({m.key, m.size});
  }
  return static_cast<int>(distinct.size());
}

int sent_items() {
  static const int count = distinct_sent_items(corpus("Test_part1.pst"));
  return count;
}

struct GuardedPst {
  TempDir dir{"pst-password"};
  std::string path = dir.file("user.pst");
  std::string password_file = dir.write_file("pst-password", std::string(kPassword) + "\n");
  GuardedPst() { copy_pst_with_password(corpus("Test_part1.pst"), path, kPassword); }
};

CommandResult recover_sent(const DovecotServer& server, const std::string& user,
                           const GuardedPst& pst, std::vector<std::string> extra,
                           const EnvChanges& env = {}) {
  extra.insert(extra.begin(), {"--only-role", "sent"});
  return run_mailferry(server.sync_args("pst:" + pst.path, user, extra), env);
}

}  // namespace

TEST_CASE("pst password cli: the Sent items of a guarded PST arrive with the password, once") {
  REQUIRE(sent_items() > 1);
  DovecotServer server;
  GuardedPst pst;
  auto first = recover_sent(server, "file", pst, {"--from-password-file", pst.password_file});
  INFO(first.describe());
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("password") == std::string::npos);
  CHECK(server.message_count("file", "Sent") == sent_items());
  auto again = recover_sent(server, "file", pst, {"--from-password-file", pst.password_file});
  CHECK(again.exit_code == 0);
  CHECK(server.message_count("file", "Sent") == sent_items());

  // The environment variable, and a job file's password_command.
  auto by_env = recover_sent(server, "env", pst, {}, {{"MAILFERRY_FROM_PASSWORD", kPassword}});
  INFO(by_env.describe());
  CHECK(by_env.exit_code == 0);
  CHECK(server.message_count("env", "Sent") == sent_items());

  const nlohmann::json job = {
      {"jobs",
       {{{"name", "helpdesk"},
         {"from", {{"url", "pst:" + pst.path}, {"password_command", "cat " + pst.password_file}}},
         {"to",
          {{"url", server.url("imaps", "command")},
           {"ca_file", server.ca_file()},
           {"password_file", server.password_file()}}},
         {"only_role", "sent"}}}}};
  const std::string job_file = pst.dir.write_file("job.json", job.dump(2));
  auto by_command = run_mailferry({"sync", job_file});
  INFO(by_command.describe());
  CHECK(by_command.exit_code == 0);
  CHECK(server.message_count("command", "Sent") == sent_items());
}

TEST_CASE("pst password cli: a wrong or missing password stops with exit 4 and uploads nothing") {
  DovecotServer server;
  GuardedPst pst;
  const std::string wrong = pst.dir.write_file("wrong", "outlook\n");
  auto refused = recover_sent(server, "wrong", pst, {"--from-password-file", wrong});
  INFO(refused.describe());
  CHECK(refused.exit_code == 4);
  CHECK(refused.err.find(pst.path) != std::string::npos);
  CHECK(refused.err.find("wrong password") != std::string::npos);
  CHECK(refused.err.find("outlook") == std::string::npos);  // never the password itself
  CHECK(server.message_count("wrong", "Sent") == 0);

  auto none = recover_sent(server, "none", pst, {});
  INFO(none.describe());
  CHECK(none.exit_code == 4);
  CHECK(none.err.find(pst.path) != std::string::npos);
  CHECK(none.err.find("--from-password-file") != std::string::npos);
  CHECK(none.err.find("--ignore-pst-password") != std::string::npos);
  CHECK(server.message_count("none", "Sent") == 0);
}

TEST_CASE("pst password cli: --ignore-pst-password recovers unchecked and says so") {
  DovecotServer server;
  GuardedPst pst;
  const std::string report = pst.dir.file("report.json");
  auto result = recover_sent(server, "ignore", pst, {"--ignore-pst-password", "--report", report});
  INFO(result.describe());
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("warning: " + pst.path) != std::string::npos);
  CHECK(result.err.find("not checked") != std::string::npos);
  CHECK(server.message_count("ignore", "Sent") == sent_items());
  const auto notes = nlohmann::json::parse(read_file(report))["jobs"][0]["notes"];
  CHECK(std::any_of(notes.begin(), notes.end(), [](const nlohmann::json& n) {
    return n.get<std::string>().find("not checked (--ignore-pst-password)") != std::string::npos;
  }));

  // The job key does the same; it belongs to a pst: source only.
  const auto job = [&](const std::string& from) {
    return nlohmann::json{{"jobs",
                           {{{"from", {{"url", from}}},
                             {"to",
                              {{"url", server.url("imaps", "key")},
                               {"ca_file", server.ca_file()},
                               {"password_file", server.password_file()}}},
                             {"only_role", "sent"},
                             {"ignore_pst_password", true}}}}}
        .dump();
  };
  auto by_key = run_mailferry({"sync", pst.dir.write_file("key.json", job("pst:" + pst.path))});
  INFO(by_key.describe());
  CHECK(by_key.exit_code == 0);
  CHECK(server.message_count("key", "Sent") == sent_items());
  auto misplaced = run_mailferry(
      {"sync", pst.dir.write_file("mbox.json", job("mbox:" + pst.dir.file("none.mbox")))});
  CHECK(misplaced.exit_code == 2);
  CHECK(misplaced.err.find("ignore_pst_password") != std::string::npos);
}

TEST_CASE("pst password cli: a PST without a password never mentions one") {
  DovecotServer server;
  auto result = run_mailferry(server.sync_args("pst:" + corpus("enron.pst"), "plain", {"-v"}));
  INFO(result.describe());
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("password") == std::string::npos);
  CHECK(result.err.find("password") == std::string::npos);
}
