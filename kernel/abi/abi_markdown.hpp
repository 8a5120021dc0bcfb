// Host-only: renders the ABI specification (abi.def) as the generated part of docs/abi.md.
#pragma once

#include <string>

namespace janus::abi {

inline constexpr const char* doc_begin_marker =
    "<!-- BEGIN GENERATED from kernel/abi/abi.def by ./janus abi-doc -->";
inline constexpr const char* doc_end_marker = "<!-- END GENERATED -->";

/// The Markdown between the markers, derived from the spec alone.
std::string render_markdown();

} // namespace janus::abi
