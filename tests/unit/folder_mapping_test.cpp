#include <doctest/doctest.h>

#include "mailferry/sync/folder_mapping.hpp"

using namespace mailferry;
using core::Role;

namespace {

source::SourceFolder folder(std::vector<std::string> path, Role role = Role::None) {
  source::SourceFolder f;
  f.path = std::move(path);
  f.role = role;
  f.locator = f.display_name();
  return f;
}

target::TargetFolder tf(std::string name, char delim, Role role = Role::None) {
  return {std::move(name), delim, role, true};
}

}  // namespace

TEST_CASE("folder mapping: a single-folder source goes to --to-folder") {
  auto plan = sync::map_folders({folder({"Inbox"}, Role::Inbox)}, {tf("INBOX", '/')},
                                {true, "Archive/Old", std::nullopt});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].target == "Archive/Old");
  CHECK_FALSE(plan[0].exists);
}

TEST_CASE("folder mapping: roles go to the server's role folder, paths keep their shape") {
  std::vector<target::TargetFolder> server{tf("INBOX", '.'), tf("INBOX.Sent Messages", '.', Role::Sent)};
  auto plan = sync::map_folders({folder({"Inbox"}, Role::Inbox), folder({"Sent"}, Role::Sent),
                                 folder({"Archives", "2019"}), folder({"a.b"})},
                                server, {});
  REQUIRE(plan.size() == 4);
  CHECK(plan[0].target == "INBOX");
  CHECK(plan[0].exists);
  CHECK(plan[1].target == "INBOX.Sent Messages");
  CHECK(plan[1].exists);
  CHECK(plan[2].target == "Archives.2019");
  CHECK_FALSE(plan[2].exists);
  CHECK(plan[3].target == "a_b");  // the delimiter inside a name is replaced
}

TEST_CASE("folder mapping: --only-role keeps only that role's folders") {
  auto plan = sync::map_folders({folder({"Inbox"}, Role::Inbox), folder({"Sent Items"}, Role::Sent)},
                                {tf("INBOX", '/'), tf("Sent", '/', Role::Sent)},
                                {false, "INBOX", Role::Sent});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].target == "Sent");
}
