#include "mailferry/sync/journal.hpp"

namespace mailferry::sync {

Journal::Journal(StateStore& store, std::string scope) : store_(store), scope_(std::move(scope)) {}

std::string Journal::space(const std::string& folder) const {
  return "journal\n" + scope_ + "\n" + folder;
}

std::vector<core::MessageKey> Journal::pending(const std::string& folder) {
  std::vector<core::MessageKey> keys;
  for (auto& [key, value] : store_.entries(space(folder))) keys.push_back({key});
  return keys;
}

void Journal::begin(const std::string& folder, const std::vector<core::MessageKey>& keys) {
  if (keys.empty()) return;
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (const auto& key : keys) store_.put(s, key.value, "started");
  transaction.commit();
}

void Journal::end(const std::string& folder, const std::vector<core::MessageKey>& keys) {
  if (keys.empty()) return;
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (const auto& key : keys) store_.erase(s, key.value);
  transaction.commit();
}

void Journal::clear(const std::string& folder) {
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (auto& [key, value] : store_.entries(s)) store_.erase(s, key);
  transaction.commit();
}

}  // namespace mailferry::sync
