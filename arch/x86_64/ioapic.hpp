// I/O APICs (Intel 82093AA data sheet; the register set every later I/O APIC keeps): memory-mapped through an
// index register (IOREGSEL, offset 0) and a data window (IOWIN, offset 0x10). Register 1 is the version,
// whose bits 16-23 give the highest redirection entry; entry n is registers 0x10 + 2n (low) and 0x11 + 2n
// (high).
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"

namespace arch::x86::ioapic {

inline constexpr unsigned max_ioapics = 16;

/// Map I/O APIC `index`'s registers at physical `address`, mask every input; returns its number of inputs
/// (redirection entries), 0 if the registers cannot be mapped.
unsigned init(unsigned index, std::uint64_t address);

/// Route input `pin` of I/O APIC `index` to `vector` on the CPU with APIC ID `apic_id` (fixed delivery,
/// physical destination), with this trigger and polarity, masked.
void route(unsigned index, unsigned pin, Vector vector, std::uint32_t apic_id, bool level, bool active_low);

void set_masked(unsigned index, unsigned pin, bool masked);

} // namespace arch::x86::ioapic
