#include "mailferry/target/listing_namespace.hpp"

namespace mailferry::target {

TargetNamespace namespace_from_listing(const std::vector<TargetFolder>& folders) {
  TargetNamespace ns;
  const TargetFolder* inbox = nullptr;
  for (const auto& f : folders)
    if (f.name == "INBOX") inbox = &f;
  if (inbox == nullptr) {
    ns.certain = false;
    return ns;
  }
  ns.delimiter = inbox->delimiter;
  if (ns.delimiter == '\0') return ns;  // flat: every folder beside INBOX
  const std::string below_inbox = std::string("INBOX") + ns.delimiter;
  bool beside = false, below = false;
  for (const auto& f : folders) {
    if (f.name == "INBOX") continue;
    (f.name.rfind(below_inbox, 0) == 0 ? below : beside) = true;
  }
  // Courier, and servers set up like it, keep every folder below INBOX and
  // refuse one beside it; a listing that shows only such folders says so.
  if (below && !beside) ns.prefix = below_inbox;
  ns.certain = below || beside;
  return ns;
}

}  // namespace mailferry::target
