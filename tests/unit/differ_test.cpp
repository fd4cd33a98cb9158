#include "mailferry/sync/differ.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace mailferry;
using core::Flag;
using core::Flags;

namespace {

source::SourceMessage msg(const std::string& key, Flags flags = {}, bool receipt = false,
                          std::uint64_t size = 100) {
  source::SourceMessage m;
  m.key.value = key;
  m.size = size;
  m.flags = flags;
  m.requests_read_receipt = receipt;
  return m;
}

}  // namespace

TEST_CASE("differ: missing messages are appended, present ones are not") {
  sync::TargetIndex index;
  index.add({7, {"<a@x>"}, Flag::Seen});
  auto plan = sync::diff_folder({msg("<a@x>", Flag::Seen), msg("<b@x>")}, index, {});
  REQUIRE(plan.appends.size() == 1);
  CHECK(plan.appends[0].source_index == 1);
  REQUIRE(plan.present.size() == 1);
  CHECK(plan.present[0].uid == 7);
  CHECK(plan.flag_updates.empty());
}

TEST_CASE("differ: a message twice in the source is planned once, the rest are duplicates") {
  sync::TargetIndex index;
  auto plan =
      sync::diff_folder({msg("<a@x>"), msg("fp:11"), msg("<a@x>"), msg("fp:11")}, index, {});
  CHECK(plan.appends.size() == 2);
  CHECK(plan.duplicates == std::vector<std::size_t>{2, 3});
}

TEST_CASE("differ: two different ID-less messages are both uploaded") {
  sync::TargetIndex index;
  auto plan = sync::diff_folder({msg("fp:aaaa"), msg("fp:bbbb")}, index, {});
  CHECK(plan.appends.size() == 2);
  CHECK(plan.duplicates.empty());
}

TEST_CASE("differ: flags are merged (added, never removed) and \\Deleted is never added") {
  sync::TargetIndex index;
  index.add({3, {"<a@x>"}, Flags(Flag::Flagged)});
  Flags source_flags;
  source_flags.add(Flag::Seen);
  source_flags.add(Flag::Deleted);
  auto plan = sync::diff_folder({msg("<a@x>", source_flags)}, index, {});
  REQUIRE(plan.flag_updates.size() == 1);
  CHECK(plan.flag_updates[0].uid == 3);
  CHECK(plan.flag_updates[0].add == Flags(Flag::Seen));

  sync::DiffPolicy no_merge;
  no_merge.merge_flags = false;
  CHECK(sync::diff_folder({msg("<a@x>", source_flags)}, index, no_merge).flag_updates.empty());
}

TEST_CASE(
    "differ: a flag removed on the source since its last read is removed on the server, a flag "
    "only the server has is kept") {
  sync::TargetIndex index;
  Flags on_server(Flag::Seen);
  on_server.add(Flag::Flagged);
  on_server.add_keyword("ReadOnBackup");
  index.add({5, {"<a@x>"}, on_server});
  index.add({6, {"<b@x>"}, Flags(Flag::Seen)});

  auto unflagged = msg("<a@x>", Flags(Flag::Seen));
  unflagged.flags_removed = Flags(Flag::Flagged);
  auto never_had_it = msg("<b@x>", Flags(Flag::Seen));
  never_had_it.flags_removed = Flags(Flag::Answered);  // the server lacks it too
  auto plan = sync::diff_folder({unflagged, never_had_it}, index, {});
  REQUIRE(plan.flag_updates.size() == 1);
  CHECK(plan.flag_updates[0].uid == 5);
  CHECK(plan.flag_updates[0].add.empty());
  CHECK(plan.flag_updates[0].remove == Flags(Flag::Flagged));

  // A flag the source removed but wants again for another reason stays.
  auto drafts = msg("<a@x>", Flags(Flag::Seen));
  drafts.flags_removed = Flags(Flag::Draft);
  sync::TargetIndex drafts_index;
  Flags draft(Flag::Seen);
  draft.add(Flag::Draft);
  drafts_index.add({8, {"<a@x>"}, draft});
  sync::DiffPolicy drafts_folder;
  drafts_folder.drafts_folder = true;
  CHECK(sync::diff_folder({drafts}, drafts_index, drafts_folder).flag_updates.empty());

  sync::DiffPolicy no_merge;
  no_merge.merge_flags = false;
  CHECK(sync::diff_folder({unflagged}, index, no_merge).flag_updates.empty());
}

TEST_CASE("differ: a read message asking for a receipt gets $MDNSent where keywords stick") {
  sync::TargetIndex index;
  sync::DiffPolicy keywords;
  keywords.keywords_allowed = true;
  auto plan =
      sync::diff_folder({msg("<a@x>", Flag::Seen, true), msg("<b@x>", {}, true)}, index, keywords);
  REQUIRE(plan.appends.size() == 2);
  CHECK(plan.appends[0].flags.has(Flag::MdnSent));
  CHECK_FALSE(plan.appends[1].flags.has(Flag::MdnSent));  // unread: the receipt is still due

  sync::DiffPolicy no_keywords;
  auto plain = sync::diff_folder({msg("<a@x>", Flag::Seen, true)}, index, no_keywords);
  CHECK_FALSE(plain.appends[0].flags.has(Flag::MdnSent));
  CHECK(plain.appends[0].flags.has(Flag::Seen));
}

TEST_CASE("differ: keywords the folder cannot keep cause no endless flag updates") {
  sync::TargetIndex index;
  index.add({9, {"<a@x>"}, Flags(Flag::Seen)});
  Flags f(Flag::Seen);
  f.add(Flag::Forwarded);
  CHECK(sync::diff_folder({msg("<a@x>", f)}, index, {}).flag_updates.empty());
  sync::DiffPolicy keywords;
  keywords.keywords_allowed = true;
  CHECK(sync::diff_folder({msg("<a@x>", f)}, index, keywords).flag_updates.size() == 1);
}

TEST_CASE("differ: 100,000 messages in one folder, no quadratic work") {
  std::vector<source::SourceMessage> messages;
  sync::TargetIndex index;
  for (int i = 0; i < 100000; ++i) {
    messages.push_back(msg("<" + std::to_string(i) + "@x>"));
    if (i % 2 == 0) index.add({static_cast<std::uint32_t>(i + 1), messages.back().key, {}});
  }
  auto plan = sync::diff_folder(messages, index, {});
  CHECK(plan.appends.size() == 50000);
  CHECK(plan.present.size() == 50000);
}

TEST_CASE("differ: messages of a drafts folder are drafts") {
  sync::TargetIndex index;
  sync::DiffPolicy drafts;
  drafts.drafts_folder = true;
  auto plan = sync::diff_folder({msg("<d@x>", Flag::Seen)}, index, drafts);
  REQUIRE(plan.appends.size() == 1);
  CHECK(plan.appends[0].flags.has(Flag::Draft));
  CHECK(plan.appends[0].flags.has(Flag::Seen));
  CHECK_FALSE(sync::diff_folder({msg("<d@x>")}, index, {}).appends[0].flags.has(Flag::Draft));
}

TEST_CASE("differ: different messages sharing a Message-ID are all kept, and found again") {
  // git format-patch series and broken clients reuse Message-IDs: size tells them apart.
  sync::TargetIndex empty;
  std::vector<source::SourceMessage> source{msg("<same@x>", {}, false, 100),
                                            msg("<same@x>", {}, false, 250),
                                            msg("<same@x>", {}, false, 100)};
  auto plan = sync::diff_folder(source, empty, {});
  CHECK(plan.appends.size() == 2);
  CHECK(plan.duplicates == std::vector<std::size_t>{2});

  sync::TargetIndex after;
  after.add({1, {"<same@x>"}, {}, 100});
  after.add({2, {"<same@x>"}, {}, 250});
  auto rerun = sync::diff_folder(source, after, {});
  CHECK(rerun.appends.empty());
  REQUIRE(rerun.present.size() == 2);
  CHECK(rerun.present[0].uid == 1);
  CHECK(rerun.present[1].uid == 2);

  // Only one of them on the server: the other is still missing.
  sync::TargetIndex half;
  half.add({1, {"<same@x>"}, {}, 100});
  auto partial = sync::diff_folder(source, half, {});
  REQUIRE(partial.appends.size() == 1);
  CHECK(partial.appends[0].source_index == 1);
}

TEST_CASE("differ: a unique Message-ID matches a server copy of any size") {
  sync::TargetIndex index;
  index.add({5, {"<a@x>"}, {}, 999});  // delivered another way, other headers
  auto plan = sync::diff_folder({msg("<a@x>", {}, false, 100)}, index, {});
  CHECK(plan.appends.empty());
  CHECK(plan.present.size() == 1);
}

// The rules above, written the plain way (a map of sizes per key, a set of
// key and size seen), against the differ on random folders where keys repeat
// with one size and with several, and the server holds some of each.
TEST_CASE("differ: random folders get the plan the rules describe") {
  std::uint64_t state = 20261122;
  auto next = [&state](std::uint64_t below) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % below;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<source::SourceMessage> source;
    const std::size_t count = 1 + next(60);
    for (std::size_t i = 0; i < count; ++i)
      source.push_back(
          msg("<k" + std::to_string(next(12)) + "@x>", Flags(Flag::Seen), false, 100 + next(3)));
    sync::TargetIndex index;
    for (int k = 0; k < 12; ++k)
      if (next(3) == 0)
        index.add({static_cast<std::uint32_t>(k + 1),
                   {"<k" + std::to_string(k) + "@x>"},
                   {},
                   100 + next(3)});

    std::map<std::string, std::set<std::uint64_t>> sizes;
    for (const auto& m : source) sizes[m.key.value].insert(m.size);
    std::set<std::pair<std::string, std::uint64_t>> seen;
    std::vector<std::size_t> appends, duplicates, present;
    for (std::size_t i = 0; i < source.size(); ++i) {
      const auto& m = source[i];
      if (!seen.insert({m.key.value, m.size}).second) {
        duplicates.push_back(i);
        continue;
      }
      const bool ambiguous = sizes[m.key.value].size() > 1;
      bool on_server = false;
      index.for_each_copy(m.key.value, [&](const sync::CachedMessage& copy) {
        on_server = on_server || !ambiguous || copy.size == m.size;
        return true;
      });
      (on_server ? present : appends).push_back(i);
    }

    const auto plan = sync::diff_folder(source, index, {});
    std::vector<std::size_t> planned_appends, planned_present;
    for (const auto& a : plan.appends) planned_appends.push_back(a.source_index);
    for (const auto& p : plan.present) planned_present.push_back(p.source_index);
    INFO("round " << round);
    CHECK(planned_appends == appends);
    CHECK(plan.duplicates == duplicates);
    CHECK(planned_present == present);
  }
}
