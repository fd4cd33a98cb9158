#include "mailferry/source/source.hpp"

namespace mailferry::source {

std::string SourceFolder::display_name() const {
  std::string out;
  for (const auto& part : path) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::vector<std::string> note_lines(const std::vector<core::ErrorRecord>& notes) {
  std::vector<std::string> lines;
  lines.reserve(notes.size());
  for (const auto& n : notes) lines.push_back(n.where + ": " + n.message);
  return lines;
}

void Source::open_batch(const SourceFolder& folder, const std::vector<const SourceMessage*>&,
                        const EachOpened&) {
  throw core::SourceError(describe() + ": folder " + folder.display_name() +
                          ": this source opens messages one at a time");
}

Source::RemovalResult Source::remove(const SourceFolder& folder,
                                     const std::vector<SourceMessage>&) {
  throw core::SourceError(describe() + ": folder " + folder.display_name() +
                          ": this source cannot delete messages");
}

}  // namespace mailferry::source
