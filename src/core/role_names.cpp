#include "mailferry/core/role_names.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace mailferry::core {
namespace detail {
extern const std::string_view kFolderRoleNamesTsv;  // generated from the data file
}  // namespace detail

namespace {

struct GFree {
  void operator()(gchar* p) const { g_free(p); }
};
using GString = std::unique_ptr<gchar, GFree>;

// Punctuation that varies between spellings of one name ("Junk-E-Mail",
// "Junk E-mail", "Sent_Items", "Boîte d'envoi" / "Boîte d’envoi").
bool ignorable(gunichar c) {
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '\'':
    case 0x00B7:  // middle dot
    case 0x2019:  // right single quotation mark
    case 0x30FB:  // katakana middle dot
      return true;
    default:
      break;
  }
  if (c >= 0x2010 && c <= 0x2015) return true;  // hyphens and dashes
  if (g_unichar_isspace(c)) return true;
  const GUnicodeType type = g_unichar_type(c);
  return type == G_UNICODE_SPACE_SEPARATOR || type == G_UNICODE_NON_SPACING_MARK ||
         type == G_UNICODE_ENCLOSING_MARK || type == G_UNICODE_FORMAT;
}

std::string ascii_key(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 && (std::isspace(c) || ignorable(c))) continue;
    out += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  return out;
}

struct Row {
  RoleNameRow text;
  std::string key;
  Role role = Role::None;
  GmailMarker marker = GmailMarker::None;
};

struct Table {
  RoleNameTable public_view;
  std::vector<Row> rows;
};

bool parse_role_word(const std::string& word, Role& role, GmailMarker& marker) {
  role = Role::None;
  marker = GmailMarker::None;
  if (word == "important") return marker = GmailMarker::Important, true;
  if (word == "unread") return marker = GmailMarker::Unread, true;
  if (word == "opened") return marker = GmailMarker::Opened, true;
  if (word == "category") return marker = GmailMarker::Category, true;
  auto parsed = parse_role(word);
  if (!parsed || *parsed == Role::None) return false;
  role = *parsed;
  return true;
}

Table load() {
  Table t;
  std::string_view rest = detail::kFolderRoleNamesTsv;
  std::size_t line_number = 0;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
      std::size_t tab = line.find('\t', start);
      fields.emplace_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    fields.resize(std::max<std::size_t>(fields.size(), 4));
    const std::size_t n = fields.size();
    Row row;
    row.text = {fields[0], fields[1], fields[2], fields[3], line_number};
    const std::string& kind = fields[1];
    const bool kind_ok =
        kind == "folder" || kind == "gmail" || kind == "label" || kind == "label-prefix";
    if (n != 4 || !kind_ok || fields[3].empty() || fields[2].empty() ||
        !g_utf8_validate(fields[3].data(), static_cast<gssize>(fields[3].size()), nullptr) ||
        !parse_role_word(fields[0], row.role, row.marker) ||
        (kind == "folder" && row.role == Role::None)) {
      t.public_view.bad.push_back(line_number);
      continue;
    }
    row.key = name_key(row.text.name);
    t.public_view.rows.push_back(row.text);
    t.rows.push_back(std::move(row));
  }
  return t;
}

const Table& table() {
  static const Table t = load();
  return t;
}

bool folder_kind(const Row& r) { return r.text.kind == "folder" || r.text.kind == "gmail"; }

}  // namespace

std::string name_key(std::string_view utf8_name) {
  if (!g_utf8_validate(utf8_name.data(), static_cast<gssize>(utf8_name.size()), nullptr))
    return ascii_key(utf8_name);
  GString decomposed(
      g_utf8_normalize(utf8_name.data(), static_cast<gssize>(utf8_name.size()), G_NORMALIZE_NFKD));
  if (!decomposed) return ascii_key(utf8_name);
  GString folded(g_utf8_casefold(decomposed.get(), -1));
  GString again(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFKD));
  std::string kept;
  for (const gchar* p = again.get(); *p != '\0'; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (ignorable(c)) continue;
    kept.append(p, static_cast<std::size_t>(g_utf8_next_char(p) - p));
  }
  // Compose again so that Hangul syllables compare as syllables.
  GString composed(
      g_utf8_normalize(kept.data(), static_cast<gssize>(kept.size()), G_NORMALIZE_NFC));
  return composed ? std::string(composed.get()) : kept;
}

std::string fold_case(std::string_view utf8_name) {
  if (!g_utf8_validate(utf8_name.data(), static_cast<gssize>(utf8_name.size()), nullptr)) {
    std::string out(utf8_name);
    for (char& c : out)
      if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(std::tolower(c));
    return out;
  }
  GString folded(g_utf8_casefold(utf8_name.data(), static_cast<gssize>(utf8_name.size())));
  GString composed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFC));
  return composed ? std::string(composed.get()) : std::string(folded.get());
}

RoleMatch role_from_folder_name(std::string_view utf8_name) {
  const std::string key = name_key(utf8_name);
  if (key.empty()) return {};
  const auto& rows = table().rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.role != Role::None && folder_kind(r) && r.key == key) return {r.role, i};
  }
  return {};
}

bool is_name_of_role(std::string_view utf8_name, Role role) {
  if (role == Role::None) return false;
  const std::string key = name_key(utf8_name);
  for (const Row& r : table().rows)
    if (r.role == role && folder_kind(r) && r.key == key) return true;
  return false;
}

std::string_view default_role_folder_name(Role role) {
  switch (role) {
    case Role::Sent:
      return "Sent";
    case Role::Drafts:
      return "Drafts";
    case Role::Trash:
      return "Trash";
    case Role::Junk:
      return "Junk";
    case Role::Archive:
      return "Archive";
    case Role::Outbox:
      return "Outbox";
    case Role::All:
      return "All Mail";
    case Role::Flagged:
      return "Starred";
    case Role::Inbox:
    case Role::None:
      break;
  }
  return "";
}

GmailLabelMeaning gmail_label_meaning(std::string_view utf8_label) {
  const std::string key = name_key(utf8_label);
  if (key.empty()) return {};
  for (const Row& r : table().rows) {
    const std::string& kind = r.text.kind;
    bool match = false;
    if (kind == "gmail" || kind == "label")
      match = r.key == key;
    else if (kind == "label-prefix")
      match = key.size() > r.key.size() && key.compare(0, r.key.size(), r.key) == 0;
    if (!match) continue;
    GmailLabelMeaning m;
    m.marker = r.marker;
    if (r.role == Role::Flagged)
      m.marker = GmailMarker::Starred;
    else if (r.role != Role::All)
      m.role = r.role;
    return m;
  }
  return {};
}

const RoleNameTable& role_name_table() { return table().public_view; }

}  // namespace mailferry::core
