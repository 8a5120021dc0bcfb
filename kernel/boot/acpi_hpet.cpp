// HPET description table ("HPET", IA-PC HPET specification 1.0a, 3.2.4, table 3). Offsets used:
//   36 event timer block ID u32 | 40 base address, a generic address structure (0 address space u8, which
//   must be 0 = system memory | 4 address u64) | 52 HPET number u8 | 53 main counter minimum clock tick in
//   periodic mode u16 | 55 page protection u8.  56 bytes in all.
// The first good HPET table describes the first HPET; one in I/O space or at address 0 is a Problem.
#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi::detail {

namespace {

constexpr std::size_t hpet_length = 56, base_address = 40, min_tick = 53;
constexpr std::uint8_t space_system_memory = 0;

} // namespace

bool parse_hpet(Parse& p, const ByteView& t) {
    Hpet& hpet = p.out.hpet;
    hpet = Hpet{};
    if (t.size() < hpet_length) {
        p.problem("HPET", t.pa(), "table too short", t.size());
        return false;
    }
    std::uint8_t space = 0;
    std::uint64_t address = 0;
    std::uint16_t tick = 0;
    t.read(base_address, space);
    t.read(base_address + 4, address);
    t.read(min_tick, tick);
    if (space != space_system_memory) {
        p.problem("HPET", t.pa_at(base_address), "base address not in system memory", space);
        return false;
    }
    if (address == 0) {
        p.problem("HPET", t.pa_at(base_address + 4), "base address 0", 0);
        return false;
    }
    hpet = Hpet{true, address, tick};
    return true;
}

} // namespace kernel::boot::acpi::detail
