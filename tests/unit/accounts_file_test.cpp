#include "mailferry/job/accounts_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>

#include "mailferry/core/error.hpp"
#include "mailferry/job/job_file.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using nlohmann::json;

namespace {

std::vector<job::Job> accounts(const std::string& text, const json& defaults = json::object(),
                               bool owner_only = true) {
  return job::parse_accounts_text(text, "accounts.csv", defaults, owner_only);
}

std::string error_of(const std::string& text, const json& defaults = json::object(),
                     bool owner_only = true) {
  try {
    accounts(text, defaults, owner_only);
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("accounts: each line is the job a job file with the same keys gives") {
  const auto jobs = accounts(
      "name;from.url;from.password_file;to.url;to.password_env;only_role;keep_days;"
      "delete_after_copy;to.insecure_plaintext;max_messages_per_second\n"
      "alice;pop3s://alice@pop.example.com;/pw/alice;imaps://alice@imap.example.com;PW;sent;7;"
      "yes;false;0.5\n");
  REQUIRE(jobs.size() == 1);
  const auto from_json = job::parse_job_text(R"({"jobs": [{"name": "alice",
      "from": {"url": "pop3s://alice@pop.example.com", "password_file": "/pw/alice"},
      "to": {"url": "imaps://alice@imap.example.com", "password_env": "PW",
             "insecure_plaintext": false},
      "only_role": "sent", "keep_days": 7, "delete_after_copy": true,
      "max_messages_per_second": 0.5}]})",
                                             "jobs.json");
  const auto& a = jobs[0];
  const auto& b = from_json[0];
  CHECK(a.name == b.name);
  CHECK(a.from.endpoint.to_string() == b.from.endpoint.to_string());
  CHECK(a.to.endpoint.to_string() == b.to.endpoint.to_string());
  CHECK(a.from.password.file == b.from.password.file);
  CHECK(a.to.password.env == b.to.password.env);
  CHECK(a.only_role == b.only_role);
  CHECK(a.keep_days == b.keep_days);
  CHECK(a.delete_after_copy == b.delete_after_copy);
  CHECK(a.max_messages_per_second == b.max_messages_per_second);
  CHECK(a.origin == "accounts.csv");
}

TEST_CASE("accounts: defaults apply key by key, and a line's own password replaces theirs") {
  const json defaults{{"to", {{"ca_file", "/ca.pem"}, {"password_file", "/pw/shared"}}},
                      {"connections", 2}};
  const auto jobs = accounts(
      "from,to.url,to.password_env\n"
      "mbox:/srv/alice.mbox,imaps://alice@h,\n"
      "mbox:/srv/bob.mbox,imaps://bob@h,BOB_PW\n",
      defaults);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].to.ca_file == "/ca.pem");
  CHECK(jobs[0].to.password.file == "/pw/shared");  // an empty cell: the default
  CHECK(jobs[0].connections == 2);
  CHECK(jobs[1].to.ca_file == "/ca.pem");
  CHECK(jobs[1].to.password.file.empty());
  CHECK(jobs[1].to.password.env == "BOB_PW");
}

TEST_CASE("accounts: a line without a name is named after its endpoints, the same every time") {
  const auto jobs = accounts(
      "from.url,to.url\n"
      "pop3s://alice@pop.example.com,imaps://alice@imap.example.com\n"
      "mbox:~/export/bob.mbox,imaps://bob@imap.example.com:1993\n");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].name == "alice@pop.example.com -> alice@imap.example.com");
  // A file source by its URL as written (not with this machine's home in it).
  CHECK(jobs[1].name == "mbox:~/export/bob.mbox -> bob@imap.example.com:1993");
  CHECK(error_of("from.url,to.url\nmbox:/a,imaps://a@h\nmbox:/a,imaps://a@h\n") ==
        "accounts.csv: line 3: the job name 'mbox:/a -> a@h' is already that of line 2; names "
        "must be unique (give a name column)");
}

TEST_CASE("accounts: an unknown column gets a suggestion, errors name line and column") {
  CHECK(error_of("name,from.url,to.pasword_file\n") ==
        "accounts.csv: line 1, column 3 (to.pasword_file): unknown column; did you mean "
        "'to.password_file'?");
  CHECK(error_of("name,onlyrole\n") ==
        "accounts.csv: line 1, column 2 (onlyrole): unknown column; did you mean 'only_role'?");
  CHECK(error_of("name,map\n")
            .rfind("accounts.csv: line 1, column 2 (map): map is not a column", 0) == 0);
  CHECK(error_of("name,name\n") ==
        "accounts.csv: line 1, column 2 (name): the column is there twice");
  CHECK(error_of("from.url,to.url,only_role\nmbox:/a,imaps://a@h,sentitems\n") ==
        "accounts.csv: line 2, column 3 (only_role): unknown role 'sentitems'");
  CHECK(error_of("from.url,to.url,keep_days\nmbox:/a,imaps://a@h,soon\n") ==
        "accounts.csv: line 2, column 3 (keep_days): must be a whole number of days, 0 or more");
  CHECK(error_of("from.url,to.url\nmbox:/a,smtp://a@h\n")
            .rfind("accounts.csv: line 2, column 2 (to.url): ", 0) == 0);
  CHECK(error_of("from.url,to.url\nmbox:/a,\n") == "accounts.csv: line 2: key 'to': is missing");
  CHECK(error_of("from.url,to.url\nmbox:/a,imaps://a@h\n\"x\n")
            .rfind("accounts.csv: line 3, column 1: ", 0) == 0);
  CHECK(error_of("from.url\nmbox:/a\n") ==
        "accounts.csv: line 1: no to.url column (nor a \"to\" in the defaults): where does the "
        "mail go?");
  CHECK(error_of("").rfind("accounts.csv: the account list is empty", 0) == 0);
  CHECK(error_of("from.url,to.url\n;;\n") != "");
  // A key that came from the defaults is named as such.
  CHECK(error_of("from.url,to.url\nmbox:/a,imaps://a@h\n", json{{"only_role", "x"}}) ==
        "accounts.csv: line 2: key 'only_role': unknown role 'x'");
}

TEST_CASE("accounts: a password column only in a file no one else can read") {
  const std::string text =
      "from.url,from.password,to.url,to.password_file\n"
      "pop3s://alice@pop.example.com, s3cret ,imaps://alice@h,/pw/alice\n";
  const auto jobs = accounts(text);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].from.password.value.reveal() == " s3cret ");  // as written
  CHECK(jobs[0].from.password.file.empty());
  const std::string refused = error_of(text, json::object(), false);
  CHECK(refused ==
        "accounts.csv: line 1, column 2 (from.password): a password column is allowed only in a "
        "file that no one but its owner (you) can read: chmod 600 accounts.csv, or give "
        "from.password_file instead");
  CHECK(refused.find("s3cret") == std::string::npos);
  CHECK(error_of("from.url,from.password,from.password_env,to.url\n"
                 "pop3s://a@p,x,PW,imaps://a@h\n") ==
        "accounts.csv: line 2, column 2 (from.password): give only one of password, "
        "password_file, password_env and password_command");
  CHECK(error_of("from.url,from.password,to.url\nmbox:/a,x,imaps://a@h\n") ==
        "accounts.csv: line 2, column 2 (from.password): only IMAP, POP3 and PST endpoints take "
        "a password");

  // On disk the mode of the file decides.
  testing::TempDir dir;
  const std::string open =
      dir.write_file("open.csv", text,
                     std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                         std::filesystem::perms::group_read);
  CHECK_THROWS_WITH_AS(job::load_accounts_file(open, json::object()),
                       doctest::Contains("a password column is allowed only"), core::UsageError);
  const std::string closed = dir.write_file("closed.csv", text);  // 0600
  CHECK(job::load_accounts_file(closed, json::object()).size() == 1);
  // Without a password column, any mode is fine.
  const std::string plain =
      dir.write_file("plain.csv", "from.url,to.url\nmbox:/a,imaps://a@h\n",
                     std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  CHECK(job::load_accounts_file(plain, json::object()).size() == 1);
}

TEST_CASE("accounts: a job file names the list beside it and lends its defaults") {
  testing::TempDir dir;
  dir.write_file("lists/accounts.csv",
                 "name,from.url,to.url\nalice,mbox:/a.mbox,imaps://alice@h\n"
                 "bob,mbox:/b.mbox,imaps://bob@h\n");
  const std::string file =
      dir.write_file("lists/batch.json",
                     R"({"accounts": "accounts.csv", "defaults": {"to": {"ca_file": "/ca.pem"}},
          "jobs": [{"name": "carol", "from": "mbox:/c.mbox", "to": "imaps://carol@h"}]})");
  const auto jobs = job::load_job_file(file);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].name == "carol");
  CHECK(jobs[1].name == "alice");
  CHECK(jobs[1].to.ca_file == "/ca.pem");
  CHECK(jobs[2].origin == dir.file("lists/accounts.csv"));
  // --accounts replaces the key; a name in both is refused.
  dir.write_file("other.csv", "name,from.url,to.url\ncarol,mbox:/x.mbox,imaps://x@h\n");
  CHECK_THROWS_WITH_AS(job::load_job_file(file, dir.file("other.csv")),
                       doctest::Contains("two jobs are named 'carol'"), core::UsageError);
  // Only an account list: no "jobs" needed.
  const std::string only =
      dir.write_file("only.json", R"({"accounts": ")" + dir.file("lists/accounts.csv") + "\"}");
  CHECK(job::load_job_file(only).size() == 2);
}
