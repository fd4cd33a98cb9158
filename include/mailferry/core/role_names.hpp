// Well-known folder names by role, in many languages (data/folder-role-names.tsv,
// compiled into the program), and the name comparison they need.
//
// Names are compared by name_key(): Unicode compatibility decomposition, case
// folding, no combining marks, no white space and no - _ . ' ’ · , so
// "Junk E-mail" = "junk email", "Удалённые" = "Удаленные", "보낸 편지함" =
// "보낸편지함". All functions are pure, thread-safe and never throw; input
// that is not valid UTF-8 is compared byte for byte (ASCII case folded).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/role.hpp"

namespace mailferry::core {

// The comparison form of a name (see above).
std::string name_key(std::string_view utf8_name);

// Case folded and NFC-normalized, nothing removed: for globs and for telling
// whether two names differ only in case.
std::string fold_case(std::string_view utf8_name);

// What a folder name is a well-known name of.
struct RoleMatch {
  Role role = Role::None;
  // Position of the matching row in the table (earlier = more usual), for
  // choosing between several folders of one role; npos when no match.
  std::size_t rank = static_cast<std::size_t>(-1);
};

// The role a folder name stands for (rows of kind "folder" and "gmail"):
// Inbox, Sent, Drafts, Trash, Junk, Archive, Outbox, All, Flagged.
RoleMatch role_from_folder_name(std::string_view utf8_name);

// Whether `utf8_name` is one of the table's names for `role`.
bool is_name_of_role(std::string_view utf8_name, Role role);

// The name mailferry gives a role folder it must create when neither the
// source nor the server offers one: "Sent", "Drafts", "Trash", "Junk",
// "Archive", "Outbox", "All Mail", "Starred"; empty for Inbox and None.
std::string_view default_role_folder_name(Role role);

// What a Gmail Takeout label means besides being a folder.
enum class GmailMarker {
  None,       // a folder (the user's own label, or a role folder: see role)
  Starred,    // the message is \Flagged
  Important,  // Gmail's priority marker: no folder, no flag
  Unread,     // the message is not \Seen
  Opened,     // the message is \Seen
  Category,   // an Inbox tab ("Category Updates"): no folder
};

struct GmailLabelMeaning {
  Role role = Role::None;  // Inbox, Sent, Drafts, Trash, Junk, Archive ("Archived")
  GmailMarker marker = GmailMarker::None;
};

// A Takeout label (one entry of X-Gmail-Labels, decoded): the "gmail",
// "label" and "label-prefix" rows, in any language of the table.
GmailLabelMeaning gmail_label_meaning(std::string_view utf8_label);

// One row of the table, for tests and diagnostics.
struct RoleNameRow {
  std::string role;      // "sent", "important", ...
  std::string kind;      // "folder", "gmail", "label", "label-prefix"
  std::string language;  // "de", "zh-Hant", "-"
  std::string name;      // UTF-8
  std::size_t line = 0;  // line number in data/folder-role-names.tsv
};

// The parsed table; rows that do not parse are in `bad` (line numbers), so a
// test can insist there are none.
struct RoleNameTable {
  std::vector<RoleNameRow> rows;
  std::vector<std::size_t> bad;
};
const RoleNameTable& role_name_table();

}  // namespace mailferry::core
