// Bash completion: the script loads and registers itself, offers every option
// the binary's --help shows (and only those), completes values, endpoints and
// paths, and `cmake --install` puts it (with the man pages) where bash-completion
// looks for it.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
namespace fs = std::filesystem;

namespace {

const std::string kScript = std::string(MAILFERRY_SOURCE_DIR) + "/completion/mailferry.bash";

// What completing `line` (cursor at the end) offers, one word a line, sorted.
std::set<std::string> complete(const std::string& line) {
  // COMP_WORDS as bash splits them: at spaces, and around ':' (a word break).
  const std::string script = R"(
source ")" + kScript + R"("
COMP_LINE=$1
COMP_POINT=${#COMP_LINE}
split=${COMP_LINE//:/ : }
read -ra COMP_WORDS <<< "$split"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_mailferry
printf '%s\n' "${COMPREPLY[@]}"
)";
  auto r = run_command({"bash", "-c", script, "complete", line});
  REQUIRE(r.exit_code == 0);
  std::set<std::string> words;
  std::istringstream in(r.out);
  for (std::string w; std::getline(in, w);)
    if (!w.empty()) words.insert(w);
  return words;
}

std::set<std::string> help_options(const std::string& verb) {
  auto help = run_mailferry({verb, "--help"});
  REQUIRE(help.exit_code == 0);
  std::set<std::string> found;
  std::istringstream lines(help.out);
  const std::regex option(R"((--[a-z][a-z0-9-]+))");
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  -", 0) != 0) continue;
    std::string column = line.substr(0, line.find("  ", 2));
    for (std::sregex_iterator it(column.begin(), column.end(), option), end; it != end; ++it)
      found.insert((*it)[1]);
  }
  return found;
}

}  // namespace

TEST_CASE("cli completion: bash loads it and completes verbs, options, values and paths") {
  auto loaded = run_command({"bash", "-c", "source '" + kScript + "' && complete -p mailferry"});
  CHECK(loaded.exit_code == 0);
  CHECK(loaded.out == "complete -F _mailferry mailferry\n");

  CHECK(complete("mailferry ") ==
        std::set<std::string>{"sync", "check", "list", "status", "--help", "--version"});
  CHECK(complete("mailferry ch") == std::set<std::string>{"check"});
  for (const std::string verb : {"sync", "check", "list", "status"}) {
    INFO(verb);
    auto offered = complete("mailferry " + verb + " --");
    auto help = help_options(verb);
    offered.erase("--help");
    help.erase("--help");
    CHECK(offered == help);
  }
  CHECK(complete("mailferry check --only-role s") == std::set<std::string>{"sent"});
  CHECK(complete("mailferry sync --log-format ") == std::set<std::string>{"text", "json"});
  CHECK(complete("mailferry sync --mbox-format mboxc") ==
        std::set<std::string>{"mboxcl", "mboxcl2"});
  CHECK(complete("mailferry sync --maildir-layout m") == std::set<std::string>{"maildir++"});
  CHECK(complete("mailferry sync --from m") == std::set<std::string>{"mbox:", "maildir:"});
  CHECK(complete("mailferry sync --to ima") == std::set<std::string>{"imaps://", "imap://"});
  CHECK(complete("mailferry sync --from p") ==
        std::set<std::string>{"pst:", "pop3s://", "pop3://"});

  TempDir dir;
  dir.write_file("old mail/Inbox.mbox", "");
  dir.write_file("jobs.json", R"({"jobs": [{"name": "alice", "from": "mbox:x", "to": "imaps://a@h"},
                                          {"name": "bob", "from": "mbox:y", "to": "imaps://b@h"}]})");
  dir.write_file("notes.txt", "");
  // After "mbox:" bash replaces only what follows the colon: the path.
  CHECK(complete("mailferry sync --from mbox:" + dir.file("old")) ==
        std::set<std::string>{dir.file("old mail")});
  CHECK(complete("mailferry list pst:" + dir.file("note")) ==
        std::set<std::string>{dir.file("notes.txt")});
  CHECK(complete("mailferry sync " + dir.file("j")) ==
        std::set<std::string>{dir.file("jobs.json")});
  CHECK(complete("mailferry sync " + dir.file("jobs.json") + " --job ") ==
        std::set<std::string>{"alice", "bob"});
  dir.write_file("accounts.csv", "name,from.url,to.url\n");
  CHECK(complete("mailferry status --accounts " + dir.file("acc")) ==
        std::set<std::string>{dir.file("accounts.csv")});
}

TEST_CASE("cli completion: cmake --install puts the completion, man pages and schema in place") {
  const fs::path build = fs::path(mailferry_binary()).parent_path();
  TempDir prefix;
  auto install =
      run_command({"cmake", "--install", build.string(), "--prefix", prefix.path().string()});
  INFO(install.describe());
  REQUIRE(install.exit_code == 0);
  CHECK(fs::exists(prefix.path() / "bin/mailferry"));
  CHECK(read_file(prefix.path() / "share/bash-completion/completions/mailferry") ==
        read_file(kScript));
  CHECK(fs::exists(prefix.path() / "share/man/man1/mailferry.1"));
  CHECK(fs::exists(prefix.path() / "share/man/man5/mailferry-job.5"));
  CHECK(fs::exists(prefix.path() / "share/mailferry/mailferry-job.schema.json"));
}
