#include "mailferry/cli/mistyped.hpp"

#include <algorithm>

#include "mailferry/core/suggest.hpp"

namespace mailferry::cli {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

std::string diagnose_mistyped(const std::vector<std::string>& arguments,
                              const CommandNames& names) {
  std::string verb;
  std::size_t first_option = 0;
  if (!arguments.empty() && !arguments.front().empty() && arguments.front().front() != '-') {
    verb = arguments.front();
    if (std::find(names.verbs.begin(), names.verbs.end(), verb) == names.verbs.end()) {
      std::string text = "unknown verb '" + verb + "'; verbs: " + joined(names.verbs);
      if (const auto best = core::closest_match(verb, names.verbs); !best.empty())
        text += " (did you mean '" + best + "'?)";
      return text;
    }
    first_option = 1;
  }
  const auto known = names.options.find(verb);
  if (known == names.options.end()) return "";
  for (std::size_t i = first_option; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (argument == "--") break;  // what follows is not an option
    if (argument.size() < 3 || argument.compare(0, 2, "--") != 0) continue;
    const std::string name = argument.substr(0, argument.find('='));
    if (std::find(known->second.begin(), known->second.end(), name) != known->second.end())
      continue;
    const std::string where = verb.empty() ? "" : " of " + verb;
    if (const auto best = core::closest_match(name, known->second); !best.empty())
      return "unknown option '" + name + "'" + where + "; did you mean " + best + "?";
    return "unknown option '" + name + "'" + where + "; see 'mailferry " +
           (verb.empty() ? "" : verb + " ") + "--help'";
  }
  if (verb.empty() && arguments.empty()) return "a verb is required; verbs: " + joined(names.verbs);
  return "";
}

}  // namespace mailferry::cli
