#include "arch/x86_64/screen.hpp"

#include "arch/phys.hpp"
#include "arch/x86_64/ega_text.hpp"
#include "arch/x86_64/framebuffer_text.hpp"
#include "arch/x86_64/paging.hpp"
#include "kernel/lib/print.hpp"

namespace arch::x86::screen {

namespace {

using kernel::boot::Framebuffer;

constexpr std::uint64_t legacy_ega_pa = 0xb8000;
constexpr std::size_t early_log_capacity = 8192;

char early_log[early_log_capacity];
std::size_t early_log_size = 0;

EgaText ega;
FramebufferText framebuffer;
TextGrid* grid = nullptr;
unsigned column = 0, row = 0;

void newline() {
    column = 0;
    if (row + 1 < grid->rows()) {
        ++row;
    } else {
        grid->scroll_up();
    }
}

void put(char c) {
    if (c == '\n') return newline();
    if (c == '\r') {
        column = 0;
        return;
    }
    if (column == grid->columns()) newline();
    grid->put(column++, row, c);
}

bool attach_ega(std::uint64_t pa, std::uint32_t columns, std::uint32_t rows) {
    if (columns == 0 || rows == 0 || columns > 256 || rows > 256) return false;
    if (!phys_accessible(pa, std::size_t{columns} * rows * 2)) return false;
    ega = EgaText(static_cast<volatile std::uint16_t*>(phys_to_virt(pa)), columns, rows);
    ega.clear();
    grid = &ega;
    return true;
}

bool attach_framebuffer(const Framebuffer& fb) {
    if (fb.bpp != 16 && fb.bpp != 24 && fb.bpp != 32) return false;
    std::uint8_t bytes = fb.bpp / 8;
    if (fb.width < 8 || fb.height < 16 || fb.pitch / bytes < fb.width) return false;
    std::uint64_t size = std::uint64_t{fb.pitch} * fb.height;
    void* pixels = map_framebuffer(fb.address, size);
    if (!pixels) return false;
    framebuffer.attach(
        static_cast<volatile std::uint8_t*>(pixels), fb.pitch, fb.width, fb.height,
        {bytes, fb.red_shift, fb.red_bits, fb.green_shift, fb.green_bits, fb.blue_shift, fb.blue_bits});
    grid = &framebuffer;
    return true;
}

} // namespace

void write(const char* text, std::size_t length) {
    if (!grid) {
        for (std::size_t i = 0; i < length && early_log_size < early_log_capacity; ++i)
            early_log[early_log_size++] = text[i];
        return;
    }
    for (std::size_t i = 0; i < length; ++i) put(text[i]);
}

void attach(const kernel::boot::BootInfo* info) {
    if (info) {
        const Framebuffer& fb = info->framebuffer;
        bool usable = false;
        if (fb.kind == Framebuffer::Kind::rgb) {
            usable = attach_framebuffer(fb);
        } else if (fb.kind == Framebuffer::Kind::ega_text) {
            usable = attach_ega(fb.address, fb.width, fb.height);
        }
        if (!usable && fb.kind != Framebuffer::Kind::none) {
            kernel::println("console: unusable framebuffer from the loader (kind ",
                            static_cast<unsigned>(fb.kind), ", ", fb.bpp, " bpp at ", kernel::hex(fb.address),
                            "); trying EGA text");
        }
    }
    if (!grid) attach_ega(legacy_ega_pa, 80, 25);
    if (!grid) return;
    // Replay what was printed before a screen existed, then name the screen on every console.
    for (std::size_t i = 0; i < early_log_size; ++i) put(early_log[i]);
    early_log_size = 0;
    if (grid == &framebuffer && info) {
        const Framebuffer& fb = info->framebuffer;
        kernel::println("console: COM1 and framebuffer ", fb.width, "x", fb.height, "x", fb.bpp, " at ",
                        kernel::hex(fb.address), " (", grid->columns(), "x", grid->rows(), " characters)");
    } else {
        kernel::println("console: COM1 and EGA text ", grid->columns(), "x", grid->rows());
    }
}

} // namespace arch::x86::screen
