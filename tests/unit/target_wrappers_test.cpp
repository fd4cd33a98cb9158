// Every Target wrapper forwards what it does not change, features included
// (a wrapper that lost one once made every throttled re-run list its
// folders in full), and the dry run declines the features and every write.
#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "mailferry/core/throttle.hpp"
#include "mailferry/source/memory_body.hpp"
#include "mailferry/target/dry_run_target.hpp"
#include "mailferry/target/throttled_target.hpp"

using namespace mailferry;

namespace {

// Declares both features and counts every call by name.
class RecordingTarget final : public target::Target {
 public:
  std::map<std::string, int> calls;
  bool last_read_only = false;

  std::string describe() const override { return "recording://"; }
  target::TargetFeatures features() const override { return {true, true}; }
  std::vector<target::TargetFolder> list_folders() override {
    ++calls["list_folders"];
    return {{"INBOX", '/', core::Role::Inbox, true, false}};
  }
  target::TargetNamespace personal_namespace() override {
    ++calls["personal_namespace"];
    return {"INBOX.", '.'};
  }
  std::optional<target::TargetNamespace> namespace_after_refusal(const std::string&) override {
    ++calls["namespace_after_refusal"];
    return std::nullopt;
  }
  void create_folder(const std::string&, core::Role) override { ++calls["create_folder"]; }
  target::FolderSnapshot index_folder(const std::string&, bool read_only,
                                      const std::function<void(target::TargetMessage)>&) override {
    ++calls["index_folder"];
    last_read_only = read_only;
    return {};
  }
  void append(const std::string&, const std::vector<target::AppendItem>& items,
              const std::function<void(std::size_t, const target::AppendOutcome&)>& done) override {
    ++calls["append"];
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto body = items[i].open_body();
      char buffer[64];
      while (body->read(buffer, sizeof buffer) > 0) {
      }
      target::AppendOutcome ok;
      ok.ok = true;
      ok.uid = static_cast<std::uint32_t>(i + 1);
      done(i, ok);
    }
  }
  target::FolderSnapshot status(const std::string&) override {
    ++calls["status"];
    return {};
  }
  target::IndexResult index_folder_since(
      const std::string&, bool, const target::FolderSnapshot& known,
      const std::function<void(target::TargetMessage)>&,
      const std::function<void(std::uint32_t, core::Flags)>&) override {
    ++calls["index_folder_since"];
    return {known, target::IndexChange::Unchanged};
  }
  std::optional<target::FolderSnapshot> snapshot_if_exactly(
      const std::string&, const std::vector<std::uint32_t>&) override {
    ++calls["snapshot_if_exactly"];
    return target::FolderSnapshot{};
  }
  void update_flags(const std::string&, const std::vector<target::FlagUpdate>&) override {
    ++calls["update_flags"];
  }
};

// Makes every call of the Target interface once.
void call_everything(target::Target& t) {
  t.list_folders();
  t.personal_namespace();
  t.namespace_after_refusal("New");
  t.create_folder("New", core::Role::None);
  t.index_folder("INBOX", false, [](target::TargetMessage) {});
  target::AppendItem item;
  item.size = 5;
  item.open_body = [] { return std::make_unique<source::MemoryBodyReader>("hello"); };
  t.append("INBOX", {item}, [](std::size_t, const target::AppendOutcome&) {});
  t.status("INBOX");
  if (t.features().incremental_index)
    t.index_folder_since(
        "INBOX", false, {}, [](target::TargetMessage) {}, [](std::uint32_t, core::Flags) {});
  if (t.features().exact_snapshot) t.snapshot_if_exactly("INBOX", {1});
  t.update_flags("INBOX", {{1, core::Flags{}}});
}

}  // namespace

TEST_CASE("target wrappers: the throttled target forwards every call and both features") {
  auto inner = std::make_unique<RecordingTarget>();
  RecordingTarget& recording = *inner;
  target::ThrottledTarget throttled(std::move(inner),
                                    std::make_shared<core::Throttle>(core::ThrottleLimits{0, 1e6}));
  CHECK(throttled.features().incremental_index);
  CHECK(throttled.features().exact_snapshot);
  CHECK(throttled.describe() == "recording://");
  call_everything(throttled);
  for (const char* call : {"list_folders", "personal_namespace", "namespace_after_refusal",
                           "create_folder", "index_folder", "append", "status",
                           "index_folder_since", "snapshot_if_exactly", "update_flags"}) {
    INFO(call);
    CHECK(recording.calls[call] == 1);
  }
  CHECK(throttled.personal_namespace().prefix == "INBOX.");
}

TEST_CASE("target wrappers: the dry run declines the features, reads read-only, writes nothing") {
  RecordingTarget recording;
  target::DryRunTarget dry(recording);
  CHECK_FALSE(dry.features().incremental_index);
  CHECK_FALSE(dry.features().exact_snapshot);
  CHECK_THROWS_AS(dry.snapshot_if_exactly("INBOX", {1}), std::logic_error);
  CHECK_THROWS_AS(
      dry.index_folder_since(
          "INBOX", true, {}, [](target::TargetMessage) {}, [](std::uint32_t, core::Flags) {}),
      std::logic_error);
  CHECK(recording.calls["snapshot_if_exactly"] == 0);
  call_everything(dry);
  CHECK(recording.calls["list_folders"] == 1);
  CHECK(recording.calls["personal_namespace"] == 1);
  CHECK(recording.calls["index_folder"] == 1);
  CHECK(recording.last_read_only);  // EXAMINE, never SELECT
  CHECK(recording.calls["status"] == 1);
  for (const char* write : {"create_folder", "append", "update_flags"}) {
    INFO(write);
    CHECK(recording.calls[write] == 0);
  }
  // The folder it would have created is there, empty, for the rest of the plan.
  CHECK(dry.index_folder("New", false, [](target::TargetMessage) { FAIL("not empty"); }).messages ==
        0);
  CHECK(recording.calls["index_folder"] == 1);
}
