// prepare_folders: the step before any upload, against a recording Target
// (for a CREATE refusal at a chosen folder, which a real server gives only
// for names it cannot store).
#include <doctest/doctest.h>

#include "mailferry/sync/folder_mapping.hpp"

using namespace mailferry;
using core::Role;

namespace {

class RecordingTarget : public target::Target {
 public:
  std::vector<target::TargetFolder> folders;
  target::TargetNamespace ns;
  std::vector<std::pair<std::string, Role>> creates;
  std::string refuse;  // CREATE of this name fails
  int appends = 0;

  std::string describe() const override { return "imaps://u@recording"; }
  target::TargetFeatures features() const override { return {}; }
  std::vector<target::TargetFolder> list_folders() override { return folders; }
  target::TargetNamespace personal_namespace() override { return ns; }
  void create_folder(const std::string& name, Role role) override {
    if (name == refuse)
      throw core::ServerError(core::ErrorScope::Folder,
                              describe() + ": cannot create folder " + name + ": NO [CANNOT] no");
    creates.emplace_back(name, role);
  }
  target::FolderSnapshot index_folder(const std::string&, bool,
                                      const std::function<void(target::TargetMessage)>&) override {
    return {};
  }
  void append(const std::string&, const std::vector<target::AppendItem>&,
              const std::function<void(std::size_t, const target::AppendOutcome&)>&) override {
    ++appends;
  }
  void update_flags(const std::string&, const std::vector<target::FlagUpdate>&) override {}
};

source::SourceFolder folder(std::vector<std::string> path, Role role = Role::None) {
  source::SourceFolder f;
  f.path = std::move(path);
  f.role = role;
  f.locator = f.display_name();
  return f;
}

RecordingTarget courier() {
  RecordingTarget t;
  t.ns = {"INBOX.", '.'};
  t.folders = {{"INBOX", '.', Role::Inbox, true, false},
               {"INBOX.Sent Items", '.', Role::Sent, true, true}};
  return t;
}

}  // namespace

TEST_CASE("prepare folders: every missing folder is created first, role folders marked") {
  RecordingTarget t = courier();
  const std::vector<source::SourceFolder> sources{
      folder({"Inbox"}, Role::Inbox), folder({"Sent"}, Role::Sent),
      folder({"Drafts"}, Role::Drafts), folder({"Archives", "2019"}), folder({"Junk"}, Role::Junk)};
  auto plan = sync::prepare_folders(sources, t, {}, true);
  CHECK(plan.ok());
  using Create = std::pair<std::string, Role>;
  CHECK(t.creates == std::vector<Create>{{"INBOX.Drafts", Role::Drafts},
                                         {"INBOX.Archives.2019", Role::None},
                                         {"INBOX.Junk", Role::Junk}});
  // Without writes (check, or planning only) nothing is created.
  RecordingTarget quiet = courier();
  sync::prepare_folders(sources, quiet, {}, false);
  CHECK(quiet.creates.empty());
}

TEST_CASE("prepare folders: a plan with problems is refused before any CREATE") {
  RecordingTarget t = courier();
  sync::MappingOptions options;
  options.rules.map = {{"A", "Same"}, {"B", "Same"}};
  try {
    sync::prepare_folders({folder({"A"}), folder({"B"}), folder({"C\x01"})}, t, options, true);
    FAIL("no error");
  } catch (const sync::FolderPlanError& e) {
    const std::string what = e.what();
    CHECK(e.exit_code() == core::kExitUsage);
    CHECK(e.scope() == core::ErrorScope::Account);
    CHECK(what.find("nothing was uploaded") != std::string::npos);
    CHECK(what.find("\"A\" and \"B\" would all go into \"INBOX.Same\"") != std::string::npos);
    CHECK(what.find("control character") != std::string::npos);
  }
  CHECK(t.creates.empty());
}

TEST_CASE("prepare folders: a refused CREATE is that folder's, the others are still created") {
  RecordingTarget t = courier();
  t.refuse = "INBOX.Zeta";
  auto plan =
      sync::prepare_folders({folder({"Alpha"}), folder({"Zeta"}), folder({"Omega"})}, t, {}, true);
  using Create = std::pair<std::string, Role>;
  CHECK(t.creates == std::vector<Create>{{"INBOX.Alpha", Role::None}, {"INBOX.Omega", Role::None}});
  REQUIRE(plan.refused.size() == 1);
  CHECK(plan.refused.at("INBOX.Zeta").find("NO [CANNOT] no") != std::string::npos);
}

namespace {

// A fresh account on a server without NAMESPACE that keeps every folder
// below INBOX: it refuses anything else, and says so once asked.
class BelowInboxOnly : public RecordingTarget {
 public:
  BelowInboxOnly() {
    ns = {"", '.', false};
    folders = {{"INBOX", '.', Role::Inbox, true, false}};
  }
  void create_folder(const std::string& name, Role role) override {
    if (name.rfind("INBOX.", 0) != 0 || name == "INBOX.~Bad") {
      ++refusals;
      throw core::ServerError(core::ErrorScope::Folder,
                              "cannot create folder " + name + ": NO nonexistent namespace");
    }
    RecordingTarget::create_folder(name, role);
  }
  std::optional<target::TargetNamespace> namespace_after_refusal(const std::string& name) override {
    if (ns.certain || name.rfind("INBOX.", 0) == 0) return std::nullopt;
    ns = {"INBOX.", '.', true};
    return ns;
  }
  int refusals = 0;
};

}  // namespace

TEST_CASE("prepare folders: a refusal that shows where folders live replans them there") {
  BelowInboxOnly t;
  auto plan = sync::prepare_folders(
      {folder({"Inbox"}, Role::Inbox), folder({"Inbox", "Sub"}), folder({"Inbox", "~Bad"}),
       folder({"Sent"}, Role::Sent), folder({"Outbox"})},
      t, {}, true);
  std::vector<std::string> created;
  for (const auto& c : t.creates) created.push_back(c.first);
  CHECK(created == std::vector<std::string>{"INBOX.Sub", "INBOX.Sent", "INBOX.Outbox"});
  CHECK(t.refusals == 2);
  // A refusal below INBOX teaches nothing: it stays that folder's error
  // through the plan made again.
  REQUIRE(plan.refused.size() == 1);
  CHECK(plan.refused.count("INBOX.~Bad") == 1);
  for (const auto& a : plan.assignments) CHECK(a.target.rfind("INBOX", 0) == 0);
}
