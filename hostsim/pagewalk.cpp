#include "hostsim/pagewalk.hpp"

namespace hostsim {
namespace {

constexpr std::uint64_t bit(unsigned n) {
    return std::uint64_t{1} << n;
}
// Bits lo..hi inclusive.
constexpr std::uint64_t bits(unsigned lo, unsigned hi) {
    return (hi >= 63 ? ~std::uint64_t{0} : bit(hi + 1) - 1) & ~(bit(lo) - 1);
}

// Paging-structure entry fields (SDM tables 4-15 .. 4-20).
constexpr std::uint64_t P = bit(0), RW = bit(1), US = bit(2), PWT = bit(3), PCD = bit(4), PS = bit(7),
                        G = bit(8);
constexpr std::uint64_t XD = bit(63);

MemoryType type_from_pat(std::uint64_t pat, unsigned index) {
    switch ((pat >> (8 * index)) & 0xff) {
    case 0:
        return MemoryType::uc;
    case 1:
        return MemoryType::wc;
    case 4:
        return MemoryType::wt;
    case 5:
        return MemoryType::wp;
    case 6:
        return MemoryType::wb;
    case 7:
        return MemoryType::uc_minus;
    default:
        return MemoryType::reserved;
    }
}

} // namespace

PageWalk walk(const PhysWordReader& read, std::uint64_t cr3, std::uint64_t linear, const PagingMode& mode) {
    PageWalk w;
    // Linear addresses are 48 bits, sign-extended (SDM 3.3.7.1).
    const std::uint64_t upper = linear >> 47;
    if (upper != 0 && upper != 0x1ffff) {
        w.outcome = PageWalk::Outcome::non_canonical;
        return w;
    }
    // Bits at or above MAXPHYADDR in an entry's address field are reserved; bits 62:52 are ignored.
    const std::uint64_t reserved_high = mode.maxphyaddr >= 52 ? 0 : bits(mode.maxphyaddr, 51);
    std::uint64_t table = cr3 & bits(12, 51);
    bool writable = true, user = true, executable = true;

    for (unsigned level = 4; level >= 1; --level) {
        const unsigned shift = 12 + 9 * (level - 1);
        const std::uint64_t index = (linear >> shift) & 0x1ff;
        const std::uint64_t e = read(table + 8 * index);
        w.level = level;
        if (!(e & P)) {
            w.outcome = PageWalk::Outcome::not_present;
            return w;
        }
        std::uint64_t reserved = reserved_high;
        const bool leaf = level == 1 || (level <= 3 && (e & PS));
        if (level == 4) reserved |= PS;                   // PML4E bit 7 is reserved
        if (leaf && level == 3) reserved |= bits(13, 29); // 1-GByte page: address bits 29:13 must be 0
        if (leaf && level == 2) reserved |= bits(13, 20); // 2-MByte page: address bits 20:13 must be 0
        if (e & reserved) {
            w.outcome = PageWalk::Outcome::reserved_bit;
            return w;
        }
        writable = writable && (e & RW);
        user = user && (e & US);
        executable = executable && !(e & XD);
        if (!leaf) {
            table = e & bits(12, 51);
            continue;
        }
        w.outcome = PageWalk::Outcome::mapped;
        w.page_size = bit(shift);
        w.phys = (e & bits(shift, 51)) | (linear & (bit(shift) - 1));
        w.writable = writable;
        w.user = user;
        w.executable = executable;
        w.global = e & G;
        // PAT index = PAT:PCD:PWT; the PAT bit is bit 7 in a PTE and bit 12 in a large-page entry.
        const bool pat_bit = level == 1 ? (e & bit(7)) : (e & bit(12));
        const unsigned pat_index = (pat_bit ? 4 : 0) | ((e & PCD) ? 2 : 0) | ((e & PWT) ? 1 : 0);
        w.type = type_from_pat(mode.pat, pat_index);
        return w;
    }
    return w; // not reached: level 1 is always a leaf
}

} // namespace hostsim
