#include "arch/x86_64/pic.hpp"

#include "arch/irq_lines.hpp"
#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86::pic {

namespace {

constexpr std::uint16_t master_cmd = 0x20, master_data = 0x21, slave_cmd = 0xa0, slave_data = 0xa1;
constexpr std::uint8_t ocw2_eoi = 0x20;
constexpr std::uint8_t ocw3_read_isr = 0x0b;

/// The two IMRs as one word (bit L: line L masked); written only through write_masks().
std::uint16_t masks = 0xffff;

void write_masks() {
    outb(master_data, static_cast<std::uint8_t>(masks));
    outb(slave_data, static_cast<std::uint8_t>(masks >> 8));
}

} // namespace

void init() {
    outb(master_cmd, 0x11); // ICW1: initialise, edge-triggered, cascade, ICW4 follows
    outb(slave_cmd, 0x11);
    outb(master_data, irq_line_vector_base); // ICW2: vector base
    outb(slave_data, irq_line_vector_base + 8);
    outb(master_data, 1 << cascade_line); // ICW3: slave on input 2
    outb(slave_data, cascade_line);       // ICW3: the slave's cascade identity
    outb(master_data, 1);                 // ICW4: 8086 mode, normal EOI
    outb(slave_data, 1);
    masks = 0xffff;
    write_masks();
}

bool set_masked(unsigned line, bool masked) {
    if (line < lines && line != cascade_line) {
        const auto bit = static_cast<std::uint16_t>(1u << line);
        masks = masked ? masks | bit : masks & ~bit;
        // The cascade is open exactly while some slave line is.
        const auto cascade = static_cast<std::uint16_t>(1u << cascade_line);
        masks = (masks & 0xff00) != 0xff00 ? masks & ~cascade : masks | cascade;
        write_masks();
    }
    return masks != 0xffff;
}

bool in_service(unsigned line) {
    if (line >= lines) return false;
    const std::uint16_t port = line < 8 ? master_cmd : slave_cmd;
    outb(port, ocw3_read_isr);
    return (inb(port) >> (line % 8)) & 1;
}

void eoi(unsigned line) {
    if (line >= 8) outb(slave_cmd, ocw2_eoi);
    outb(master_cmd, ocw2_eoi);
}

void eoi_master_cascade() {
    outb(master_cmd, ocw2_eoi);
}

} // namespace arch::x86::pic
