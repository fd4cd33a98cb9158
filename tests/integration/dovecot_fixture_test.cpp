// The throwaway Dovecot every integration test relies on: it must start on
// private ports, accept the password, present a certificate that verifies
// against its own CA only, and take the shapes other servers have.
#include <doctest/doctest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"

using mailferry::testing::CommandOptions;
using mailferry::testing::CommandResult;
using mailferry::testing::DovecotServer;
using mailferry::testing::DovecotShape;
using mailferry::testing::run_command;

namespace {

// Talks to the server through openssl s_client, which verifies the
// certificate chain and the IP address against ca_file (or, when ca_file is
// empty, against the system store only). lines end with CRLF here.
CommandResult talk(int port, const std::string& ca_file, const std::string& lines,
                   const std::string& starttls = "") {
  std::vector<std::string> argv{
      "openssl",    "s_client",  "-quiet",   "-verify_return_error",
      "-verify_ip", "127.0.0.1", "-connect", "127.0.0.1:" + std::to_string(port)};
  if (!ca_file.empty()) argv.insert(argv.end(), {"-CAfile", ca_file});
  if (!starttls.empty()) argv.insert(argv.end(), {"-starttls", starttls});
  CommandOptions options;
  options.stdin_data = lines;
  options.timeout = std::chrono::seconds(20);
  return run_command(argv, options);
}

std::string imap_login_script(const DovecotServer& server, const std::string& user,
                              const std::string& commands) {
  return "a LOGIN " + user + " " + server.password() + "\r\n" + commands + "z LOGOUT\r\n";
}

const char* const kMessage =
    "From: Ada Example <ada@example.org>\r\n"
    "To: Bob Example <bob@example.net>\r\n"
    "Subject: fixture round trip\r\n"
    "Date: Tue, 05 Mar 2019 10:15:00 +0100\r\n"
    "Message-ID: <fixture-1@example.org>\r\n"
    "\r\n"
    "First line of the body.\r\n"
    "Second line.\r\n";

}  // namespace

TEST_CASE("dovecot fixture: IMAPS login works with the password and the private CA") {
  DovecotServer server;
  CHECK(server.imap_port() > 0);
  CHECK(server.imaps_port() > 0);
  CHECK(server.pop3_port() > 0);
  CHECK(server.pop3s_port() > 0);
  CHECK_FALSE(server.password().empty());
  CHECK(server.url("imaps", "alice") ==
        "imaps://alice@127.0.0.1:" + std::to_string(server.imaps_port()));

  CommandResult r = talk(server.imaps_port(), server.ca_file(),
                         imap_login_script(server, "alice", "b CAPABILITY\r\n"));
  INFO(r.describe(), "\n", r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("a OK") != std::string::npos);
  CHECK(r.out.find("UIDPLUS") != std::string::npos);
  CHECK(r.out.find("LITERAL+") != std::string::npos);
  CHECK(r.out.find("SPECIAL-USE") != std::string::npos);

  CommandResult wrong =
      talk(server.imaps_port(), server.ca_file(), "a LOGIN alice not-the-password\r\nz LOGOUT\r\n");
  CHECK(wrong.out.find("a NO") != std::string::npos);
}

TEST_CASE("dovecot fixture: the certificate verifies only against the private CA") {
  DovecotServer server;
  CommandResult without_ca = talk(server.imaps_port(), "", "z LOGOUT\r\n");
  CHECK(without_ca.exit_code != 0);

  CommandResult imap_starttls =
      talk(server.imap_port(), server.ca_file(), imap_login_script(server, "carol", ""), "imap");
  INFO(imap_starttls.describe());
  CHECK(imap_starttls.exit_code == 0);
  CHECK(imap_starttls.out.find("a OK") != std::string::npos);

  CommandResult pop3s = talk(server.pop3s_port(), server.ca_file(),
                             "USER carol\r\nPASS " + server.password() + "\r\nSTAT\r\nQUIT\r\n");
  CHECK(pop3s.out.find("+OK 0 0") != std::string::npos);

  CommandResult pop3_stls =
      talk(server.pop3_port(), server.ca_file(),
           "USER carol\r\nPASS " + server.password() + "\r\nQUIT\r\n", "pop3");
  CHECK(pop3_stls.exit_code == 0);
  CHECK(pop3_stls.out.find("+OK Logged in") != std::string::npos);
}

TEST_CASE("dovecot fixture: two instances started in parallel get their own ports") {
  auto start = [] { return std::make_unique<DovecotServer>(); };
  auto first = std::async(std::launch::async, start);
  auto second = std::async(std::launch::async, start);
  auto a = first.get();
  auto b = second.get();
  std::set<int> ports{a->imap_port(), a->imaps_port(), a->pop3_port(), a->pop3s_port(),
                      b->imap_port(), b->imaps_port(), b->pop3_port(), b->pop3s_port()};
  CHECK(ports.size() == 8);
  CHECK(a->root() != b->root());

  // Mail saved in one is not in the other.
  a->save_message("dave", "INBOX", kMessage);
  CHECK(a->message_count("dave", "INBOX") == 1);
  CHECK(b->message_count("dave", "INBOX") == 0);
}

TEST_CASE("dovecot fixture: save_message and doveadm fetch round trip") {
  DovecotServer server;
  server.save_message("erin", "INBOX", kMessage);
  server.save_message("erin", "Projects/2019", kMessage, "\\Seen \\Flagged $MDNSent");

  CHECK(server.message_count("erin", "INBOX") == 1);
  CHECK(server.message_count("erin", "Projects/2019") == 1);
  auto names = server.mailboxes("erin");
  CHECK(std::find(names.begin(), names.end(), "Projects/2019") != names.end());

  std::string fetched = server.doveadm("-u erin fetch 'hdr body' mailbox INBOX");
  CHECK(server.doveadm("fetch -u erin 'hdr body' mailbox INBOX") == fetched);
  CHECK(fetched.find("Subject: fixture round trip") != std::string::npos);
  CHECK(fetched.find("Second line.") != std::string::npos);

  std::string flags = server.doveadm("-f flow -u erin fetch flags mailbox Projects/2019");
  CHECK(flags.find("\\Seen") != std::string::npos);
  CHECK(flags.find("\\Flagged") != std::string::npos);
  CHECK(flags.find("$MDNSent") != std::string::npos);
  CHECK(server.doveadm("-f flow -u erin fetch flags mailbox INBOX").find("\\Seen") ==
        std::string::npos);

  // The server hands the message out with the bytes it was given.
  CommandResult r =
      talk(server.imaps_port(), server.ca_file(),
           imap_login_script(server, "erin", "b SELECT INBOX\r\nc UID FETCH 1 BODY.PEEK[]\r\n"));
  CHECK(r.out.find(std::string("{") + std::to_string(std::string(kMessage).size()) + "}\r\n" +
                   kMessage) != std::string::npos);

  CHECK_THROWS_AS(server.doveadm("-u erin mailbox status messages NoSuchFolder"),
                  std::runtime_error);
}

TEST_CASE("dovecot fixture: default shape has SPECIAL-USE folders under '/'") {
  DovecotServer server;
  CommandResult r =
      talk(server.imaps_port(), server.ca_file(),
           imap_login_script(server, "frank", "b LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"));
  CHECK(r.out.find("(\\Sent) \"/\" Sent") != std::string::npos);
  CHECK(r.out.find("(\\Drafts) \"/\" Drafts") != std::string::npos);
  CHECK(r.out.find("(\\Trash) \"/\" Trash") != std::string::npos);
  CHECK(r.out.find("(\\Junk) \"/\" Junk") != std::string::npos);
}

TEST_CASE("dovecot fixture: shape with '.' separator and INBOX. prefix") {
  DovecotShape shape;
  shape.separator = ".";
  shape.prefix = "INBOX.";
  DovecotServer server(shape);
  auto names = server.mailboxes("gina");
  CHECK(std::find(names.begin(), names.end(), "INBOX.Sent") != names.end());
  CHECK(std::find(names.begin(), names.end(), "Sent") == names.end());

  server.save_message("gina", "INBOX.Archive.2019", kMessage);
  CHECK(server.message_count("gina", "INBOX.Archive.2019") == 1);

  CommandResult r =
      talk(server.imaps_port(), server.ca_file(),
           imap_login_script(server, "gina",
                             "b NAMESPACE\r\nc LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"
                             "d CREATE Outside\r\n"));
  CHECK(r.out.find("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL") != std::string::npos);
  CHECK(r.out.find("(\\Sent) \".\" INBOX.Sent") != std::string::npos);
  CHECK(r.out.find("\".\" INBOX.Archive.2019") != std::string::npos);
  CHECK(r.out.find("d NO") != std::string::npos);  // names outside the prefix are refused
}

TEST_CASE("dovecot fixture: shape without SPECIAL-USE") {
  DovecotShape shape;
  shape.special_use = false;
  DovecotServer server(shape);
  CommandResult r =
      talk(server.imaps_port(), server.ca_file(),
           imap_login_script(server, "hank",
                             "b CAPABILITY\r\nc LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"));
  INFO(r.out);
  CHECK(r.out.find("c OK") != std::string::npos);
  CHECK(r.out.find("SPECIAL-USE") == std::string::npos);
  CHECK(r.out.find("\\Sent") == std::string::npos);
  CHECK(r.out.find("\"/\" Sent") != std::string::npos);  // the folder itself is still there
  CHECK(r.out.find("UIDPLUS") != std::string::npos);
}

TEST_CASE("dovecot fixture: POP3 advertises PIPELINING unless the shape hides it") {
  const std::string capa = "CAPA\r\nQUIT\r\n";
  {
    DovecotServer server;
    CommandResult r = talk(server.pop3s_port(), server.ca_file(), capa);
    CHECK(r.out.find("\r\nPIPELINING\r\n") != std::string::npos);
  }
  DovecotShape shape;
  shape.pop3_pipelining = false;
  DovecotServer server(shape);
  server.save_message("ivy", "INBOX", "Subject: relay\r\n\r\nCAPA\r\nPIPELINING\r\n.\r\n");

  CommandResult pop3s =
      talk(server.pop3s_port(), server.ca_file(),
           "CAPA\r\nUSER ivy\r\nPASS " + server.password() + "\r\nCAPA\r\nRETR 1\r\nQUIT\r\n");
  INFO(pop3s.describe(), "\n", pop3s.out);
  CHECK(pop3s.out.find("\r\nUIDL\r\n") != std::string::npos);
  CHECK(pop3s.out.find("\r\nSTLS\r\n") == std::string::npos);
  // The message keeps its lines, PIPELINING and the dot-stuffed "." included.
  CHECK(pop3s.out.find("PIPELINING") ==
        pop3s.out.find("\r\nCAPA\r\nPIPELINING\r\n..\r\n.\r\n") + 8);

  CommandResult stls =
      talk(server.pop3_port(), server.ca_file(),
           "CAPA\r\nUSER ivy\r\nPASS " + server.password() + "\r\nSTAT\r\nQUIT\r\n", "pop3");
  INFO(stls.describe(), "\n", stls.out);
  CHECK(stls.out.find("+OK 1 ") != std::string::npos);
  CHECK(stls.out.find("PIPELINING") == std::string::npos);
  CHECK(stls.out.find("STLS") == std::string::npos);  // already encrypted
}
