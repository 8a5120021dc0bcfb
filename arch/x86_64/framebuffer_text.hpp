// Text on a linear RGB framebuffer (UEFI GOP via multiboot2, or a VBE mode): 8 x 16 glyphs from
// console_font.hpp. A shadow copy of the characters lets scrolling redraw only the cells that change,
// instead of reading back the (write-combined, slow to read) framebuffer.
#pragma once

#include <cstdint>

#include "arch/x86_64/text_grid.hpp"

namespace arch::x86 {

struct PixelFormat {
    std::uint8_t bytes_per_pixel; ///< 2, 3 or 4
    std::uint8_t red_shift, red_bits, green_shift, green_bits, blue_shift, blue_bits;
};

class FramebufferText final : public TextGrid {
public:
    static constexpr unsigned max_columns = 480, max_rows = 160; ///< 3840 x 2560 pixels

    /// `pixels` is the virtual address of pixel (0, 0); `pitch` is bytes per scan line.
    void attach(volatile std::uint8_t* pixels, std::uint32_t pitch, std::uint32_t width, std::uint32_t height,
                PixelFormat format);

    unsigned columns() const override { return columns_; }
    unsigned rows() const override { return rows_; }
    void put(unsigned column, unsigned row, char c) override;
    void scroll_up() override;
    void clear();

private:
    void draw(unsigned column, unsigned row, char c);
    void store_pixel(volatile std::uint8_t* at, std::uint32_t value) const;
    static std::uint32_t channel(std::uint8_t intensity, std::uint8_t shift, std::uint8_t bits);

    volatile std::uint8_t* pixels_ = nullptr;
    std::uint32_t pitch_ = 0;
    PixelFormat format_{};
    std::uint32_t foreground_ = 0, background_ = 0;
    unsigned columns_ = 0, rows_ = 0;
    char (*shadow_)[max_columns] = nullptr; ///< [max_rows][max_columns], in .bss (not in this object, which
                                            ///< has a vtable pointer and so lives in .data)
};

} // namespace arch::x86
