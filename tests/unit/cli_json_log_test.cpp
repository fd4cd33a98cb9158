// --log-format json: every event is one JSON object on one line, with the
// documented fields; per-message noise only with -v.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "mailferry/cli/json_log.hpp"

using namespace mailferry;
using namespace mailferry::cli;
using nlohmann::json;

TEST_CASE("cli json log: one object per event with time, event and the documented fields") {
  std::vector<std::string> lines;
  JsonLog log([&](std::string_view line) { lines.emplace_back(line); }, sync::Mode::Sync, false);
  log.job_started(0, {"alice", "mbox:/x", "imaps://alice@h:993", false});
  sync::FolderReport f;
  f.source = "Gesendet";
  f.target = "Sent";
  f.role = core::Role::Sent;
  f.counters.source = 2;
  log.folder_started(0, f, 2);
  log.transfer_started(0, f, 2, 300);
  log.message(
      0,
      {sync::Sigil::Present, "Gesendet", "Sent", 1, "<p@x>", 100, "", {}, "", ""});  // not without
                                                                                     // -v
  log.message(0, {sync::Sigil::Missing, "Gesendet", "Sent", 2, "<a@x>", 100, "",
                  core::InternalDate{1709650800, 60}, "Alice Example", "Grüße"});
  log.message(
      0, {sync::Sigil::Error, "Gesendet", "Sent", 3, "", 200, "NO [TOOBIG] too big", {}, "", ""});
  f.counters.appended = 1;
  f.counters.failed = 1;
  log.folder_finished(0, f);
  sync::JobReport report;
  report.name = "alice";
  report.folders = {f};
  report.add_error({core::ErrorScope::Message, "mbox:/x message 3", "NO [TOOBIG] too big"}, 1);
  report.sum_folders();
  log.job_finished(0, report);
  log.log(core::LogLevel::Warn, "slow server");

  std::vector<json> events;
  for (const auto& line : lines) {
    CHECK(line.find('\n') == std::string::npos);
    events.push_back(json::parse(line));
    CHECK(events.back()["time"].get<std::string>().size() == 24);  // 2025-03-01T02:15:07.123Z
    CHECK(line.rfind("{\"time\":", 0) == 0);
  }
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e["event"]);
  CHECK(kinds == std::vector<std::string>{"job_start", "folder_start", "transfer_start", "message",
                                          "message", "folder_end", "error", "job_end", "log"});
  CHECK(events[0]["job"] == "alice");
  CHECK(events[0]["mode"] == "sync");
  CHECK(events[0]["to"] == "imaps://alice@h:993");
  CHECK(events[2]["bytes"] == 300);
  CHECK(events[3]["status"] == "appended");
  CHECK(events[3]["sigil"] == "+");
  CHECK(events[3]["message_id"] == "<a@x>");
  // What a person finds it by; the date in IMAP's form, in the message's zone.
  CHECK(events[3]["date"] == "05-Mar-2024 16:00:00 +0100");
  CHECK(events[3]["from"] == "Alice Example");
  CHECK(events[3]["subject"] == "Grüße");
  CHECK_FALSE(events[4].contains("from"));  // absent rather than empty
  CHECK(events[4]["status"] == "failed");
  CHECK(events[4]["detail"] == "NO [TOOBIG] too big");
  CHECK(events[5]["role"] == "sent");
  CHECK(events[5]["counters"]["appended"] == 1);
  CHECK(events[6]["scope"] == "message");
  CHECK(events[7]["exit_code"] == 1);
  CHECK(events[7]["errors"] == 1);
  CHECK(events[7]["verdict"].get<std::string>().find("1 message failed") == 0);
  CHECK(events[8]["level"] == "warning");
  CHECK(events[8]["message"] == "slow server");
}

TEST_CASE("cli json log: check statuses, -v adds present messages, bad UTF-8 is replaced") {
  std::vector<std::string> lines;
  JsonLog log([&](std::string_view line) { lines.emplace_back(line); }, sync::Mode::Check, true);
  log.job_started(0, {"bob", "pst:/y", "imaps://bob@h:993", false});
  log.message(0, {sync::Sigil::Present, "In\xff", "INBOX", 1, "", 1, "", {}, "", ""});
  log.message(0, {sync::Sigil::Missing, "Inbox", "INBOX", 2, "", 1, "", {}, "", ""});
  log.message(0, {sync::Sigil::Differs, "Inbox", "INBOX", 3, "", 1, "lacks \\Seen", {}, "", ""});
  REQUIRE(lines.size() == 4);
  CHECK(json::parse(lines[0])["mode"] == "check");
  CHECK(json::parse(lines[1])["status"] == "present");
  CHECK(json::parse(lines[1])["source"] == "In\xEF\xBF\xBD");
  CHECK(json::parse(lines[2])["status"] == "missing");
  CHECK(json::parse(lines[3])["status"] == "lacks_flags");
}
