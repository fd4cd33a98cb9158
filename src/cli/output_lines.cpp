#include "mailferry/cli/output_lines.hpp"

#include <cstdio>
#include <ctime>
#include <map>

namespace mailferry::cli {

std::string grouped_number(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) value /= 1024, ++unit;
  char text[32];
  if (unit == 0)
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return text;
}

std::string human_duration(std::uint64_t seconds) {
  char text[32];
  if (seconds < 60)
    std::snprintf(text, sizeof text, "%llus", static_cast<unsigned long long>(seconds));
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%llum%02llus", static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned long long>(seconds % 60));
  else
    std::snprintf(text, sizeof text, "%lluh%02llum",
                  static_cast<unsigned long long>(seconds / 3600),
                  static_cast<unsigned long long>(seconds / 60 % 60));
  return text;
}

namespace {

bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

}  // namespace

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80         ? 1
                               : lead >> 5 == 0x6  ? 2
                               : lead >> 4 == 0xE  ? 3
                               : lead >> 3 == 0x1E ? 4
                                                   : 1;
    char32_t c = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      c = c << 6 | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    width += is_wide(c) ? 2 : 1;
    i += length;
  }
  return width;
}

std::string pad_right(const std::string& text, std::size_t columns) {
  const std::size_t width = display_width(text);
  return width >= columns ? text : text + std::string(columns - width, ' ');
}

char folder_sigil(const sync::FolderReport& folder, const FolderTally& tally) {
  const auto& c = folder.counters;
  if (c.failed > 0 || tally.errors > 0) return '!';
  if (c.missing > 0) return '+';
  if (tally.differs > 0) return '*';
  return '=';
}

std::string check_folder_line(const sync::FolderReport& folder, const FolderTally& tally) {
  const auto& c = folder.counters;
  std::string line = std::string(1, folder_sigil(folder, tally)) + " " + folder.target;
  if (folder.source != folder.target) line += " (from " + folder.source + ")";
  line += ": " + grouped_number(c.source) + (c.source == 1 ? " message" : " messages");
  if (c.source == 0) return line;
  if (c.present == c.source && tally.differs == 0) return line + ", all present";
  line += ", " + grouped_number(c.present) + " present";
  if (c.missing > 0) line += ", " + grouped_number(c.missing) + " missing";
  if (tally.differs > 0) line += ", " + grouped_number(tally.differs) + " lacking flags";
  if (c.failed > 0) line += ", " + grouped_number(c.failed) + " unreadable";
  return line;
}

std::string sync_folder_line(const sync::FolderReport& folder, bool dry_run) {
  const auto& c = folder.counters;
  std::string line = "  " + folder.source + " -> " + folder.target +
                     (folder.created ? (dry_run ? " (to create)" : " (new)") : "") + ": " +
                     grouped_number(c.source) + (c.source == 1 ? " message, " : " messages, ") +
                     grouped_number(c.present) + " already there, " + grouped_number(c.appended) +
                     (dry_run ? " to add" : " added");
  const bool one_flag = c.flags_updated == 1;
  if (c.flags_updated > 0)
    line += ", " + grouped_number(c.flags_updated) +
            (dry_run ? (one_flag ? " flag update" : " flag updates")
                     : (one_flag ? " flag updated" : " flags updated"));
  if (c.duplicates_in_source > 0)
    line += ", " + grouped_number(c.duplicates_in_source) +
            (c.duplicates_in_source == 1 ? " duplicate" : " duplicates") + " in the source";
  if (c.failed > 0) line += ", " + grouped_number(c.failed) + " failed";
  if (c.deleted_from_source > 0)
    line += ", " + grouped_number(c.deleted_from_source) +
            (dry_run ? " to delete from the source" : " deleted from the source");
  return line;
}

std::string message_name(const core::InternalDate& date, const std::string& from,
                         const std::string& subject) {
  std::string name;
  if (date.utc != 0) {  // 0: the source knows no date
    // The day in the message's own zone, as a mail client shows it.
    const std::time_t local = date.utc + static_cast<std::time_t>(date.offset_minutes) * 60;
    std::tm tm{};
    char day[16];
    if (::gmtime_r(&local, &tm) != nullptr && std::strftime(day, sizeof day, "%Y-%m-%d", &tm) > 0)
      name = day;
  }
  if (!from.empty()) name.append(name.empty() ? "from " : " from ").append(from);
  if (!name.empty()) name += ' ';
  if (subject.empty()) return name.append("(no subject)");
  return name.append("\"").append(subject).append("\"");
}

std::string message_line(const MessageEvent& m, const std::string& detail) {
  std::string line = std::string(1, static_cast<char>(m.sigil)) + " " + m.target_folder +
                     " message " + std::to_string(m.ordinal);
  if (!m.message_id.empty()) line.append(" ").append(m.message_id);
  line.append(" ").append(message_name(m.date, m.from, m.subject));
  if (!detail.empty()) line.append(": ").append(detail);
  return line;
}

std::vector<std::string> grouped_errors(const std::vector<core::ErrorRecord>& errors) {
  // Grouped by what went wrong, so 300 identical refusals read as one line;
  // the first place it happened stands for the rest.
  std::vector<std::string> order;
  std::map<std::string, std::pair<const core::ErrorRecord*, std::size_t>> by_reason;
  for (const auto& e : errors) {
    auto [it, inserted] = by_reason.emplace(e.message, std::make_pair(&e, std::size_t{0}));
    if (inserted) order.push_back(e.message);
    ++it->second.second;
  }
  std::vector<std::string> lines;
  for (const auto& reason : order) {
    const auto& [first, count] = by_reason.at(reason);
    std::string line = first->where.empty() ? reason : first->where + ": " + reason;
    if (count > 1) line += " (and " + grouped_number(count - 1) + " more like it)";
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace mailferry::cli
