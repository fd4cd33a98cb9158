// The target folder index finds every copy of a key in the order added, also
// after adds between lookups; the id set keeps each id once.
#include "mailferry/sync/target_index.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailferry/sync/id_set.hpp"

using namespace mailferry;

namespace {

std::vector<std::uint32_t> uids_of(const sync::TargetIndex& index, const std::string& key) {
  std::vector<std::uint32_t> uids;
  index.for_each_copy(key, [&](const sync::CachedMessage& m) {
    uids.push_back(m.uid);
    return true;
  });
  return uids;
}

}  // namespace

TEST_CASE("target index: every copy of a key, in the order added, across lookups and adds") {
  std::vector<sync::CachedMessage> listed;
  for (std::uint32_t uid = 1; uid <= 20000; ++uid)
    listed.push_back({uid, {"<m" + std::to_string(uid % 5000) + "@x>"}, {}, 100 + uid % 3});
  sync::TargetIndex index(std::move(listed));
  CHECK(index.size() == 20000);
  CHECK(uids_of(index, "<m7@x>") == std::vector<std::uint32_t>{7, 5007, 10007, 15007});
  CHECK(uids_of(index, "<m0@x>") == std::vector<std::uint32_t>{5000, 10000, 15000, 20000});
  CHECK(uids_of(index, "<absent@x>").empty());
  CHECK(index.first_copy("<absent@x>") == nullptr);

  // Uploads of this run come after, found by the next lookup.
  index.add({0, {"<m7@x>"}, {}, 999});
  index.add({30001, {"<new@x>"}, core::Flags(core::Flag::Seen), 42});
  CHECK(uids_of(index, "<m7@x>") == std::vector<std::uint32_t>{7, 5007, 10007, 15007, 0});
  REQUIRE(index.first_copy("<new@x>") != nullptr);
  CHECK(index.first_copy("<new@x>")->flags.has(core::Flag::Seen));
  // By size: the first copy of that size, none when no copy has it.
  REQUIRE(index.copy_with_size("<m7@x>", 999) != nullptr);
  CHECK(index.copy_with_size("<m7@x>", 999)->uid == 0);
  CHECK(index.copy_with_size("<m7@x>", 101)->uid == 7);  // 15007 has that size too
  CHECK(index.copy_with_size("<m7@x>", 102)->uid == 10007);
  CHECK(index.copy_with_size("<m7@x>", 5) == nullptr);

  const auto all = index.release();
  CHECK(all.size() == 20002);
  CHECK(all.front().uid == 1);
  CHECK(all.back().uid == 30001);
  CHECK(index.size() == 0);
  CHECK(index.first_copy("<m7@x>") == nullptr);
}

TEST_CASE("id set: inserts between queries, duplicates counted once") {
  sync::IdSet set;
  CHECK(set.size() == 0);
  CHECK_FALSE(set.contains(5));
  for (std::uint64_t id = 1000; id > 0; --id) set.insert(id * 7);
  CHECK(set.contains(7));
  CHECK(set.contains(7000));
  CHECK_FALSE(set.contains(8));
  for (std::uint64_t id = 1; id <= 500; ++id) set.insert(id * 7);  // again
  set.insert(3);
  CHECK(set.size() == 1001);
  CHECK(set.contains(3));
  CHECK(set.contains(3500));
}
