// EGA/VGA text mode: 16-bit cells (character, attribute) at physical 0xb8000 under BIOS, 80 x 25.
#pragma once

#include <cstdint>

#include "arch/x86_64/text_grid.hpp"

namespace arch::x86 {

class EgaText final : public TextGrid {
public:
    EgaText() = default;
    EgaText(volatile std::uint16_t* cells, unsigned columns, unsigned rows)
        : cells_(cells), columns_(columns), rows_(rows) {}

    unsigned columns() const override { return columns_; }
    unsigned rows() const override { return rows_; }
    void put(unsigned column, unsigned row, char c) override;
    void scroll_up() override;
    void clear();

private:
    static constexpr std::uint16_t attribute = 0x0700; // light grey on black

    volatile std::uint16_t* cells_ = nullptr;
    unsigned columns_ = 0, rows_ = 0;
};

} // namespace arch::x86
