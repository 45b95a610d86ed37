// "Did you mean ...?": the closest known name by edit distance, for error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tsr {

// The candidate closest to `name` (Damerau-free Levenshtein distance, case-insensitive ties
// counted as one edit), or "" when none is close enough to be a plausible typo.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace tsr
