// arch/io_ports.hpp on x86-64: each CPU's TSS carries an I/O permission bitmap (gdt.hpp IoBitmap) that ring
// 3's in/out/ins/outs are checked against (IOPL is always 0 for ring 3, user.cpp). The map is switched on and
// off through TSS.iomap_base, which the CPU reads at every port access, so selecting a set that is already
// built costs one store and key 0 another. Building a set first restores the bytes the previous set cleared
// (the dirty range), so a small set never costs a write of the whole 8 KiB.
#include "arch/io_ports.hpp"

#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/tlb_shootdown.hpp"

namespace arch {

namespace x86 {

void io_drop_local() {
    CpuLocal& cpu = this_cpu();
    cpu.tss.iomap_base = iomap_off;
    cpu.io_key = 0;
}

} // namespace x86

bool io_select(IoKey key) {
    x86::CpuLocal& cpu = x86::this_cpu();
    if (key == 0) {
        cpu.tss.iomap_base = x86::iomap_off;
        return true;
    }
    if (cpu.io_key != key) return false;
    cpu.tss.iomap_base = x86::iomap_on;
    return true;
}

void io_load(IoKey key) {
    x86::CpuLocal& cpu = x86::this_cpu();
    for (std::uint32_t i = cpu.io_dirty_first; i < cpu.io_dirty_end; ++i) cpu.io_bitmap.bits[i] = 0xff;
    cpu.io_dirty_first = cpu.io_dirty_end = 0;
    cpu.io_key = key;
    cpu.tss.iomap_base = x86::iomap_on;
}

void io_allow(std::uint32_t first, std::uint32_t count) {
    x86::CpuLocal& cpu = x86::this_cpu();
    if (count == 0 || first >= io_port_count) return;
    if (count > io_port_count - first) count = io_port_count - first;
    const std::uint32_t end = first + count;
    for (std::uint32_t port = first; port < end; ++port)
        cpu.io_bitmap.bits[port / 8] &= static_cast<std::uint8_t>(~(1u << (port % 8)));
    const std::uint32_t first_byte = first / 8, end_byte = (end + 7) / 8;
    if (cpu.io_dirty_first == cpu.io_dirty_end) {
        cpu.io_dirty_first = first_byte;
        cpu.io_dirty_end = end_byte;
    } else {
        if (first_byte < cpu.io_dirty_first) cpu.io_dirty_first = first_byte;
        if (end_byte > cpu.io_dirty_end) cpu.io_dirty_end = end_byte;
    }
}

} // namespace arch
