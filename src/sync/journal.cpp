#include "mailferry/sync/journal.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace mailferry::sync {
namespace {

// Stored as "<size> <key>": the size first, since a key may hold any character.
std::string entry_id(const JournalEntry& e) { return std::to_string(e.size) + " " + e.key.value; }

bool parse_id(const std::string& id, JournalEntry& e) {
  auto space_at = id.find(' ');
  if (space_at == std::string::npos || space_at == 0) return false;
  for (std::size_t i = 0; i < space_at; ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  e.size = std::stoull(id.substr(0, space_at));
  e.key.value = id.substr(space_at + 1);
  return true;
}

// Values: "intent\t<source>", or a result "stored\t<uidvalidity>\t<uid>",
// "found\t<uidvalidity>\t<uid>", "refused". Files written before results
// existed hold "started" (an intent without a source).
constexpr std::string_view kIntent = "intent";
constexpr std::string_view kStarted = "started";

bool is_intent(std::string_view value) {
  return value == kStarted || value.substr(0, value.find('\t')) == kIntent;
}

std::string result_value(const JournalEntry& e) {
  switch (e.outcome) {
    case JournalOutcome::Refused:
      return "refused";
    case JournalOutcome::Found:
      return "found\t" + std::to_string(e.uidvalidity) + "\t" + std::to_string(e.uid);
    case JournalOutcome::Stored:
      break;
  }
  return "stored\t" + std::to_string(e.uidvalidity) + "\t" + std::to_string(e.uid);
}

std::uint32_t field_number(const std::string& value, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index && start != std::string::npos; ++i) {
    start = value.find('\t', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = start; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i)
    n = n * 10 + static_cast<std::uint64_t>(value[i] - '0');
  return n > 0xffffffffu ? 0 : static_cast<std::uint32_t>(n);
}

// The test hook's budget: the commit after which the process stops (0: never).
long stop_after_step() {
  static const long n = [] {
    const char* text = std::getenv("MAILFERRY_TEST_STOP_AFTER_JOURNAL_STEP");
    if (text == nullptr || *text == '\0') return 0L;
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    return end != nullptr && *end == '\0' && value > 0 ? value : 0L;
  }();
  return n;
}

std::atomic<long> steps_committed{0};

}  // namespace

Journal::Journal(StateStore& store, std::string scope) : store_(store), scope_(std::move(scope)) {}

std::string Journal::space(const std::string& folder) const {
  return "journal\n" + scope_ + "\n" + folder;
}

void Journal::step_committed() {
  const long stop = stop_after_step();
  // Exactly as a SIGKILL would: no destructors, no buffered output, no
  // logout; the state file is left as the last commit made it.
  if (++steps_committed == stop && stop > 0) ::_exit(137);
}

std::vector<JournalEntry> Journal::pending(const std::string& folder) {
  std::vector<JournalEntry> out;
  for (auto& [id, value] : store_.entries(space(folder))) {
    JournalEntry e;
    if (!is_intent(value) || !parse_id(id, e)) continue;  // not ours: ignore rather than guess
    auto tab = value.find('\t');
    if (tab != std::string::npos) e.source = value.substr(tab + 1);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<JournalEntry> Journal::results(const std::string& folder) {
  std::vector<JournalEntry> out;
  for (auto& [id, value] : store_.entries(space(folder))) {
    JournalEntry e;
    if (is_intent(value) || !parse_id(id, e)) continue;
    const std::string kind = value.substr(0, value.find('\t'));
    if (kind == "stored")
      e.outcome = JournalOutcome::Stored;
    else if (kind == "found")
      e.outcome = JournalOutcome::Found;
    else if (kind == "refused")
      e.outcome = JournalOutcome::Refused;
    else
      continue;
    e.uidvalidity = field_number(value, 1);
    e.uid = field_number(value, 2);
    out.push_back(std::move(e));
  }
  return out;
}

void Journal::begin(const std::string& folder, const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return;
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  if (pruned_.insert(folder).second) {
    // The results of earlier runs: this run has indexed the folder since.
    for (auto& [id, value] : store_.entries(s))
      if (!is_intent(value)) store_.erase(s, id);
  }
  for (const auto& e : entries) store_.put(s, entry_id(e), std::string(kIntent) + "\t" + e.source);
  transaction.commit();
  step_committed();
}

void Journal::end(const std::string& folder, const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return;
  const std::string s = space(folder);
  if (stop_after_step() > 0) {
    // Test mode: each result is a step of its own.
    for (const auto& e : entries) {
      StateStore::Transaction transaction(store_);
      store_.put(s, entry_id(e), result_value(e));
      transaction.commit();
      step_committed();
    }
    return;
  }
  StateStore::Transaction transaction(store_);
  for (const auto& e : entries) store_.put(s, entry_id(e), result_value(e));
  transaction.commit();
  step_committed();
}

void Journal::resolve(const std::string& folder, const std::vector<JournalEntry>& found) {
  StateStore::Transaction transaction(store_);
  const std::string s = space(folder);
  for (auto& [id, value] : store_.entries(s))
    if (is_intent(value)) store_.erase(s, id);
  for (auto e : found) {
    e.outcome = JournalOutcome::Found;
    store_.put(s, entry_id(e), result_value(e));
  }
  transaction.commit();
  step_committed();
}

void Journal::clear(const std::string& folder) { resolve(folder, {}); }

}  // namespace mailferry::sync
