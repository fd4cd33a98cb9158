// "Did you mean ...?" for a mistyped name: a job-file key, an option, a verb.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::core {

// Levenshtein distance: single-character insertions, deletions, substitutions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be the one
// meant (fewer than 4 edits, and fewer than the word's length, so that "x"
// suggests nothing); empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mailferry::core
