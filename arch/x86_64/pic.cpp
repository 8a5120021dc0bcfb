#include "arch/x86_64/pic.hpp"

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86 {

void disable_legacy_pic() {
    constexpr std::uint16_t master_cmd = 0x20, master_data = 0x21, slave_cmd = 0xa0, slave_data = 0xa1;
    outb(master_cmd, 0x11); // ICW1: initialise, ICW4 follows
    outb(slave_cmd, 0x11);
    outb(master_data, 32); // ICW2: vector base
    outb(slave_data, 40);
    outb(master_data, 4); // ICW3: slave on line 2
    outb(slave_data, 2);
    outb(master_data, 1); // ICW4: 8086 mode
    outb(slave_data, 1);
    outb(master_data, 0xff); // mask everything
    outb(slave_data, 0xff);
}

} // namespace arch::x86
