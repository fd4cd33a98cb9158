// What the binary prints for the three kinds of people who run it: a cron job
// (no terminal: the verdict and errors only, no escape sequences), a log
// collector (--log-format json: one JSON object per line on stderr, nothing
// on stdout, never a secret), and an admin at a terminal (a progress line
// redrawn in place, under a pseudo-terminal from script(1)).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using nlohmann::json;

namespace {

const std::string kInbox = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> sync_args(const DovecotServer& server, const std::string& user,
                                   std::vector<std::string> extra) {
  std::vector<std::string> args{
      "sync",      "--from",        "mbox:" + kInbox, "--to", server.url("imaps", user),
      "--ca-file", server.ca_file()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("cli output: under cron only the verdict and errors, -v adds message lines") {
  DovecotServer server;
  const EnvChanges env{{"MAILFERRY_TO_PASSWORD", server.password()}};

  auto plain = run_mailferry(sync_args(server, "cron1", {}), env);
  INFO(plain.describe() << "\n" << plain.out);
  CHECK(plain.exit_code == 0);
  CHECK(lines_of(plain.out) ==
        std::vector<std::string>{"all 5 messages of 1 folder are on the server (0 already there, 5 "
                                 "added, 0 flags updated, 1 duplicate in the source)"});
  CHECK(plain.err == "");

  // --quiet, with nothing new: not a byte, so cron sends no mail.
  auto quiet = run_mailferry(sync_args(server, "cron1", {"--quiet"}), env);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out == "");
  CHECK(quiet.err == "");

  auto verbose = run_mailferry(sync_args(server, "cron2", {"-v"}), env);
  CHECK(verbose.exit_code == 0);
  int appended = 0;
  for (const auto& line : lines_of(verbose.out)) appended += line.rfind("+ INBOX message ", 0) == 0;
  CHECK(appended == 5);
  // Each line names the message by its place in the folder, its Message-ID
  // as the header has it, its date, sender and subject (decoded); a message
  // without a Message-ID by the rest.
  const auto verbose_lines = lines_of(verbose.out);
  auto has_line = [&](const std::string& line) {
    return std::find(verbose_lines.begin(), verbose_lines.end(), line) != verbose_lines.end();
  };
  CHECK(
      has_line("+ INBOX message 1 <20190305091450.4711@mail.example.net> 2019-03-05 from Lena "
               "Hartmann \"Opening hours over Easter\""));
  CHECK(
      has_line("+ INBOX message 2 <5c80c8d6.1c69fb81.2b3e.0001@mx.example.org> 2019-03-07 from "
               "Jonas Weber \"Grüße aus München – Bestellung für März\""));
  CHECK(
      has_line("+ INBOX message 4 <invoice-2019-0318@billing.example.org> 2019-03-18 from "
               "Supplier Billing \"Invoice 2019-0318 due on 31 March\""));
  CHECK(has_line("+ INBOX message 3 2019-03-15 from Paul Ostrowski \"Re: Frame size question\""));
  // The duplicate of message 1, named as one.
  CHECK(
      has_line("d INBOX message 6 <20190305091450.4711@mail.example.net> 2019-03-05 from Lena "
               "Hartmann \"Opening hours over Easter\""));
  // A dry run names what it would upload the same way.
  auto dry = run_mailferry(sync_args(server, "cron4", {"--dry-run", "-v"}), env);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("+ INBOX message 3 2019-03-15 from Paul Ostrowski \"Re: Frame size "
                     "question\"\n") != std::string::npos);
  CHECK(verbose.out.find("  Inbox.mbox -> INBOX: 6 messages") == std::string::npos);
  CHECK(verbose.out.find("Inbox -> INBOX: 5 messages, 0 already there, 5 added") !=
        std::string::npos);

  // An error under --quiet still says what and where, on stderr, and no escape sequence anywhere.
  TempDir dir;
  const std::string wrong = dir.write_file("wrong", "not-the-password\n");
  auto failed = run_mailferry(sync_args(server, "cron3", {"--quiet", "--to-password-file", wrong}));
  CHECK(failed.exit_code == 3);
  CHECK(failed.err.find("mailferry: error: ") == 0);
  CHECK(lines_of(failed.err).size() == 1);  // one line says it all
  CHECK(failed.err.find("login failed") != std::string::npos);
  CHECK(failed.out == "");
  for (const auto* text :
       {&plain.out, &plain.err, &verbose.out, &verbose.err, &failed.out, &failed.err})
    CHECK(text->find('\x1b') == std::string::npos);
}

TEST_CASE("cli output: --log-format json is one event per line on stderr, and never the password") {
  DovecotServer server;
  const EnvChanges env{{"MAILFERRY_TO_PASSWORD", server.password()}};
  auto run = run_mailferry(sync_args(server, "collector", {"--log-format", "json"}), env);
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  CHECK(run.out == "");
  std::vector<json> events;
  for (const auto& line : lines_of(run.err)) {
    INFO(line);
    REQUIRE_NOTHROW(events.push_back(json::parse(line)));
    CHECK(events.back().contains("time"));
  }
  REQUIRE(events.size() >= 5);
  CHECK(events.front()["event"] == "job_start");
  CHECK(events.front()["to"] ==
        "imaps://collector@127.0.0.1:" + std::to_string(server.imaps_port()));
  CHECK(events.back()["event"] == "job_end");
  CHECK(events.back()["exit_code"] == 0);
  CHECK(events.back()["totals"]["appended"] == 5);
  int appended = 0, folder_ends = 0;
  for (const auto& e : events) {
    if (e["event"] == "message") {
      CHECK(e["status"] == "appended");
      CHECK(e["target"] == "INBOX");
      ++appended;
    }
    folder_ends += e["event"] == "folder_end";
  }
  CHECK(appended == 5);
  // Each message event carries its place in the folder and its Message-ID.
  std::map<std::uint64_t, std::string> ids;
  for (const auto& e : events)
    if (e["event"] == "message") ids[e["ordinal"].get<std::uint64_t>()] = e["message_id"];
  CHECK(ids[1] == "<20190305091450.4711@mail.example.net>");
  CHECK(ids[3] == "");
  // And what a person finds it by: date, sender, subject.
  for (const auto& e : events)
    if (e["event"] == "message" && e["ordinal"] == 3) {
      CHECK(e["date"].get<std::string>().rfind("15-Mar-2019 ", 0) == 0);
      CHECK(e["from"] == "Paul Ostrowski");
      CHECK(e["subject"] == "Re: Frame size question");
    }
  CHECK(ids.count(6) == 0);  // the duplicate of message 1 is not uploaded
  CHECK(folder_ends == 1);

  // Failures are events too: a refused login is an error event and a job_end with exit 3.
  TempDir dir;
  const std::string wrong = dir.write_file("wrong", "not-the-password\n");
  auto refused = run_mailferry(
      sync_args(server, "collector", {"--log-format", "json", "--to-password-file", wrong}));
  CHECK(refused.exit_code == 3);
  CHECK(refused.out == "");
  bool error_event = false;
  for (const auto& line : lines_of(refused.err)) {
    auto e = json::parse(line);
    error_event = error_event || (e["event"] == "error" && e["scope"] == "account");
  }
  CHECK(error_event);
  CHECK(json::parse(lines_of(refused.err).back())["exit_code"] == 3);

  // A job-file error before any work is a JSON log event as well.
  const std::string bad = dir.write_file("bad.json", "{\"jobs\": [{\"form\": \"mbox:x\"}]}");
  auto usage = run_mailferry({"sync", "--log-format", "json", bad});
  CHECK(usage.exit_code == 2);
  auto lines = lines_of(usage.err);
  REQUIRE(lines.size() == 1);
  auto e = json::parse(lines[0]);
  CHECK(e["event"] == "log");
  CHECK(e["level"] == "error");
  CHECK(e["message"].get<std::string>().find("did you mean 'from'") != std::string::npos);

  for (const auto* text : {&run.err, &refused.err, &usage.err})
    CHECK(text->find(server.password()) == std::string::npos);
}

TEST_CASE("cli output: at a terminal, progress is redrawn in place and gone at the end") {
  DovecotServer server;
  const std::string mbox =
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd";
  auto command = [&](const std::string& user, const std::string& extra) {
    return std::string(mailferry_binary()) + " sync --from 'mbox:" + mbox + "' --to " +
           server.url("imaps", user) + " --ca-file " + server.ca_file() + " --to-password-file " +
           server.password_file() + extra;
  };
  CommandOptions options;
  options.env = {{"TERM", "xterm"}, {"COLUMNS", "100"}};
  // script(1) runs the command on a pseudo-terminal and copies what it writes.
  auto tty = run_command({"script", "-q", "-e", "-c", command("tty1", ""), "/dev/null"}, options);
  INFO(tty.describe());
  CHECK(tty.exit_code == 0);
  CHECK(tty.out.find("\r\x1b[K") != std::string::npos);
  CHECK(tty.out.find("/2,000 messages") != std::string::npos);
  CHECK(tty.out.find(" MiB/15 MiB") != std::string::npos);
  // The finished folder stays, the verdict ends the output, the progress line is erased before it.
  const auto folder = tty.out.find("-> INBOX: 2,000 messages, 0 already there, 2,000 added");
  const auto verdict = tty.out.find("all 2,000 messages of 1 folder are on the server");
  CHECK(folder != std::string::npos);
  CHECK(verdict != std::string::npos);
  CHECK(tty.out.substr(verdict - 4, 4) == "\r\x1b[K");

  auto quiet =
      run_command({"script", "-q", "-e", "-c", command("tty2", " --quiet"), "/dev/null"}, options);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.find('\x1b') == std::string::npos);
  CHECK(lines_of(quiet.out).empty());  // a job that went well says nothing under --quiet
}
