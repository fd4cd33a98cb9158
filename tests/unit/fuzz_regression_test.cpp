// Inputs the fuzz targets (fuzz/) found trouble with, replayed through the
// same code paths as ordinary tests, so that a fixed bug stays fixed in every
// build, not only in the clang fuzz build.
//
// Every file in tests/data/fuzz-regressions/ is named after its target
// ("job_file-...", "imap_parser-...", ...) and is replayed by the checks
// below; a test case per finding states what went wrong.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/core/internal_date.hpp"
#include "mailferry/imap/parser.hpp"
#include "mailferry/job/job_file.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/pop3/response_parser.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry;

namespace {

const fs::path kRegressions = fs::path(MAILFERRY_TEST_DIR) / "data" / "fuzz-regressions";

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> out;
  if (!fs::is_directory(kRegressions)) return out;
  for (const auto& entry : fs::directory_iterator(kRegressions))
    if (entry.path().filename().string().rfind(target + "-", 0) == 0) out.push_back(entry.path());
  return out;
}

// The job-file target's contract: jobs, or a UsageError that names the file.
void replay_job_file(const std::string& text) {
  try {
    auto jobs = job::parse_job_text(text, "regression.json");
    CHECK_FALSE(jobs.empty());
  } catch (const core::UsageError& e) {
    CHECK(std::string(e.what()).rfind("regression.json: ", 0) == 0);
  }
}

// The IMAP target's resumability check: whole and byte by byte agree.
std::vector<imap::Response> imap_responses(std::string_view stream, bool bytewise) {
  imap::ResponseParser parser;
  std::vector<imap::Response> out;
  auto run = [&](std::string_view input) {
    for (;;) {
      auto r = parser.feed(input);
      if (r == imap::ResponseParser::Result::Response)
        out.push_back(parser.take_response());
      else if (r != imap::ResponseParser::Result::LiteralChunk)
        return;
    }
  };
  if (bytewise)
    for (std::size_t i = 0; i < stream.size(); ++i) run(stream.substr(i, 1));
  else
    run(stream);
  return out;
}

}  // namespace

TEST_CASE("fuzz regressions: every saved input replays without failure") {
  for (const auto& path : inputs_of("job_file")) {
    INFO(path.string());
    replay_job_file(testing::read_file(path));
  }
  for (const auto& path : inputs_of("imap_parser")) {
    INFO(path.string());
    const std::string data = testing::read_file(path);
    CHECK(imap_responses(data, false) == imap_responses(data, true));
  }
  for (const auto& path : inputs_of("mime_headers")) {
    INFO(path.string());
    const std::string data = testing::read_file(path);
    CHECK_FALSE(mime::message_key(mime::scan_header_fields(data), data.size()).empty());
    (void)core::parse_imap_date(std::string_view(data).substr(0, 64));
  }
}

TEST_CASE("fuzz regression: a number too large for JSON in a job file is a usage error") {
  // nlohmann::json throws out_of_range (not parse_error) for 1e999; it used to
  // escape as "internal error: [json.exception.out_of_range.406] ..." without
  // the file's name.
  for (const std::string& text :
       {std::string(R"({"jobs": [{"from": "mbox:/a", "to": "imaps://x@h", "keep_days": 1e999}]})"),
        std::string("58888888888888888888888e875555555555110")}) {
    try {
      job::parse_job_text(text, "jobs.json");
      FAIL("no error for " << text);
    } catch (const core::UsageError& e) {
      const std::string what = e.what();
      CHECK(what.rfind("jobs.json: ", 0) == 0);
      CHECK(what.find("number overflow") != std::string::npos);
      CHECK(what.find("json.exception") == std::string::npos);
    }
  }
  REQUIRE(inputs_of("job_file").size() >= 2);
}

TEST_CASE("fuzz regression: an INTERNALDATE far out of range is refused, not overflowed") {
  // The year went into "year - 1900" unchecked: signed overflow (undefined
  // behaviour) for -2147483648 from a broken or hostile server.
  CHECK_FALSE(core::parse_imap_date(" 1-Jan--2147483648 00:00:00 +0000"));
  CHECK_FALSE(core::parse_imap_date(" 1-Jan-2019 00:00:00 +2147483647"));
  CHECK_FALSE(core::parse_imap_date("2147483647-Jan-2019 25:61:61 -0000"));
  CHECK_FALSE(core::parse_imap_date("32-Jan-2019 00:00:00 +0000"));
  const auto good = core::parse_imap_date(" 2-Feb-2019 11:12:13 +0100");
  REQUIRE(good);
  CHECK(good->offset_minutes == 60);
  CHECK(good->to_imap() == "02-Feb-2019 11:12:13 +0100");
  REQUIRE(core::parse_imap_date("31-Dec-1969 23:59:60 -2359"));
  REQUIRE(inputs_of("mime_headers").size() >= 1);
}
