// The bitmap font of the framebuffer console: 8 x 16 pixels, one byte per row, most significant bit leftmost.
// The glyphs are converted at build time from a PSF console font shipped by a Debian package
// (tools/psf_to_cpp.py); none is drawn by hand.
#pragma once

#include <cstdint>

namespace arch::x86::font {

inline constexpr unsigned width = 8;
inline constexpr unsigned height = 16;
inline constexpr char first = 0x20; ///< glyphs exist for printable ASCII 0x20 .. 0x7e
inline constexpr char last = 0x7e;

/// Glyphs for first .. last, then one replacement glyph for everything else.
// A declaration (the definition is generated); clang-tidy 14 mistakes it for a definition.
extern const std::uint8_t glyphs[last - first + 2][height]; // NOLINT(bugprone-dynamic-static-initializers)

inline const std::uint8_t* glyph(char c) {
    return c >= first && c <= last ? glyphs[c - first] : glyphs[last - first + 1];
}

} // namespace arch::x86::font
