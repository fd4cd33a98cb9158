#include "mailferry/sync/journal.hpp"

namespace mailferry::sync {

Journal::Journal(StateStore& store, std::string scope) : store_(store), scope_(std::move(scope)) {}

std::string Journal::space(const std::string& folder) const {
  return "journal\n" + scope_ + "\n" + folder;
}

namespace {

// Stored as "<size> <key>": the size first, since a key may hold any character.
std::string entry_id(const JournalEntry& e) { return std::to_string(e.size) + " " + e.key.value; }

}  // namespace

std::vector<JournalEntry> Journal::pending(const std::string& folder) {
  std::vector<JournalEntry> out;
  for (auto& [id, value] : store_.entries(space(folder))) {
    auto space_at = id.find(' ');
    if (space_at == std::string::npos) continue;  // not ours: ignore rather than guess
    out.push_back({{id.substr(space_at + 1)}, std::stoull(id.substr(0, space_at))});
  }
  return out;
}

void Journal::begin(const std::string& folder, const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return;
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (const auto& e : entries) store_.put(s, entry_id(e), "started");
  transaction.commit();
}

void Journal::end(const std::string& folder, const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return;
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (const auto& e : entries) store_.erase(s, entry_id(e));
  transaction.commit();
}

void Journal::clear(const std::string& folder) {
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (auto& [key, value] : store_.entries(s)) store_.erase(s, key);
  transaction.commit();
}

}  // namespace mailferry::sync
