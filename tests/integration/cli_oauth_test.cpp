// OAuth2 logins (XOAUTH2, OAUTHBEARER) through libcurl's bearer option, with
// the token from a token_command. The test Dovecot cannot check OAuth2 tokens
// without an OAuth2 introspection service, so a scripted IMAP peer on
// loopback plays the server and records exactly what libcurl sends in
// AUTHENTICATE; it also drops a connection to show that a reconnect runs the
// token command again. The token never appears in output.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mailferry/app/run_job.hpp"
#include "mailferry/core/error.hpp"
#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;

namespace {

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return "";
  out.resize(static_cast<std::size_t>(n));
  while (!text.empty() && text.back() == '=' && !out.empty() && out.back() == '\0') {
    out.pop_back();  // EVP_DecodeBlock counts the padding as zero bytes
    if (text.size() >= 2 && text[text.size() - 2] == '=' && !out.empty() && out.back() == '\0')
      out.pop_back();
    break;
  }
  return out;
}

// An IMAP server in miniature: greets, answers CAPABILITY, AUTHENTICATE (tokens
// starting "good-" pass), LIST (one INBOX), STATUS, and OK to anything else.
// Serves connections one after the other.
class ScriptedImapPeer {
 public:
  struct Login {
    std::string mechanism;
    std::string response;  // the decoded SASL initial response
  };

  explicit ScriptedImapPeer(bool drop_after_first_status = false)
      : drop_after_first_status_(drop_after_first_status) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 4) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (int fd; (fd = ::accept(listener_, nullptr, nullptr)) >= 0;) serve(fd);
    });
  }
  ~ScriptedImapPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& user) const {
    return "imap://" + user + "@127.0.0.1:" + std::to_string(port_);
  }
  std::vector<Login> logins() const {
    std::lock_guard lock(mutex_);
    return logins_;
  }

 private:
  static constexpr const char* kCapabilities =
      "IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=PLAIN";

  static void send(int fd, const std::string& text) { (void)::write(fd, text.data(), text.size()); }

  void serve(int fd) {
    send(fd, std::string("* OK [CAPABILITY ") + kCapabilities + "] scripted IMAP peer ready\r\n");
    std::string input;
    char buffer[4096];
    bool open = true;
    std::string pending_auth;  // tag and mechanism waiting for a continuation
    while (open) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      input.append(buffer, static_cast<std::size_t>(n));
      for (auto end = input.find("\r\n"); open && end != std::string::npos;
           end = input.find("\r\n")) {
        const std::string line = input.substr(0, end);
        input.erase(0, end + 2);
        if (!pending_auth.empty()) {  // the response to "+ "
          auto space = pending_auth.find(' ');
          open =
              authenticate(fd, pending_auth.substr(0, space), pending_auth.substr(space + 1), line);
          pending_auth.clear();
          continue;
        }
        std::istringstream words(line);
        std::string tag, command, argument, initial;
        words >> tag >> command;
        for (auto& c : command) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (command == "CAPABILITY") {
          send(fd, std::string("* CAPABILITY ") + kCapabilities + "\r\n" + tag + " OK\r\n");
        } else if (command == "AUTHENTICATE") {
          words >> argument >> initial;
          if (initial.empty()) {
            pending_auth = tag + " " + argument;
            send(fd, "+ \r\n");
          } else {
            open = authenticate(fd, tag, argument, initial);
          }
        } else if (command == "LIST") {
          send(fd, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK LIST done\r\n");
        } else if (command == "STATUS") {
          send(fd, "* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 7)\r\n" + tag + " OK\r\n");
          if (drop_after_first_status_ && !dropped_) {
            dropped_ = true;
            open = false;  // the connection breaks, as networks do
          }
        } else if (command == "LOGOUT") {
          send(fd, "* BYE\r\n" + tag + " OK\r\n");
          open = false;
        } else {
          send(fd, tag + " OK\r\n");
        }
      }
    }
    ::close(fd);
  }

  bool authenticate(int fd, const std::string& tag, const std::string& mechanism,
                    const std::string& encoded) {
    const std::string response = base64_decode(encoded);
    {
      std::lock_guard lock(mutex_);
      logins_.push_back({mechanism, response});
    }
    if (response.find("auth=Bearer good-") != std::string::npos) {
      send(fd, tag + " OK [CAPABILITY IMAP4rev1 SASL-IR] logged in\r\n");
      return true;
    }
    send(fd, tag + " NO [AUTHENTICATIONFAILED] invalid token\r\n");
    return true;
  }

  bool drop_after_first_status_;
  bool dropped_ = false;
  int listener_ = -1, port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Login> logins_;
};

}  // namespace

TEST_CASE("cli oauth: XOAUTH2 and OAUTHBEARER carry the token_command's token, never shown") {
  ScriptedImapPeer peer;
  auto xoauth2 = run_mailferry({"list", peer.url("alice"), "--insecure-plaintext",
                                "--token-command", "printf 'good-token-1\\n'"});
  INFO(xoauth2.describe() << xoauth2.out);
  CHECK(xoauth2.exit_code == 0);
  CHECK(xoauth2.out.find("INBOX") != std::string::npos);

  auto bearer = run_mailferry({"list", peer.url("bob@example.com"), "--insecure-plaintext",
                               "--auth", "oauthbearer", "--token-command", "echo good-token-2"});
  INFO(bearer.describe() << bearer.out);
  CHECK(bearer.exit_code == 0);

  auto logins = peer.logins();
  REQUIRE(logins.size() == 2);
  CHECK(logins[0].mechanism == "XOAUTH2");
  CHECK(logins[0].response == std::string("user=alice\x01"
                                          "auth=Bearer good-token-1\x01\x01"));
  CHECK(logins[1].mechanism == "OAUTHBEARER");
  CHECK(logins[1].response.rfind("n,a=bob@example.com,", 0) == 0);
  CHECK(logins[1].response.find("\x01"
                                "auth=Bearer good-token-2\x01\x01") != std::string::npos);
  for (const auto* text : {&xoauth2.out, &xoauth2.err, &bearer.out, &bearer.err})
    CHECK(text->find("good-token") == std::string::npos);
}

TEST_CASE("cli oauth: a refused token is a login failure, a failing token command a usage error") {
  ScriptedImapPeer peer;
  TempDir dir;
  auto refused =
      run_mailferry({"sync", "-v", "--from",
                     "mbox:" + std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox",
                     "--to", peer.url("alice"), "--insecure-plaintext", "--to-token-command",
                     "echo bad-token-3", "--state", dir.file("s.db")});
  INFO(refused.describe());
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("bad-token-3") == std::string::npos);
  CHECK(refused.out.find("bad-token-3") == std::string::npos);
  REQUIRE(peer.logins().size() == 1);
  CHECK(peer.logins()[0].mechanism == "XOAUTH2");

  auto failing = run_mailferry(
      {"list", peer.url("alice"), "--insecure-plaintext", "--token-command", "exit 3"});
  CHECK(failing.exit_code == 2);
  CHECK(failing.err.find("token_command failed (exit status 3)") != std::string::npos);
  auto silent =
      run_mailferry({"list", peer.url("alice"), "--insecure-plaintext", "--token-command", "true"});
  CHECK(silent.exit_code == 2);
  CHECK(silent.err.find("token_command printed nothing") != std::string::npos);
}

TEST_CASE(
    "cli oauth: every connection runs the token command again, so a reconnect gets a new token") {
  ScriptedImapPeer peer(true);  // drops the first connection after STATUS
  TempDir dir;
  job::Job j;
  j.name = "oauth";
  j.to.url = peer.url("alice");
  j.to.endpoint = job::parse_endpoint(j.to.url, "to");
  j.to.insecure_plaintext = true;
  j.to.auth = "xoauth2";
  const std::string counter = dir.file("count");
  j.to.token_command = "n=$(cat '" + counter + "' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '" +
                       counter + "'; echo good-token-$n";
  auto target = app::open_target(j);
  // The first STATUS loses its connection (answered or not); a later one
  // reconnects and logs in again.
  bool answered_after_reconnect = false;
  for (int attempt = 0; attempt < 4 && !answered_after_reconnect; ++attempt) {
    try {
      const bool ok = target->status("INBOX").uidvalidity == 7;
      answered_after_reconnect = ok && peer.logins().size() == 2;
    } catch (const core::ConnectionError&) {
    }
  }
  CHECK(answered_after_reconnect);
  auto logins = peer.logins();
  REQUIRE(logins.size() == 2);
  CHECK(logins[0].response.find("auth=Bearer good-token-1\x01") != std::string::npos);
  CHECK(logins[1].response.find("auth=Bearer good-token-2\x01") != std::string::npos);
}

TEST_CASE("cli oauth: job-file keys auth and token_command, with one clear error each") {
  TempDir dir;
  auto run_with = [&](nlohmann::json to) {
    nlohmann::json file{{"jobs", {{{"name", "a"}, {"from", "mbox:/x"}, {"to", to}}}}};
    return run_mailferry({"check", dir.write_file("jobs.json", file.dump())});
  };
  auto missing = run_with({{"url", "imaps://a@h"}, {"auth", "xoauth2"}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("to.auth") != std::string::npos);
  CHECK(missing.err.find("needs a token_command") != std::string::npos);
  auto both = run_with({{"url", "imaps://a@h"}, {"token_command", "x"}, {"password_file", "/p"}});
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("not both") != std::string::npos);
  auto unknown = run_with({{"url", "imaps://a@h"}, {"auth", "kerberos"}, {"token_command", "x"}});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("must be password, xoauth2 or oauthbearer") != std::string::npos);
  auto typo = run_with({{"url", "imaps://a@h"}, {"token_comand", "x"}});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("did you mean 'to.token_command'") != std::string::npos);
  auto flags = run_mailferry({"check", "--from", "mbox:/x", "--to", "imaps://a@h",
                              "--to-password-file", "/p", "--to-token-command", "x"});
  CHECK(flags.exit_code == 2);
  CHECK(flags.err.find("give one") != std::string::npos);
}

TEST_CASE("cli oauth: the example token commands (Gmail, Microsoft 365) feed the login") {
  // A stand-in for curl records its arguments and answers like a token endpoint.
  ScriptedImapPeer peer;
  TempDir dir;
  dir.write_file("secrets/client_id", "the-client-id\n");
  dir.write_file("secrets/client_secret", "the-client-secret\n");
  dir.write_file("secrets/alice.refresh_token", "alices-refresh-token\n");
  dir.write_file("secrets/tenant_id", "contoso-tenant\n");
  dir.write_file(
      "bin/curl",
      "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '" + dir.file("curl-args") +
          "'\nprintf '{\"access_token\": \"good-from-endpoint\", \"expires_in\": 3599}'\n",
      std::filesystem::perms::owner_all);
  const std::string path = dir.file("bin") + ":" + std::getenv("PATH");
  const EnvChanges env{{"PATH", path}, {"MAILFERRY_OAUTH2_DIR", dir.file("secrets")}};
  const std::string examples = std::string(MAILFERRY_SOURCE_DIR) + "/examples/oauth2/";

  auto gmail = run_mailferry({"list", peer.url("alice"), "--insecure-plaintext", "--token-command",
                              "sh " + examples + "gmail-token.sh alice"},
                             env);
  INFO(gmail.describe());
  CHECK(gmail.exit_code == 0);
  auto m365 = run_mailferry({"list", peer.url("bob@contoso.com"), "--insecure-plaintext",
                             "--token-command", "sh " + examples + "m365-token.sh"},
                            env);
  INFO(m365.describe());
  CHECK(m365.exit_code == 0);
  auto logins = peer.logins();
  REQUIRE(logins.size() == 2);
  for (const auto& login : logins)
    CHECK(login.response.find("auth=Bearer good-from-endpoint\x01") != std::string::npos);

  const std::string args = read_file(dir.file("curl-args"));
  CHECK(args.find("https://oauth2.googleapis.com/token") != std::string::npos);
  CHECK(args.find("https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token") !=
        std::string::npos);
  CHECK(args.find("grant_type=refresh_token") != std::string::npos);
  CHECK(args.find("grant_type=client_credentials") != std::string::npos);
  // Secrets go to curl as files to read, never as arguments others could see in ps.
  for (const char* secret : {"the-client-secret", "alices-refresh-token"})
    CHECK(args.find(secret) == std::string::npos);
  CHECK(args.find("client_secret@" + dir.file("secrets/client_secret")) != std::string::npos);
}

TEST_CASE("cli oauth: a real server without OAuth2 gets an error that names what it offers") {
  DovecotServer server;  // Dovecot as the tests run it offers PLAIN and LOGIN only
  auto r = run_mailferry({"list", server.url("imaps", "alice"), "--ca-file", server.ca_file(),
                          "--token-command", "echo token-never-shown"});
  INFO(r.describe());
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("does not offer OAuth2 login") != std::string::npos);
  CHECK(r.err.find("AUTH=PLAIN") != std::string::npos);
  CHECK(r.err.find("CAPABILITY") == std::string::npos);  // no raw protocol line
  CHECK(r.err.find("token-never-shown") == std::string::npos);
}
