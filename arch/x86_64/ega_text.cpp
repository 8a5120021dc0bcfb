#include "arch/x86_64/ega_text.hpp"

namespace arch::x86 {

void EgaText::put(unsigned column, unsigned row, char c) {
    cells_[row * columns_ + column] = static_cast<std::uint16_t>(attribute | static_cast<std::uint8_t>(c));
}

void EgaText::scroll_up() {
    for (unsigned i = 0; i < (rows_ - 1) * columns_; ++i) cells_[i] = cells_[i + columns_];
    for (unsigned i = (rows_ - 1) * columns_; i < rows_ * columns_; ++i) cells_[i] = attribute | ' ';
}

void EgaText::clear() {
    for (unsigned i = 0; i < rows_ * columns_; ++i) cells_[i] = attribute | ' ';
}

} // namespace arch::x86
