// DryRunSource: the source side of the dry run. Reads go through; remove()
// deletes nothing and answers that every message would be removed, so that
// `sync --dry-run --delete-after-copy` lists exactly what a real run would
// delete, the one step that cannot be undone.
#pragma once

#include "mailferry/source/forwarding_source.hpp"

namespace mailferry::source {

class DryRunSource final : public ForwardingSource {
 public:
  explicit DryRunSource(Source& inner) : ForwardingSource(inner) {}

  RemovalResult remove(const SourceFolder&, const std::vector<SourceMessage>& messages) override {
    RemovalResult would;
    for (const auto& m : messages) would.removed.push_back(m.locator);
    return would;
  }
};

}  // namespace mailferry::source
