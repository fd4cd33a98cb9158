// Wrong input is named as such, within a second and before any connection:
// a file that is not what its scheme reads, an empty source, a directory as
// the job file, a mistyped option or verb, a password in list's URL.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

// A target nobody listens on: these runs must stop before they connect.
const std::vector<std::string> kNowhere{"--to", "imaps://alice@127.0.0.1:1"};

CommandResult sync_from(const std::string& from, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"sync", "--from", from};
  args.insert(args.end(), kNowhere.begin(), kNowhere.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return run_mailferry(args, {{"MAILFERRY_TO_PASSWORD", "unused"}});
}

}  // namespace

TEST_CASE(
    "cli wrong input: a PST, a ZIP or a binary given as mbox: exits 4 with the scheme to use") {
  TempDir dir;
  const std::string pst =
      dir.write_file("outlook.pst", std::string("!BDN\x0e\x01\0\0", 8) + std::string(1024, '\0'));
  auto as_mbox = sync_from("mbox:" + pst);
  INFO(as_mbox.describe() << "\nstdout: " << as_mbox.out);
  CHECK(as_mbox.exit_code == 4);
  CHECK(as_mbox.err.find("this is not an mbox file (it looks like a PST file: use pst:)") !=
        std::string::npos);
  CHECK(as_mbox.err.find("1 message failed") == std::string::npos);

  const std::string zip = dir.write_file("takeout.zip", std::string("PK\x03\x04\x14\0\0\0", 8));
  auto zipped = sync_from("mbox:" + zip);
  CHECK(zipped.exit_code == 4);
  CHECK(zipped.err.find("it looks like a ZIP archive: unpack it") != std::string::npos);

  const std::string binary =
      dir.write_file("photo.jpg", std::string("\xff\xd8\xff\xe0\0\x10JFIF", 10));
  auto image = sync_from("mbox:" + binary);
  CHECK(image.exit_code == 4);
  CHECK(image.err.find("this is not an mbox file (it looks like a binary file") !=
        std::string::npos);

  // The other way round: an mbox file given as pst:.
  const std::string mbox = dir.write_file("Inbox", "From a@b Mon Mar  4 10:00:00 2024\n\nx\n");
  auto as_pst = sync_from("pst:" + mbox);
  CHECK(as_pst.exit_code == 4);
  CHECK(as_pst.err.find("this is not a PST file (it looks like an mbox file: use mbox:)") !=
        std::string::npos);
}

TEST_CASE("cli wrong input: an empty source warns and exits 4 unless --allow-empty") {
  DovecotServer server;
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "empty");
  const std::string empty_dir = "mbox:" + dir.file("empty");
  const std::string empty_file = "mbox:" + dir.write_file("Inbox.mbox", "");

  for (const auto& from : {empty_dir, empty_file}) {
    auto refused = run_mailferry(server.sync_args(from, "empty", {}));
    INFO(from << ": " << refused.describe() << "\nstdout: " << refused.out);
    CHECK(refused.exit_code == 4);
    CHECK(refused.err.find("mailferry: warning: ") == 0);
    CHECK(refused.err.find("the source holds no message; if that is expected, give "
                           "--allow-empty") != std::string::npos);
    // An empty file is a folder of its own, and the verdict says it holds
    // nothing; a job without any folder has said all in its warning.
    if (from == empty_file)
      CHECK(refused.out == "the source holds no messages (1 folder)\n");
    else
      CHECK(refused.out == "");

    auto allowed = run_mailferry(server.sync_args(from, "empty", {"--allow-empty"}));
    INFO(allowed.describe());
    CHECK(allowed.exit_code == 0);
    CHECK(allowed.err == "");
    // And quietly, as a cron job that expects it.
    auto quiet = run_mailferry(server.sync_args(from, "empty", {"--allow-empty", "--quiet"}));
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out == "");
    CHECK(quiet.err == "");
  }

  // The job key does the same.
  const std::string jobs =
      dir.write_file("jobs.json", nlohmann::json{{"jobs",
                                                  {{{"name", "empty"},
                                                    {"from", empty_dir},
                                                    {"allow_empty", true},
                                                    {"to",
                                                     {{"url", server.url("imaps", "empty")},
                                                      {"password_file", server.password_file()},
                                                      {"ca_file", server.ca_file()}}}}}}}
                                      .dump());
  auto by_key = run_mailferry({"sync", jobs});
  INFO(by_key.describe());
  CHECK(by_key.exit_code == 0);
}

TEST_CASE("cli wrong input: a directory as the job file says so") {
  TempDir dir;
  auto run = run_mailferry({"sync", dir.path().string()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(dir.path().string() + ": is a directory, not a job file") !=
        std::string::npos);
  CHECK(run.err.find("syntax error") == std::string::npos);
}

TEST_CASE("cli wrong input: mistyped options and verbs get a suggestion") {
  auto option = run_mailferry({"sync", "--form", "mbox:x", "--to", "imaps://a@h"});
  CHECK(option.exit_code == 2);
  CHECK(option.err == "mailferry: error: unknown option '--form' of sync; did you mean --from?\n");

  auto verb = run_mailferry({"copy", "--from", "mbox:x", "--to", "imaps://a@h"});
  CHECK(verb.exit_code == 2);
  CHECK(verb.err == "mailferry: error: unknown verb 'copy'; verbs: sync, check, list, status\n");

  auto listed = run_mailferry({"list", "--from-password-file", "pw", "imaps://a@h"});
  CHECK(listed.exit_code == 2);
  CHECK(listed.err.find("unknown option '--from-password-file' of list") != std::string::npos);

  // What is right still parses as before: a wrong value is the parser's own message.
  auto value =
      run_mailferry({"sync", "--connections", "99", "--from", "mbox:x", "--to", "imaps://a@h"});
  CHECK(value.exit_code == 2);
  CHECK(value.err.find("did you mean") == std::string::npos);
}

TEST_CASE("cli wrong input: list with a password in its URL names list's own option") {
  auto run = run_mailferry({"list", "imaps://alice:secret@127.0.0.1:1"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("--password-file FILE") != std::string::npos);
  CHECK(run.err.find("--from-password-file") == std::string::npos);
  CHECK(run.err.find("secret") == std::string::npos);
}
