// Declared target features through every wrapper, against a real Dovecot: a
// re-run with nothing new brings the index kept by the last run up to date
// (index_folder_since, answered "unchanged") instead of listing the folder
// again, whether the target is plain, throttled or run over several
// connections; the dry run declines the features and lists in full, writing
// nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include "mailferry/core/throttle.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/state_store.hpp"
#include "mailferry/target/dry_run_target.hpp"
#include "mailferry/target/forwarding_target.hpp"
#include "mailferry/target/imap_target.hpp"
#include "mailferry/target/throttled_target.hpp"
#include "support/dovecot_server.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::DovecotServer;
using mailferry::testing::TempDir;

namespace {

// What the sync engine asked of the target below every other wrapper.
// Atomic: with several connections, each has a CountingTarget of its own.
struct Calls {
  std::atomic<int> full_index{0};
  std::atomic<int> index_since{0};
  std::atomic<int> unchanged{0};
  std::atomic<int> snapshot_checks{0};
};

class CountingTarget final : public target::ForwardingTarget {
 public:
  CountingTarget(target::Target& inner, Calls& calls) : ForwardingTarget(inner), calls_(calls) {}
  CountingTarget(std::unique_ptr<target::Target> inner, Calls& calls)
      : ForwardingTarget(std::move(inner)), calls_(calls) {}
  target::FolderSnapshot index_folder(
      const std::string& folder, bool read_only,
      const std::function<void(target::TargetMessage)>& each) override {
    ++calls_.full_index;
    return ForwardingTarget::index_folder(folder, read_only, each);
  }
  target::IndexResult index_folder_since(
      const std::string& folder, bool read_only, const target::FolderSnapshot& known,
      const std::function<void(target::TargetMessage)>& each,
      const std::function<void(std::uint32_t, core::Flags)>& flags_changed) override {
    ++calls_.index_since;
    auto result =
        ForwardingTarget::index_folder_since(folder, read_only, known, each, flags_changed);
    if (result.change == target::IndexChange::Unchanged) ++calls_.unchanged;
    return result;
  }
  std::optional<target::FolderSnapshot> snapshot_if_exactly(
      const std::string& folder, const std::vector<std::uint32_t>& uids) override {
    ++calls_.snapshot_checks;
    return ForwardingTarget::snapshot_if_exactly(folder, uids);
  }

 private:
  Calls& calls_;
};

enum class Wrapping { Plain, Throttled, Connections, DryRun };

struct Setup {
  const DovecotServer& dovecot;
  std::string user;
  std::string source_dir;  // a folder tree of mbox files: several target folders
  std::string state;
};

// One run of `wrapping` over a target whose calls land in `calls`.
sync::JobReport run(const Setup& setup, Wrapping wrapping, Calls& calls) {
  source::MboxSource source(setup.source_dir);
  sync::StateStore store(setup.state);
  target::ImapTarget imap(setup.dovecot.connect_options(net::Protocol::Imap, setup.user));
  std::unique_ptr<target::Target> target = std::make_unique<CountingTarget>(imap, calls);
  auto throttle = std::make_shared<core::Throttle>(core::ThrottleLimits{0, 1e6});
  if (wrapping == Wrapping::Throttled)
    target = std::make_unique<target::ThrottledTarget>(std::move(target), throttle);
  std::optional<target::DryRunTarget> dry;
  if (wrapping == Wrapping::DryRun) dry.emplace(*target);
  target::Target& used = dry ? static_cast<target::Target&>(*dry) : *target;

  sync::TargetCache cache(store, used.describe());
  sync::Journal journal(store, "features");
  sync::ExecutorOptions options;
  if (!dry) {
    options.journal = &journal;
    options.target_cache = &cache;
  }
  if (wrapping == Wrapping::Connections) {
    options.connections = 3;
    options.open_target = [&]() -> std::unique_ptr<target::Target> {
      return std::make_unique<CountingTarget>(
          std::make_unique<target::ImapTarget>(
              setup.dovecot.connect_options(net::Protocol::Imap, setup.user)),
          calls);
    };
  }
  return sync::Executor(source, used, options).run();
}

Setup make_setup(const DovecotServer& dovecot, const TempDir& dir, const std::string& user) {
  const std::string tree = dir.file("mail");
  std::filesystem::create_directories(tree);
  const std::string corpus = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/";
  std::filesystem::copy_file(corpus + "mbox.src", tree + "/Inbox");
  std::filesystem::copy_file(corpus + "sample.mbox", tree + "/Archive");
  return {dovecot, user, tree, dir.file(user + ".db")};
}

}  // namespace

TEST_CASE("target features: the kept index serves the re-run through every wrapper") {
  DovecotServer dovecot;
  for (auto wrapping : {Wrapping::Plain, Wrapping::Throttled, Wrapping::Connections}) {
    TempDir dir;
    const std::string user = "features" + std::to_string(static_cast<int>(wrapping));
    const Setup setup = make_setup(dovecot, dir, user);
    INFO("wrapping " << static_cast<int>(wrapping));

    Calls first;
    const auto one = run(setup, wrapping, first);
    REQUIRE(one.errors.empty());
    REQUIRE(one.totals.appended > 0);
    CHECK(first.snapshot_checks > 0);  // the index was confirmed, so it is kept

    Calls second;
    const auto again = run(setup, wrapping, second);
    REQUIRE(again.errors.empty());
    CHECK(again.totals.appended == 0);
    CHECK(again.totals.present == one.totals.appended);
    CHECK(second.full_index == 0);  // nothing listed again
    CHECK(second.index_since == static_cast<int>(again.folders.size()));
    CHECK(second.unchanged == second.index_since);
  }
}

TEST_CASE("target features: the dry run declines them, lists in full and writes nothing") {
  DovecotServer dovecot;
  TempDir dir;
  const Setup setup = make_setup(dovecot, dir, "features-dry");
  Calls real;
  REQUIRE(run(setup, Wrapping::Plain, real).errors.empty());
  const int stored = dovecot.message_count("features-dry", "INBOX");

  std::filesystem::copy_file(std::string(MAILFERRY_CORPUS_DIR) + "/mbox/mbox.win",
                             setup.source_dir + "/Projects");
  Calls dry;
  const auto report = run(setup, Wrapping::DryRun, dry);
  CHECK(report.errors.empty());
  CHECK(report.totals.appended > 0);  // what a real run would add
  CHECK(dry.index_since == 0);
  CHECK(dry.snapshot_checks == 0);
  CHECK(dry.full_index == 2);  // the folders that exist; Projects would be created
  CHECK(dovecot.message_count("features-dry", "INBOX") == stored);
  const auto folders = dovecot.mailboxes("features-dry");
  CHECK(std::find(folders.begin(), folders.end(), "Projects") == folders.end());
}
