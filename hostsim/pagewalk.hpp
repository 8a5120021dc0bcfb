// An independent x86-64 page walker: what the MMU makes of raw page-table memory under 4-level paging
// (Intel SDM vol. 3A, 4.5), written from the manual and sharing no code with kernel/.
//
// Assumes CR0.PG = CR0.WP = 1, CR4.PAE = 1, CR4.PCIDE = CR4.PKE = 0, EFER.LME = EFER.NXE = 1. The walker
// checks reserved bits as the processor does and reports a reserved-bit fault instead of a translation.
// Used to check the kernel's page tables against the address-space model, and by hostsim as its MMU.
#pragma once

#include <cstdint>
#include <functional>

namespace hostsim {

/// Memory types as IA32_PAT encodes them (SDM 11.12.2); `reserved` for the encodings 2, 3 and 8..255.
enum class MemoryType : std::uint8_t {
    uc = 0,
    wc = 1,
    wt = 4,
    wp = 5,
    wb = 6,
    uc_minus = 7,
    reserved = 0xff
};

struct PagingMode {
    std::uint64_t pat = 0x0007'0406'0007'0406ull; ///< IA32_PAT; the power-on value by default
    unsigned maxphyaddr = 52;                     ///< physical address width (CPUID 80000008h EAX[7:0])
};

struct PageWalk {
    enum class Outcome : std::uint8_t { mapped, not_present, reserved_bit, non_canonical };

    Outcome outcome = Outcome::not_present;
    unsigned level = 0;          ///< 4 = PML4E .. 1 = PTE: where the walk ended
    std::uint64_t page_size = 0; ///< bytes: 4 KiB, 2 MiB or 1 GiB (mapped only)
    std::uint64_t phys = 0;      ///< the physical address the linear address translates to
    bool writable = false;       ///< R/W set at every level
    bool user = false;           ///< U/S set at every level
    bool executable = false;     ///< XD clear at every level
    bool global = false;         ///< G in the leaf
    MemoryType type = MemoryType::reserved;
};

/// Reads the 8-byte word at a physical address (8-aligned).
using PhysWordReader = std::function<std::uint64_t(std::uint64_t pa)>;

/// Translate `linear` through the hierarchy whose PML4 is at `cr3` (bits 51:12; the rest ignored).
PageWalk walk(const PhysWordReader& read, std::uint64_t cr3, std::uint64_t linear,
              const PagingMode& mode = {});

} // namespace hostsim
