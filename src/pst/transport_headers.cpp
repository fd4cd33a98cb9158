#include "mailferry/pst/transport_headers.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace mailferry::pst {
namespace {

// Fields describing the original body, replaced by the rebuilt one.
constexpr std::array<std::string_view, 10> kBodyFields{
    "mime-version",        "content-type", "content-transfer-encoding",
    "content-disposition", "content-id",   "content-description",
    "content-length",      "content-md5",  "content-location",
    "content-base"};

// The field name of a header line ("Subject: x" -> "subject"), or "" if the
// line is not a field (RFC 5322 2.2: printable ASCII except ':', then ':').
std::string field_name(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return {};
  std::string name(line.substr(0, colon));
  // Tolerate white space before the colon (obsolete syntax, RFC 5322 4.5).
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
  if (name.empty()) return {};
  for (char& c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) return {};
    c = static_cast<char>(std::tolower(u));
  }
  return name;
}

}  // namespace

CleanHeaders clean_transport_headers(std::string_view raw) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t end = raw.find('\n', start);
    if (end == std::string_view::npos) end = raw.size();
    lines.push_back(raw.substr(start, end - start));
    start = end + 1;
  }

  CleanHeaders out;
  bool started = false;
  bool keep_current = false;  // whether the field being continued is kept
  for (std::string_view line : lines) {
    if (!started) {
      if (field_name(line).empty()) continue;  // banner or junk before the first field
      started = true;
    }
    if (line.empty()) break;  // end of the header block
    const bool continuation = line.front() == ' ' || line.front() == '\t';
    std::string name = continuation ? std::string() : field_name(line);
    if (continuation || name.empty()) {
      if (!keep_current) continue;
      if (!continuation) out.block += ' ';
      out.block.append(line);
      out.block += '\n';
      continue;
    }
    keep_current = std::find(kBodyFields.begin(), kBodyFields.end(), name) == kBodyFields.end();
    if (!keep_current) continue;
    out.present.insert(name);
    out.block.append(line);
    out.block += '\n';
  }
  return out;
}

}  // namespace mailferry::pst
