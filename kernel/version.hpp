// Version and build identity, printed in the boot banner.
#pragma once

namespace kernel {

/// Semantic version of the kernel, from the top-level CMake project().
inline constexpr const char* version = JANUS_VERSION;

/// First 16 hex digits of a SHA-256 over the kernel and arch sources and the compile flags
/// (cmake/BuildId.cmake).
extern const char build_id[];

} // namespace kernel
