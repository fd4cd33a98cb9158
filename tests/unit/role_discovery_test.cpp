// Target-side role discovery: the pure rules (which folder is Sent when the
// server does not say), and ImapTarget's NAMESPACE and LIST against scripted
// servers shaped like Courier, Cyrus, Gmail and Exchange.
#include "mailferry/target/role_discovery.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "imap_fake_server.hpp"
#include "mailferry/target/imap_target.hpp"
#include "mailferry/target/listing_namespace.hpp"

using namespace mailferry;
using core::Role;
using target::TargetFolder;
using target::TargetNamespace;

namespace {

TargetFolder tf(std::string name, char delimiter, Role role = Role::None, bool selectable = true) {
  TargetFolder f;
  f.name = std::move(name);
  f.delimiter = delimiter;
  f.role = role;
  f.selectable = selectable;
  return f;
}

Role role_of(const std::vector<TargetFolder>& folders, const std::string& name) {
  for (const auto& f : folders)
    if (f.name == name) return f.role;
  FAIL("no folder " << name);
  return Role::None;
}

std::shared_ptr<testing::imap_fake::Server> server_with(const std::string& capabilities,
                                                        const std::string& namespace_line,
                                                        const std::string& list_lines) {
  auto server = std::make_shared<testing::imap_fake::Server>();
  server->capabilities = capabilities;
  server->answer = [=](const std::string& tag, const std::string& command) {
    if (command.rfind("NAMESPACE", 0) == 0) return namespace_line + tag + " OK done\r\n";
    if (command.rfind("LIST \"\" \"\"", 0) == 0)
      return "* LIST (\\Noselect) \".\" \"\"\r\n" + tag + " OK done\r\n";
    if (command.rfind("LIST", 0) == 0) return list_lines + tag + " OK done\r\n";
    return tag + " OK done\r\n";
  };
  return server;
}

std::unique_ptr<target::ImapTarget> connect(const std::shared_ptr<testing::imap_fake::Server>& s) {
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  return std::make_unique<target::ImapTarget>(
      options, target::ImapTarget::Tuning{}, [s](const net::ConnectOptions&) {
        return std::make_unique<testing::imap_fake::FakeConnection>(s);
      });
}

}  // namespace

TEST_CASE("role discovery: without SPECIAL-USE, well-known names in the namespace get roles") {
  std::vector<TargetFolder> folders{
      tf("INBOX", '.'),
      tf("INBOX.Sent Items", '.'),
      tf("INBOX.Gelöschte Elemente", '.'),
      tf("INBOX.임시 보관함", '.'),
      tf("INBOX.스팸 메일함", '.'),
      tf("INBOX.Projects", '.'),
      tf("INBOX.Projects.Sent", '.'),  // too deep: a user's folder
      tf("Sent", '.'),                 // outside the personal namespace
  };
  auto notes = target::assign_roles_by_name(folders, TargetNamespace{"INBOX.", '.'});
  CHECK(notes.empty());
  CHECK(role_of(folders, "INBOX") == Role::Inbox);
  CHECK(role_of(folders, "INBOX.Sent Items") == Role::Sent);
  CHECK(role_of(folders, "INBOX.Gelöschte Elemente") == Role::Trash);
  CHECK(role_of(folders, "INBOX.임시 보관함") == Role::Drafts);
  CHECK(role_of(folders, "INBOX.스팸 메일함") == Role::Junk);
  CHECK(role_of(folders, "INBOX.Projects") == Role::None);
  CHECK(role_of(folders, "INBOX.Projects.Sent") == Role::None);
  CHECK(role_of(folders, "Sent") == Role::None);
  CHECK(folders[1].role_by_name);
}

TEST_CASE("role discovery: a role the server marks is never given by name") {
  std::vector<TargetFolder> folders{tf("INBOX", '/'), tf("Sent", '/', Role::Sent),
                                    tf("Sent Items", '/'), tf("Trash", '/'),
                                    tf("Deleted Items", '/')};
  auto notes = target::assign_roles_by_name(folders, TargetNamespace{"", '/'});
  CHECK(role_of(folders, "Sent") == Role::Sent);
  CHECK_FALSE(folders[1].role_by_name);
  CHECK(role_of(folders, "Sent Items") == Role::None);
  // Two unmarked Trash candidates: the more usual name wins, and it is said.
  CHECK(role_of(folders, "Trash") == Role::Trash);
  CHECK(role_of(folders, "Deleted Items") == Role::None);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "trash: using \"Trash\"; \"Deleted Items\" also looks like it");
}

TEST_CASE("role discovery: Gmail-style containers and folders below INBOX") {
  std::vector<TargetFolder> gmail{tf("INBOX", '/'),
                                  tf("[Gmail]", '/', Role::None, false),
                                  tf("[Gmail]/Sent Mail", '/'),
                                  tf("[Gmail]/All Mail", '/'),
                                  tf("[Gmail]/Bin", '/'),
                                  tf("[Gmail]/Starred", '/'),
                                  tf("[Gmail]/Spam", '/'),
                                  tf("[Gmail]/Drafts", '/'),
                                  tf("Work/Sent", '/')};  // a label's child: not a role
  target::assign_roles_by_name(gmail, TargetNamespace{"", '/'});
  CHECK(role_of(gmail, "[Gmail]/Sent Mail") == Role::Sent);
  CHECK(role_of(gmail, "[Gmail]/All Mail") == Role::All);
  CHECK(role_of(gmail, "[Gmail]/Bin") == Role::Trash);
  CHECK(role_of(gmail, "[Gmail]/Starred") == Role::Flagged);
  CHECK(role_of(gmail, "[Gmail]/Spam") == Role::Junk);
  CHECK(role_of(gmail, "[Gmail]/Drafts") == Role::Drafts);
  CHECK(role_of(gmail, "[Gmail]") == Role::None);
  CHECK(role_of(gmail, "Work/Sent") == Role::None);

  std::vector<TargetFolder> german{tf("INBOX", '/'), tf("[Google Mail]/Gesendet", '/'),
                                   tf("[Google Mail]/Papierkorb", '/')};
  target::assign_roles_by_name(german, TargetNamespace{"", '/'});
  CHECK(role_of(german, "[Google Mail]/Gesendet") == Role::Sent);
  CHECK(role_of(german, "[Google Mail]/Papierkorb") == Role::Trash);

  // A server without a namespace prefix that still keeps folders below INBOX;
  // a top-level folder beats one below a container.
  std::vector<TargetFolder> nested{tf("INBOX", '.'), tf("INBOX.Sent", '.'), tf("INBOX.Drafts", '.'),
                                   tf("Drafts", '.')};
  target::assign_roles_by_name(nested, TargetNamespace{"", '.'});
  CHECK(role_of(nested, "INBOX.Sent") == Role::Sent);
  CHECK(role_of(nested, "Drafts") == Role::Drafts);
  CHECK(role_of(nested, "INBOX.Drafts") == Role::None);
}

TEST_CASE("role discovery: a folder the server cannot open gets no role") {
  std::vector<TargetFolder> folders{tf("INBOX", '/'), tf("Sent", '/', Role::None, false)};
  target::assign_roles_by_name(folders, TargetNamespace{"", '/'});
  CHECK(role_of(folders, "Sent") == Role::None);
}

TEST_CASE("imap target (scripted): NAMESPACE gives prefix and delimiter, names give roles") {
  auto server = server_with("IMAP4rev1 NAMESPACE",
                            "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\"))\r\n",
                            "* LIST (\\HasChildren) \".\" INBOX\r\n"
                            "* LIST (\\HasNoChildren) \".\" \"INBOX.Sent Items\"\r\n"
                            "* LIST (\\HasNoChildren) \".\" \"INBOX.&vPSwuA- &07jJwNVo-\"\r\n"
                            "* LIST (\\HasNoChildren) \".\" \"INBOX.Archive\"\r\n");
  auto target = connect(server);
  auto ns = target->personal_namespace();
  CHECK(ns.prefix == "INBOX.");
  CHECK(ns.delimiter == '.');
  auto folders = target->list_folders();
  REQUIRE(folders.size() == 4);
  CHECK(folders[1].role == Role::Sent);
  CHECK(folders[2].name == "INBOX.보낸 편지함");
  CHECK(folders[2].role == Role::None);  // "Sent Items" ranks first; one Sent only
  CHECK(folders[3].role == Role::Archive);
  // Asked once.
  target->personal_namespace();
  int asked = 0;
  for (const auto& c : server->commands) asked += c.find("NAMESPACE") != std::string::npos;
  CHECK(asked == 1);
}

TEST_CASE("imap target (scripted): without NAMESPACE the delimiter comes from the listing") {
  auto server = server_with("IMAP4rev1", "",
                            "* LIST () \"/\" INBOX\r\n"
                            "* LIST () \"/\" \"Gesendete Objekte\"\r\n");
  auto target = connect(server);
  auto folders = target->list_folders();
  CHECK(folders[1].role == Role::Sent);
  CHECK(target->personal_namespace().delimiter == '/');
  CHECK(target->personal_namespace().prefix.empty());
  for (const auto& c : server->commands) CHECK(c.find("LIST \"\" \"\"") == std::string::npos);

  // Asked before any listing: LIST "" "" names the delimiter.
  auto fresh = connect(server_with("IMAP4rev1", "", ""));
  CHECK(fresh->personal_namespace().delimiter == '.');
}

TEST_CASE(
    "namespace from listing: folders only below INBOX put new ones there, INBOX alone is a guess") {
  using target::namespace_from_listing;
  auto courier = namespace_from_listing({tf("INBOX", '.'), tf("INBOX.Sent Items", '.')});
  CHECK(courier.prefix == "INBOX.");
  CHECK(courier.delimiter == '.');
  CHECK(courier.certain);
  // One folder beside INBOX: the server allows them there.
  auto mixed =
      namespace_from_listing({tf("INBOX", '/'), tf("INBOX/Orders", '/'), tf("Archive", '/')});
  CHECK(mixed.prefix.empty());
  CHECK(mixed.delimiter == '/');
  CHECK(mixed.certain);
  // "INBOXES" is beside INBOX, not below it.
  CHECK(namespace_from_listing({tf("INBOX", '.'), tf("INBOXES", '.')}).prefix.empty());
  auto fresh = namespace_from_listing({tf("INBOX", '.')});
  CHECK(fresh.prefix.empty());
  CHECK_FALSE(fresh.certain);
  CHECK(namespace_from_listing({tf("INBOX", '\0'), tf("Sent", '\0')}).certain);
}

TEST_CASE("imap target (scripted): without NAMESPACE, a refusal outside INBOX settles a guess") {
  auto fresh = connect(server_with("IMAP4rev1", "", "* LIST () \".\" INBOX\r\n"));
  auto ns = fresh->personal_namespace();
  CHECK_FALSE(ns.certain);
  CHECK(ns.prefix.empty());
  CHECK_FALSE(fresh->namespace_after_refusal("INBOX.Sub").has_value());  // below INBOX: no lesson
  auto learned = fresh->namespace_after_refusal("Outbox");
  REQUIRE(learned.has_value());
  CHECK(learned->prefix == "INBOX.");
  CHECK(learned->certain);
  CHECK(fresh->personal_namespace().prefix == "INBOX.");
  CHECK_FALSE(fresh->namespace_after_refusal("Other").has_value());  // learned once

  // Folders below INBOX already say it; NAMESPACE says it outright.
  auto courier = connect(server_with("IMAP4rev1", "",
                                     "* LIST () \".\" INBOX\r\n"
                                     "* LIST () \".\" \"INBOX.Sent Items\"\r\n"));
  CHECK(courier->personal_namespace().prefix == "INBOX.");
  CHECK_FALSE(courier->namespace_after_refusal("Outbox").has_value());
  auto announced =
      connect(server_with("IMAP4rev1 NAMESPACE", "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
                          "* LIST () \"/\" INBOX\r\n"));
  CHECK(announced->personal_namespace().certain);
  CHECK_FALSE(announced->namespace_after_refusal("Outbox").has_value());
}

TEST_CASE("imap target (scripted): a folder created once is not created again") {
  auto server = server_with("IMAP4rev1", "", "");
  auto target = connect(server);
  target->create_folder("Sent", Role::Sent);
  target->create_folder("Sent", Role::Sent);
  int creates = 0;
  for (const auto& c : server->commands) creates += c.find("CREATE") != std::string::npos;
  CHECK(creates == 1);
}
