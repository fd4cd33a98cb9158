// ImapTarget: one line on what kind of server this is, for `mailferry list`.
#include <array>

#include "mailferry/target/imap_target.hpp"

namespace mailferry::target {
namespace {

// The capabilities that change what mailferry does (the README's server
// section says how): without each, a slower or simpler way is taken.
constexpr std::array<std::string_view, 10> kBehaviourCapabilities{
    "NAMESPACE",   "SPECIAL-USE", "CREATE-SPECIAL-USE", "LIST-EXTENDED", "UIDPLUS",
    "MULTIAPPEND", "LITERAL+",    "CONDSTORE",          "ESEARCH",       "APPENDLIMIT"};

}  // namespace

std::string ImapTarget::shape() {
  const TargetNamespace ns = personal_namespace();
  const imap::Capabilities& caps = capabilities();
  std::string line = "namespace \"" + ns.prefix + "\"";
  if (caps.has("NAMESPACE"))
    line += " (announced)";
  else
    line +=
        ns.certain ? " (inferred from the folders)" : " (a guess: the account holds INBOX only)";
  line +=
      ns.delimiter == '\0' ? ", no delimiter" : std::string(", delimiter '") + ns.delimiter + "'";
  std::string with, without;
  for (std::string_view name : kBehaviourCapabilities) {
    bool present = caps.has(name) || (name == "APPENDLIMIT" && caps.number(name).has_value()) ||
                   (name == "LITERAL+" && caps.has("LITERAL-"));
    std::string& list = present ? with : without;
    list.append(list.empty() ? "" : " ").append(name);
  }
  if (!with.empty()) line += "; with " + with;
  if (!without.empty()) line += "; without " + without;
  return line;
}

}  // namespace mailferry::target
