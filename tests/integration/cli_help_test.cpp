// `--help` of every verb, from the real binary: it exits 0, fits a terminal,
// and every option it shows is documented in man/mailferry.1.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> found;
  const std::regex option(R"((?:^|[\s,])(--[a-z][a-z0-9-]+))");
  std::istringstream lines(help);
  std::string line;
  while (std::getline(lines, line)) {
    // Only the option column: a description may mention other options.
    if (line.rfind("  -", 0) != 0) continue;
    std::string column = line.substr(0, line.find("  ", 2));
    for (std::sregex_iterator it(column.begin(), column.end(), option), end; it != end; ++it)
      found.insert((*it)[1]);
  }
  return found;
}

std::string troff_escaped(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

}  // namespace

TEST_CASE("cli help: every verb has --help, and every option in it is in the man page") {
  const std::string page = read_file(std::string(MAILFERRY_SOURCE_DIR) + "/man/mailferry.1");
  auto top = run_mailferry({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* verb : {"sync", "check", "list", "status"})
    CHECK(top.out.find(verb) != std::string::npos);

  for (const std::string verb : {"sync", "check", "list", "status"}) {
    INFO("verb " << verb);
    auto help = run_mailferry({verb, "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage: mailferry " + verb) != std::string::npos);
    auto options = long_options(help.out);
    CHECK(options.size() >= (verb == "status" ? 3u : 5u));
    for (const auto& name : options) {
      INFO("option " << name);
      CHECK(page.find(troff_escaped(name)) != std::string::npos);
    }
    // The option table wraps at 80 columns (examples in the footer may not).
    std::istringstream lines(help.out.substr(0, help.out.find("\nExample")));
    std::string line;
    while (std::getline(lines, line)) {
      INFO(line);
      CHECK(line.size() <= 80);
    }
  }

  auto version = run_mailferry({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("mailferry ", 0) == 0);
  auto bad = run_mailferry({"sync", "--no-such-option"});
  CHECK(bad.exit_code == 2);
}
