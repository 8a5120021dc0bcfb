#include "arch/x86_64/framebuffer_text.hpp"

#include <cstddef>

#include "arch/x86_64/console_font.hpp"

namespace arch::x86 {

namespace {

char shadow_storage[FramebufferText::max_rows][FramebufferText::max_columns];

} // namespace

std::uint32_t FramebufferText::channel(std::uint8_t intensity, std::uint8_t shift, std::uint8_t bits) {
    if (bits == 0 || bits > 8 || shift >= 32) return 0;
    std::uint32_t max = (1u << bits) - 1;
    return (intensity * max / 255) << shift;
}

void FramebufferText::attach(volatile std::uint8_t* pixels, std::uint32_t pitch, std::uint32_t width,
                             std::uint32_t height, PixelFormat format) {
    pixels_ = pixels;
    shadow_ = shadow_storage;
    pitch_ = pitch;
    format_ = format;
    columns_ = width / font::width < max_columns ? width / font::width : max_columns;
    rows_ = height / font::height < max_rows ? height / font::height : max_rows;
    constexpr std::uint8_t grey = 0xc0; // the same light grey on black as the EGA console
    foreground_ = channel(grey, format.red_shift, format.red_bits) |
                  channel(grey, format.green_shift, format.green_bits) |
                  channel(grey, format.blue_shift, format.blue_bits);
    background_ = 0;
    clear();
}

void FramebufferText::store_pixel(volatile std::uint8_t* at, std::uint32_t value) const {
    switch (format_.bytes_per_pixel) {
    case 4:
        *reinterpret_cast<volatile std::uint32_t*>(at) = value;
        break;
    case 2:
        *reinterpret_cast<volatile std::uint16_t*>(at) = static_cast<std::uint16_t>(value);
        break;
    default:
        for (unsigned i = 0; i < format_.bytes_per_pixel; ++i)
            at[i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

void FramebufferText::draw(unsigned column, unsigned row, char c) {
    const std::uint8_t* bitmap = font::glyph(c);
    for (unsigned y = 0; y < font::height; ++y) {
        std::size_t pixel_y = std::size_t{row} * font::height + y;
        volatile std::uint8_t* line =
            pixels_ + pixel_y * pitch_ + std::size_t{column} * font::width * format_.bytes_per_pixel;
        for (unsigned x = 0; x < font::width; ++x) {
            bool on = bitmap[y] & (0x80u >> x);
            store_pixel(line + std::size_t{x} * format_.bytes_per_pixel, on ? foreground_ : background_);
        }
    }
}

void FramebufferText::put(unsigned column, unsigned row, char c) {
    if (shadow_[row][column] == c) return;
    shadow_[row][column] = c;
    draw(column, row, c);
}

void FramebufferText::scroll_up() {
    for (unsigned row = 0; row + 1 < rows_; ++row)
        for (unsigned column = 0; column < columns_; ++column) put(column, row, shadow_[row + 1][column]);
    for (unsigned column = 0; column < columns_; ++column) put(column, rows_ - 1, ' ');
}

void FramebufferText::clear() {
    for (unsigned row = 0; row < rows_; ++row) {
        for (unsigned column = 0; column < columns_; ++column) {
            shadow_[row][column] = ' ';
            draw(column, row, ' ');
        }
    }
}

} // namespace arch::x86
