// The man pages render without a single groff warning, document every exit
// code and environment variable, and name every key the job-file loader
// accepts, so the documentation cannot silently fall behind the code.
#include <doctest/doctest.h>

#include <string>

#include "mailferry/job/job_file.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;

namespace {

const std::string kManDir = std::string(MAILFERRY_SOURCE_DIR) + "/man/";

// man pages spell a hyphen in a name as "\-".
std::string troff_escaped(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

void renders_cleanly(const std::string& page) {
  INFO(page);
  auto groff = run_command({"groff", "-man", "-ww", "-z", kManDir + page});
  CHECK(groff.exit_code == 0);
  CHECK(groff.err == "");

  CommandOptions options;
  options.env = {{"MANWIDTH", "80"}, {"LC_ALL", "C.UTF-8"}, {"MAN_KEEP_FORMATTING", std::nullopt}};
  auto man = run_command({"man", "--warnings", "-P", "cat", "-l", kManDir + page}, options);
  CHECK(man.exit_code == 0);
  CHECK(man.err == "");
  CHECK(man.out.find("NAME") != std::string::npos);
  CHECK(man.out.find("SEE ALSO") != std::string::npos);
}

}  // namespace

TEST_CASE("cli man pages: mailferry.1 and mailferry-job.5 render without warnings") {
  renders_cleanly("mailferry.1");
  renders_cleanly("mailferry-job.5");
}

TEST_CASE("cli man pages: mailferry.1 has the sections, exit codes and environment") {
  const std::string page = read_file(kManDir + "mailferry.1");
  for (const char* section : {".SH SYNOPSIS", ".SH VERBS", ".SH ENDPOINTS", ".SH OPTIONS",
                              ".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", ".SH EXAMPLES"}) {
    INFO(section);
    CHECK(page.find(section) != std::string::npos);
  }
  for (const char* code : {".B 0\n", ".B 1\n", ".B 2\n", ".B 3\n", ".B 4\n", ".B 5\n"}) {
    INFO("exit code line " << code);
    CHECK(page.find(std::string(".TP\n") + code) != std::string::npos);
  }
  for (const char* name : {"MAILFERRY_FROM_PASSWORD", "MAILFERRY_TO_PASSWORD",
                           "MAILFERRY_GREETING_TIMEOUT", "XDG_STATE_HOME"})
    CHECK(page.find(std::string(".B ") + name + "\n") != std::string::npos);
  for (const char* verb : {".B sync\n", ".B check\n", ".B list\n", ".B status\n"})
    CHECK(page.find(verb) != std::string::npos);
}

TEST_CASE("cli man pages: mailferry-job.5 describes every key the loader accepts") {
  const std::string page = read_file(kManDir + "mailferry-job.5");
  const auto& keys = job::job_file_keys();
  for (const auto* level : {&keys.top, &keys.job, &keys.endpoint}) {
    for (const auto& key : *level) {
      INFO("key " << key);
      // Each key is the tag of its own .TP paragraph: ".BR key " (type...)"".
      CHECK(page.find(".TP\n.BR " + troff_escaped(key) + " \"") != std::string::npos);
    }
  }
}
