#include "arch/x86_64/ioapic.hpp"

#include "arch/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "kernel/lib/spinlock.hpp"

namespace arch::x86::ioapic {

namespace {

constexpr std::uint32_t reg_version = 0x01;
constexpr std::uint32_t reg_redirection = 0x10;

constexpr std::uint64_t masked_bit = 1u << 16;
constexpr std::uint64_t level_bit = 1u << 15;
constexpr std::uint64_t active_low_bit = 1u << 13;

volatile std::uint32_t* registers[max_ioapics];
/// IOREGSEL then IOWIN is two accesses: one CPU's pair must not interleave with another's.
kernel::Spinlock lock;

std::uint32_t read(unsigned index, std::uint32_t reg) {
    registers[index][0] = reg;
    return registers[index][4];
}

void write(unsigned index, std::uint32_t reg, std::uint32_t value) {
    registers[index][0] = reg;
    registers[index][4] = value;
}

} // namespace

unsigned init(unsigned index, std::uint64_t address) {
    if (index >= max_ioapics) return 0;
    registers[index] = static_cast<volatile std::uint32_t*>(map_device(address, 0x20));
    if (!registers[index]) return 0;
    IrqGuard irqs;
    kernel::SpinGuard guard(lock);
    const unsigned inputs = ((read(index, reg_version) >> 16) & 0xff) + 1;
    for (unsigned pin = 0; pin < inputs; ++pin) write(index, reg_redirection + 2 * pin, masked_bit);
    return inputs;
}

void route(unsigned index, unsigned pin, Vector vector, std::uint32_t apic_id, bool level, bool active_low) {
    IrqGuard irqs;
    kernel::SpinGuard guard(lock);
    std::uint64_t entry = masked_bit | vector | (level ? level_bit : 0) | (active_low ? active_low_bit : 0);
    entry |= std::uint64_t{apic_id & 0xff} << 56; // physical destination mode, fixed delivery (both 0)
    write(index, reg_redirection + 2 * pin + 1, static_cast<std::uint32_t>(entry >> 32));
    write(index, reg_redirection + 2 * pin, static_cast<std::uint32_t>(entry));
}

void set_masked(unsigned index, unsigned pin, bool masked) {
    IrqGuard irqs;
    kernel::SpinGuard guard(lock);
    std::uint32_t low = read(index, reg_redirection + 2 * pin);
    write(index, reg_redirection + 2 * pin,
          masked ? low | static_cast<std::uint32_t>(masked_bit)
                 : low & ~static_cast<std::uint32_t>(masked_bit));
}

} // namespace arch::x86::ioapic
