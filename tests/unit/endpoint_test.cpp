#include "mailferry/job/endpoint.hpp"

#include <doctest/doctest.h>

#include "mailferry/core/error.hpp"

using mailferry::core::UsageError;
using namespace mailferry::job;

TEST_CASE("endpoint: imaps URL with user, host and port") {
  auto ep = parse_endpoint("imaps://alice@mail.example.com:1993", "--to");
  CHECK(ep.scheme == Scheme::Imaps);
  CHECK(ep.user == "alice");
  CHECK(ep.host == "mail.example.com");
  CHECK(ep.effective_port() == 1993);
  CHECK(ep.to_string() == "imaps://alice@mail.example.com:1993");
}

TEST_CASE("endpoint: default ports and a user name holding '@'") {
  CHECK(parse_endpoint("imap://a@h", "--to").effective_port() == 143);
  CHECK(parse_endpoint("imaps://a@h", "--to").effective_port() == 993);
  CHECK(parse_endpoint("pop3s://a@h", "--from").effective_port() == 995);
  auto ep = parse_endpoint("imaps://alice@example.com@imap.example.com", "--to");
  CHECK(ep.user == "alice@example.com");
  CHECK(ep.host == "imap.example.com");
  CHECK(parse_endpoint("imaps://alice%40example.com@h", "--to").user == "alice@example.com");
}

TEST_CASE("endpoint: IPv6 literal") {
  auto ep = parse_endpoint("imaps://a@[::1]:2993", "--to");
  CHECK(ep.host == "::1");
  CHECK(ep.port == 2993);
  // Its canonical text keeps the brackets, and loads again to the same place.
  CHECK(ep.to_string() == "imaps://a@[::1]:2993");
  auto again = parse_endpoint(ep.to_string(), "--to");
  CHECK(again.host == "::1");
  CHECK(again.port == 2993);
}

TEST_CASE("endpoint: brackets or spaces in a host are refused (found by the job-file fuzz run)") {
  for (const char* url : {"imap://u%40d@[[::1]:143/INBOX", "imaps://a@[]:993", "imaps://a@[::1x]",
                          "imaps://a@ho st", "imaps://a@host]:993", "imaps://a@h[x",
                          "imaps://alice@imap.example.com::993", "imaps://a@::1:993"}) {
    INFO(url);
    CHECK_THROWS_AS(parse_endpoint(url, "--to"), UsageError);
  }
  CHECK(parse_endpoint("imaps://a@[fe80::1%25eth0]:993", "--to").host == "fe80::1%25eth0");
}

TEST_CASE("endpoint: a password in the URL is refused and the safe ways are named") {
  try {
    parse_endpoint("imaps://alice:hunter2@host", "--to");
    FAIL("no error");
  } catch (const UsageError& e) {
    std::string what = e.what();
    CHECK(what.find("password") != std::string::npos);
    CHECK(what.find("--to-password-file") != std::string::npos);
    CHECK(what.find("MAILFERRY_TO_PASSWORD") != std::string::npos);
  }
}

TEST_CASE("endpoint: list's password in the URL names the option list takes") {
  try {
    parse_endpoint("imaps://alice:hunter2@host", "list");
    FAIL("no error");
  } catch (const UsageError& e) {
    const std::string what = e.what();
    CHECK(what.find("--password-file FILE") != std::string::npos);
    // list has neither of sync's password options nor a job file.
    CHECK(what.find("--from-password-file") == std::string::npos);
    CHECK(what.find("--to-password-file") == std::string::npos);
    CHECK(what.find("job file") == std::string::npos);
  }
}

TEST_CASE("endpoint: file schemes keep the path and expand ~") {
  auto ep = parse_endpoint("mbox:/tmp/x y/Inbox.mbox", "--from");
  CHECK(ep.scheme == Scheme::Mbox);
  CHECK(ep.path == "/tmp/x y/Inbox.mbox");
  setenv("HOME", "/home/tester", 1);
  CHECK(parse_endpoint("mbox:~/export", "--from").path == "/home/tester/export");
  CHECK(parse_endpoint("pst:backup.pst", "--from").scheme == Scheme::Pst);
  auto maildir = parse_endpoint("maildir:~/Maildir", "--from");
  CHECK(maildir.scheme == Scheme::Maildir);
  CHECK(maildir.path == "/home/tester/Maildir");
  CHECK(maildir.to_string() == "maildir:/home/tester/Maildir");
}

TEST_CASE("endpoint: malformed URLs are refused with a reason") {
  CHECK_THROWS_AS(parse_endpoint("ftp://a@h", "--to"), UsageError);
  CHECK_THROWS_AS(parse_endpoint("imaps://host", "--to"), UsageError);
  CHECK_THROWS_AS(parse_endpoint("imaps://a@h:99999", "--to"), UsageError);
  CHECK_THROWS_AS(parse_endpoint("imaps://a@h:x", "--to"), UsageError);
  CHECK_THROWS_AS(parse_endpoint("mbox:", "--from"), UsageError);
}

TEST_CASE("endpoint: the refused password is not repeated in the error") {
  try {
    parse_endpoint("imaps://alice:hunter2@host:993", "--to");
    FAIL("no error");
  } catch (const UsageError& e) {
    std::string what = e.what();
    CHECK(what.find("hunter2") == std::string::npos);
    CHECK(what.find("imaps://alice:****@host:993") != std::string::npos);
  }
}
