// The lines a person reads: per-folder and per-message lines with rclone-style
// sigils, and a job's errors grouped by reason. Pure text formatting, shared by
// the terminal output and its tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mailferry/cli/run_events.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {

// What the per-message hooks showed for one folder, beyond its counters.
struct FolderTally {
  std::uint64_t differs = 0;  // present, lacking flags ('*')
  std::uint64_t errors = 0;   // messages that failed ('!')
};

// check: the folder's sigil: '!' something failed, '+' something is missing,
// '*' something lacks flags, '=' every message is there as it should be.
char folder_sigil(const sync::FolderReport& folder, const FolderTally& tally);

// check: "+ Sent (from Sent Items): 45 messages, 42 present, 3 missing".
std::string check_folder_line(const sync::FolderReport& folder, const FolderTally& tally);
// sync: "  Inbox -> INBOX (new): 6 messages, 1 already there, 5 added".
std::string sync_folder_line(const sync::FolderReport& folder, bool dry_run);
// "+ INBOX message 3 <id@example.com> 2024-03-05 from Alice Example "Figures": detail":
// the message by its place, Message-ID (when it has one), date, sender and subject.
std::string message_line(const MessageEvent& message, const std::string& detail);
// "2024-03-05 from Alice Example "Figures"": what a person finds a message by in
// a mail client; the date is the one it is filed under (its INTERNALDATE), in
// its own zone.
std::string message_name(const core::InternalDate& date, const std::string& from,
                         const std::string& subject);
// One line per distinct reason: "WHERE: REASON (and 299 more like it)".
std::vector<std::string> grouped_errors(const std::vector<core::ErrorRecord>& errors);

// Columns a UTF-8 string takes on a terminal (East Asian wide characters
// count two), and the string padded with spaces to `columns`.
std::size_t display_width(const std::string& text);
std::string pad_right(const std::string& text, std::size_t columns);

// 4812 -> "4,812"; 1536 -> "1.5 KiB"; 90 s -> "1m30s".
std::string grouped_number(std::uint64_t n);
std::string human_bytes(std::uint64_t bytes);
std::string human_duration(std::uint64_t seconds);

}  // namespace mailferry::cli
