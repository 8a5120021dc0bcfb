// A screen of character cells. The terminal logic (cursor, wrapping, scrolling) lives in screen.cpp; a grid
// only draws cells. Implemented by EGA text memory and by a pixel framebuffer with a bitmap font.
#pragma once

namespace arch::x86 {

class TextGrid {
public:
    virtual unsigned columns() const = 0;
    virtual unsigned rows() const = 0;
    /// Draw `c` at (column, row). Preconditions: column < columns(), row < rows().
    virtual void put(unsigned column, unsigned row, char c) = 0;
    /// Move every row up by one and blank the last row.
    virtual void scroll_up() = 0;

protected:
    ~TextGrid() = default;
};

} // namespace arch::x86
