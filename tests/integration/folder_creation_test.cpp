// Folders on every server shape, through the real binary and a real Dovecot:
// a folder the server refuses to create is that folder's error and the others
// arrive; a fresh account on a server without NAMESPACE gets its new folders
// where the server wants them; `list` says what kind of server it is.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "roles_test_support.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::roles_test;

namespace {

const std::string kExampleInbox = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";

DovecotShape minimal_below_inbox() {
  DovecotShape shape;
  shape.minimal = true;
  shape.separator = ".";
  shape.prefix = "INBOX.";
  shape.default_folders = false;
  return shape;
}

}  // namespace

TEST_CASE("folders: one the server refuses to create is that folder's error, the others arrive") {
  DovecotServer server;
  TempDir dir;
  const std::string tb = thunderbird_dir();
  dir.write_file("tree/Inbox", read_file(tb + "/Inbox"));
  // Dovecot refuses names that begin with '~' (a home directory to its file layout).
  dir.write_file("tree/~Notes", read_file(kExampleInbox));
  dir.write_file("tree/Projects", read_file(tb + "/Archives.sbd/2019"));
  const std::string report = dir.file("report.json");
  auto run = sync_to(server, "refused", "mbox:" + dir.file("tree"), {"--report", report});
  INFO(run.describe());
  CHECK(run.exit_code == 1);
  const std::string said = run.out + run.err;
  CHECK(said.find("~Notes") != std::string::npos);
  CHECK(said.find("Begins with '~'") != std::string::npos);  // the server's own words

  auto snapshot = imap_snapshot(server, "refused");
  CHECK(shas(snapshot, "INBOX") == all_mbox_messages(tb + "/Inbox"));
  CHECK(shas(snapshot, "Projects") == all_mbox_messages(tb + "/Archives.sbd/2019"));
  CHECK(snapshot.count("~Notes") == 0);

  auto job = nlohmann::json::parse(read_file(report))["jobs"][0];
  REQUIRE(job["errors"].size() == 1);
  CHECK(job["errors"][0]["scope"] == "folder");
  CHECK(job["errors"][0]["where"].get<std::string>().find("~Notes") != std::string::npos);
  CHECK(job["errors"][0]["message"].get<std::string>().find("cannot create folder ~Notes") !=
        std::string::npos);
}

TEST_CASE("folders: a fresh account on a server without NAMESPACE gets them below INBOX.") {
  DovecotServer server(minimal_below_inbox());
  auto listed = run_mailferry({"list", server.url("imaps", "fresh"), "--ca-file", server.ca_file(),
                               "--password-file", server.password_file()});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.describe());
  CHECK(listed.out.find("server: namespace \"\" (a guess: the account holds INBOX only), "
                        "delimiter '.'; without NAMESPACE") == 0);

  auto run = sync_to(server, "fresh", "mbox:" + kExampleInbox, {"--to-folder", "kill-test"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
  auto snapshot = imap_snapshot(server, "fresh");
  CHECK(shas(snapshot, "INBOX.kill-test") == all_mbox_messages(kExampleInbox));
  const auto names = server.mailboxes("fresh");
  CHECK(std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"INBOX", "INBOX.kill-test"});

  // Now the account shows where its folders live.
  listed = run_mailferry({"list", server.url("imaps", "fresh"), "--ca-file", server.ca_file(),
                          "--password-file", server.password_file()});
  CHECK(listed.out.find("server: namespace \"INBOX.\" (inferred from the folders)") == 0);
}

TEST_CASE("folders: list names the namespace and the capabilities that change what happens") {
  DovecotServer server;
  auto listed = run_mailferry({"list", server.url("imaps", "shape"), "--ca-file", server.ca_file(),
                               "--password-file", server.password_file()});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.describe());
  const std::string first = listed.out.substr(0, listed.out.find('\n'));
  CHECK(first.rfind("server: namespace \"\" (announced), delimiter '/'; with NAMESPACE SPECIAL-USE",
                    0) == 0);
  CHECK(first.find("UIDPLUS") != std::string::npos);
  const bool uidplus_is_had = first.find("; without") == std::string::npos ||
                              first.find("UIDPLUS") < first.find("; without");
  CHECK(uidplus_is_had);
}
