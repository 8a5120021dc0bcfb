// The compact schedule string: one letter per decision (a..z: run that CPU, A..Z: drain that CPU's oldest
// buffered store), a letter repeated n > 1 times written as the letter followed by n. "a3bA" = a a a b A.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hostsim/choice.hpp"

namespace hostsim {

std::string encode_schedule(std::span<const Choice> schedule);

/// Nullopt for anything that encode_schedule cannot produce.
std::optional<std::vector<Choice>> decode_schedule(std::string_view text);

} // namespace hostsim
