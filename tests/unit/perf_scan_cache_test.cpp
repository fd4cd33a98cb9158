// Scans kept between runs (source/scan_cache.hpp) and MboxSource with them:
// an unchanged file is not read again and gives exactly the same references,
// errors included; any change to the file, or a damaged cache, means a new scan.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "mailferry/source/mbox_source.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/sync/state_store.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
namespace fs = std::filesystem;

namespace {

class MemoryCache : public source::ScanCache {
 public:
  std::optional<std::string> load_scan(const std::string& key) override {
    ++loads;
    auto it = entries.find(key);
    return it == entries.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  void store_scan(const std::string& key, std::string_view bytes) override {
    ++stores;
    entries[key] = std::string(bytes);
  }
  void erase_scan(const std::string& key) override { entries.erase(key); }
  std::map<std::string, std::string> entries;
  int loads = 0;
  int stores = 0;
};

using Collect = mailferry::testing::CollectingSink;

void check_same(const Collect& a, const Collect& b) {
  REQUIRE(a.messages.size() == b.messages.size());
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    const auto& x = a.messages[i];
    const auto& y = b.messages[i];
    INFO("message " << i);
    CHECK(x.ordinal == y.ordinal);
    CHECK(x.locator == y.locator);
    CHECK(x.key == y.key);
    CHECK(x.message_id == y.message_id);
    CHECK(x.flags == y.flags);
    CHECK(x.internal_date == y.internal_date);
    CHECK(x.size == y.size);
    CHECK(x.requests_read_receipt == y.requests_read_receipt);
    CHECK(x.from == y.from);
    CHECK(x.subject == y.subject);
  }
  REQUIRE(a.errors.size() == b.errors.size());
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    CHECK(a.errors[i].scope == b.errors[i].scope);
    CHECK(a.errors[i].where == b.errors[i].where);
    CHECK(a.errors[i].message == b.errors[i].message);
  }
}

Collect scan(source::MboxSource& source) {
  Collect sink;
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  source.scan(folders[0], sink);
  return sink;
}

source::SourceMessage sample_message(std::uint64_t i) {
  source::SourceMessage m;
  m.ordinal = i + 1;
  m.locator = std::to_string(i * 1000) + "+" + std::to_string(900 + i);
  m.message_id = i % 3 == 0 ? "" : "<" + std::to_string(i) + "@example.com>";
  m.key.value = m.message_id.empty() ? "fp:" + std::string(32, 'f') : m.message_id;
  m.flags = core::Flags(static_cast<std::uint8_t>(i % 64));
  m.internal_date = {static_cast<std::time_t>(1500000000 - i * 77),
                     static_cast<int>(i % 7) * 60 - 180};
  m.size = 900 + i;
  m.requests_read_receipt = i % 11 == 0;
  m.from = i % 5 == 0 ? "" : "Sender " + std::to_string(i);
  m.subject = i % 4 == 0 ? "" : "Grüße " + std::to_string(i);
  return m;
}

}  // namespace

TEST_CASE("perf scan cache: a recorded scan replays exactly, across many pieces") {
  MemoryCache cache;
  Collect first;
  {
    source::RecordingSink recorder(cache, "k", first);
    for (std::uint64_t i = 0; i < 30000; ++i) {  // several MB: more than one piece
      recorder.message(sample_message(i));
      if (i % 9999 == 0)
        recorder.error({core::ErrorScope::Message, "file, message " + std::to_string(i), "bad"});
    }
    recorder.warning("a warning");
    recorder.finish("identity 1");
  }
  CHECK(cache.entries.size() >= 3);  // the head and more than one piece
  Collect again;
  REQUIRE(source::replay_scan(cache, "k", "identity 1", again));
  check_same(first, again);
  Collect other;
  CHECK_FALSE(source::replay_scan(cache, "k", "identity 2", other));
  CHECK_FALSE(source::replay_scan(cache, "other key", "identity 1", other));
  CHECK(other.messages.empty());
}

TEST_CASE("perf scan cache: a damaged or half-stored scan is never replayed, not even in part") {
  MemoryCache cache;
  Collect first;
  source::RecordingSink recorder(cache, "k", first);
  for (std::uint64_t i = 0; i < 20000; ++i) recorder.message(sample_message(i));
  recorder.finish("id");
  SUBCASE("a missing piece") { cache.entries.erase("k\n2"); }
  SUBCASE("a piece cut short") {
    auto& piece = cache.entries.at("k\n2");
    piece.resize(piece.size() / 2);
  }
  SUBCASE("a piece with other bytes") { cache.entries.at("k\n1")[0] = '\x7f'; }
  SUBCASE("a new recording that did not finish") {
    Collect ignored;
    source::RecordingSink restarted(cache, "k", ignored);  // removes the head first
    restarted.message(sample_message(1));
  }
  Collect replayed;
  CHECK_FALSE(source::replay_scan(cache, "k", "id", replayed));
  CHECK(replayed.messages.empty());
}

TEST_CASE("perf scan cache: an unchanged mbox file is not scanned again, a changed one is") {
  testing::TempDir dir;
  const std::string corpus = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/";
  const std::string file = dir.file("Inbox.mbox");
  fs::copy_file(corpus + "mbox.src", file);
  MemoryCache cache;
  source::MboxSourceOptions options;
  options.scan_cache = &cache;

  source::MboxSource plain(file);
  const Collect expected = scan(plain);
  REQUIRE(expected.messages.size() > 10);

  source::MboxSource cached(file, options);
  check_same(expected, scan(cached));
  const int stores = cache.stores;
  CHECK(stores >= 2);  // a piece and the head
  check_same(expected, scan(cached));
  CHECK(cache.stores == stores);  // replayed: nothing scanned or stored again

  // The bodies of replayed references are still the file's bytes.
  auto folders = cached.folders();
  Collect replayed = scan(cached);
  auto reader = cached.open(folders[0], replayed.messages.back());
  std::string bytes(replayed.messages.back().size + 1, '\0');
  std::size_t got = 0;
  while (std::size_t n = reader->read(bytes.data() + got, bytes.size() - got)) got += n;
  CHECK(got == replayed.messages.back().size);

  // Appending a message changes size and times: scanned again, one more message.
  {
    std::ofstream out(file, std::ios::app | std::ios::binary);
    out << "\nFrom someone@example.com Sat Feb  2 11:12:13 2019\nMessage-ID: "
           "<appended@example.com>\n"
           "Subject: new\n\nbody\n";
  }
  Collect grown = scan(cached);
  CHECK(cache.stores > stores);
  CHECK(grown.messages.size() == expected.messages.size() + 1);
  CHECK(grown.messages.back().message_id == "<appended@example.com>");

  // Another variant option gives other references: not replayed either.
  options.variant = mbox::Variant::Mboxo;
  source::MboxSource other_variant(file, options);
  const int before = cache.stores;
  scan(other_variant);
  CHECK(cache.stores > before);
}

TEST_CASE("perf scan cache: errors of a scan are replayed with it (and kept in the state store)") {
  testing::TempDir dir;
  const std::string file = dir.file("broken.mbox");
  fs::copy_file(std::string(MAILFERRY_CORPUS_DIR) + "/mbox/malformed.txt", file);
  sync::StateStore store(dir.file("state.db"));
  source::MboxSourceOptions options;
  options.scan_cache = &store;
  source::MboxSourceOptions small = options;
  small.max_header_bytes = 64;  // every header block too large: one error per message
  source::MboxSource source(file, small);
  const Collect first = scan(source);
  REQUIRE_FALSE(first.errors.empty());
  source::MboxSource again(file, small);
  check_same(first, scan(again));
  CHECK_FALSE(store.entries("source-scan").empty());
}
