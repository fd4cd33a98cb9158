// The progress display without a terminal: events go in with made-up times,
// frames come out; the console's in-place redraw is checked byte for byte.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "mailferry/cli/console.hpp"
#include "mailferry/cli/progress.hpp"
#include "mailferry/cli/terminal_output.hpp"

using namespace mailferry;
using namespace mailferry::cli;
using namespace std::chrono_literals;

namespace {

const ProgressBoard::TimePoint kStart{std::chrono::hours(1)};

std::string contents(std::FILE* file) {
  std::fflush(file);
  std::string text;
  std::rewind(file);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
  return text;
}

}  // namespace

TEST_CASE("cli progress: messages, bytes, rate and ETA of a folder being uploaded") {
  ProgressBoard board;
  board.job_started(0, "", kStart);
  CHECK(board.render(kStart, 80) ==
        std::vector<std::string>{"reading folders and the server's index..."});

  // 4,812 messages, 4,100 already there; 712 to send, 712 MiB in all.
  board.folder_started(0, "INBOX", 4812, 4100, kStart);
  CHECK(board.render(kStart, 80)[0] == "INBOX   85%  4,100/4,812 messages");
  board.transfer_started(0, 712, 712ull << 20, kStart);
  CHECK(board.render(kStart, 80)[0] == "INBOX    0%  4,100/4,812 messages  0 B/712 MiB  ETA -");

  // One 1 MiB message per second for 100 seconds.
  for (int i = 1; i <= 100; ++i) board.message_done(0, 1 << 20, kStart + i * 1s);
  const auto now = kStart + 100s;
  CHECK(board.render(now, 100)[0] ==
        "INBOX   14%  4,200/4,812 messages  100 MiB/712 MiB  1.0 MiB/s  ETA 10m12s");

  // The rate follows the last seconds (41 MiB in 11 s): faster now.
  for (int i = 1; i <= 40; ++i) board.message_done(0, 1 << 20, now + i * 250ms);
  CHECK(board.render(now + 10s, 100)[0] ==
        "INBOX   19%  4,240/4,812 messages  140 MiB/712 MiB  3.7 MiB/s  ETA 2m33s");

  // Lines never reach the last column (the terminal would wrap them).
  CHECK(board.render(now, 30)[0].size() == 29);
  board.folder_finished(0);
  CHECK(board.render(now, 80)[0] == "reading folders and the server's index...");
  board.job_finished(0);
  CHECK(board.empty());
}

TEST_CASE("cli progress: parallel jobs get a line each, labelled, in job order") {
  ProgressBoard board;
  board.job_started(2, "carol: ", kStart);
  board.job_started(0, "alice: ", kStart);
  board.folder_started(0, "Sent", 10, 0, kStart);
  board.folder_started(2, "INBOX", 4, 4, kStart);
  auto lines = board.render(kStart, 80);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "alice: Sent    0%  0/10 messages");
  CHECK(lines[1] == "carol: INBOX  100%  4/4 messages");
}

TEST_CASE("cli progress: UTF-8 folder names are cut between characters") {
  CHECK(cut_to_columns("Gesendete Elemente", 9) == "Gesendete");
  CHECK(cut_to_columns("Größe", 3) == "Grö");
  CHECK(cut_to_columns("Größe", 10) == "Größe");
}

TEST_CASE("cli progress: the console redraws the status in place and erases it before lines") {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  {
    Console console(out, err, true);
    console.set_status({"INBOX 10%"});
    console.set_status({"INBOX 20%"});
    console.out_line("  Inbox -> INBOX: 2 messages");
    console.set_status({"a: Sent 1%", "b: INBOX 2%"});
    console.err_line("mailferry: warning: slow");
    console.clear_status();
  }
  CHECK(contents(out) == "  Inbox -> INBOX: 2 messages\n");
  CHECK(contents(err) ==
        "INBOX 10%"
        "\r\x1b[KINBOX 20%"
        "\r\x1b[K"  // erased before the stdout line, drawn again after it
        "INBOX 20%"
        "\r\x1b[Ka: Sent 1%\nb: INBOX 2%"
        "\r\x1b[K\x1b[A\r\x1b[K"  // both lines erased, the cursor back on the first
        "mailferry: warning: slow\n"
        "a: Sent 1%\nb: INBOX 2%"
        "\r\x1b[K\x1b[A\r\x1b[K");
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("cli progress: without a terminal there is no status area at all") {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  {
    Console console(out, err, false);
    console.set_status({"INBOX 10%"});
    console.out_line("verdict");
    console.clear_status();
  }
  CHECK(contents(out) == "verdict\n");
  CHECK(contents(err) == "");
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("cli progress: terminal output frames of a sync, with redraws at most every 100 ms") {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  auto now = kStart;
  {
    Console console(out, err, true);
    TerminalOutput output(console, OutputSettings{}, [&] { return now; });
    output.job_started(0, {"alice", "mbox:/x", "imaps://alice@h:993", false});
    sync::FolderReport folder;
    folder.source = "Inbox";
    folder.target = "INBOX";
    folder.counters.source = 3;
    output.folder_started(0, folder, 3);
    output.transfer_started(0, folder, 3, 3000);
    MessageEvent m{sync::Sigil::Missing, "Inbox", "INBOX", 1, "<1@x>", 1000, "", {}, "", ""};
    now += 10ms;  // too soon for a redraw
    output.message(0, m);
    now += 2s;
    output.message(0, m);
    now += 1s;
    output.message(0, m);
    folder.counters.appended = 3;
    output.folder_finished(0, folder);
    sync::JobReport report;
    report.folders = {folder};
    report.sum_folders();
    output.job_finished(0, report);
    output.finish();
  }
  const std::string frames = contents(err);
  CHECK(frames.find("INBOX    0%  0/3 messages  0 B/2.9 KiB  ETA -") != std::string::npos);
  CHECK(frames.find("33%") == std::string::npos);  // the first answer came too soon to draw
  INFO(frames);
  // 2,000 bytes in 2.01 s, then 3,000 in 3.01 s.
  CHECK(frames.find("INBOX   66%  2/3 messages  2.0 KiB/2.9 KiB  995 B/s  ETA 1s") !=
        std::string::npos);
  CHECK(frames.find("INBOX  100%  3/3 messages  2.9 KiB/2.9 KiB  996 B/s  ETA 0s") !=
        std::string::npos);
  CHECK(frames.size() >= 5);
  CHECK(frames.substr(frames.size() - 4) == "\r\x1b[K");  // nothing left on the screen
  CHECK(
      contents(out) ==
      "  Inbox -> INBOX: 3 messages, 0 already there, 3 added\n"
      "all 3 messages of 1 folder are on the server (0 already there, 3 added, 0 flags updated)\n");
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("cli progress: thousands of messages a second keep a few samples and the right rate") {
  ProgressBoard board;
  board.job_started(0, "", kStart);
  board.folder_started(0, "INBOX", 200000, 0, kStart);
  board.transfer_started(0, 200000, 200000ull * 1024, kStart);
  // 10,000 messages of 1 KiB a second (10,000 KiB/s) for 15 seconds.
  for (int i = 1; i <= 150000; ++i) board.message_done(0, 1024, kStart + i * 100us);
  const auto now = kStart + 15s;
  CHECK(board.render(now, 100)[0].find("9.8 MiB/s") != std::string::npos);
  // One sample a tenth of a second over the 10 s window, not one a message.
  CHECK(board.samples_held(0) <= 110);
  CHECK(board.samples_held(0) >= 90);
}
