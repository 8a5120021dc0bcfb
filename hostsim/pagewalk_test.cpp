// The independent walker against page-table entries built by hand from the Intel SDM (vol. 3A, 4.5): entry
// formats in tables 4-15 to 4-20, memory types from the PAT in 11.12.3.
#include <gtest/gtest.h>
#include <map>

#include "hostsim/pagewalk.hpp"

namespace {

using hostsim::MemoryType;
using hostsim::PageWalk;

// Sparse physical memory, one 64-bit word per address.
struct Memory {
    std::map<std::uint64_t, std::uint64_t> words;
    void set(std::uint64_t table, unsigned index, std::uint64_t entry) {
        words[table + 8ull * index] = entry;
    }
    hostsim::PhysWordReader reader() const {
        return [this](std::uint64_t pa) {
            auto it = words.find(pa);
            return it == words.end() ? 0 : it->second;
        };
    }
};

constexpr std::uint64_t P = 1, RW = 2, US = 4, PWT = 8, PCD = 16, PS = 128, G = 256, XD = 1ull << 63;
constexpr std::uint64_t pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000;

// va 0x0000'0040'0060'3123: PML4 index 0, PDPT index 1, PD index 3, PT index 3, offset 0x123.
constexpr std::uint64_t va = (1ull << 30) | (3ull << 21) | (3ull << 12) | 0x123;

Memory four_level(std::uint64_t pte) {
    Memory m;
    m.set(pml4, 0, pdpt | P | RW | US);
    m.set(pdpt, 1, pd | P | RW | US);
    m.set(pd, 3, pt | P | RW | US);
    m.set(pt, 3, pte);
    return m;
}

TEST(PageWalk, FourKilobytePageTranslatesWithOffset) {
    Memory m = four_level(0xabcd'e000 | P | RW);
    PageWalk w = hostsim::walk(m.reader(), pml4, va);
    ASSERT_EQ(w.outcome, PageWalk::Outcome::mapped);
    EXPECT_EQ(w.phys, 0xabcd'e123u);
    EXPECT_EQ(w.page_size, 4096u);
    EXPECT_EQ(w.level, 1u);
    EXPECT_TRUE(w.writable);
    EXPECT_FALSE(w.user); // the leaf's U/S is clear
    EXPECT_TRUE(w.executable);
    EXPECT_EQ(w.type, MemoryType::wb); // PAT index 0 of the power-on PAT
}

TEST(PageWalk, RightsAreTheAndOfAllLevelsAndXdOfAny) {
    Memory m = four_level(0x5000 | P | RW | US);
    m.set(pdpt, 1, pd | P | US | XD); // read-only and no-execute one level up
    PageWalk w = hostsim::walk(m.reader(), pml4, va);
    ASSERT_EQ(w.outcome, PageWalk::Outcome::mapped);
    EXPECT_FALSE(w.writable);
    EXPECT_TRUE(w.user);
    EXPECT_FALSE(w.executable);
}

TEST(PageWalk, LargePagesUseTheirOwnAddressFieldsAndPatBit12) {
    Memory m;
    m.set(pml4, 0, pdpt | P | RW | US);
    m.set(pdpt, 1, pd | P | RW | US);
    m.set(pd, 3, 0x4060'0000 | P | PS | G | (1ull << 12)); // 2 MiB page at 0x40600000, PAT bit set
    PageWalk w = hostsim::walk(m.reader(), pml4, va);
    ASSERT_EQ(w.outcome, PageWalk::Outcome::mapped);
    EXPECT_EQ(w.page_size, 2u << 20);
    EXPECT_EQ(w.phys, 0x4060'0000u + (va & 0x1f'ffff));
    EXPECT_TRUE(w.global);
    EXPECT_EQ(w.type, MemoryType::wb); // PAT index 4 of the power-on PAT is WB again

    m.set(pdpt, 1, 0x8000'0000 | P | PS | PCD | PWT); // 1 GiB page: index 3 = UC
    w = hostsim::walk(m.reader(), pml4, va);
    ASSERT_EQ(w.outcome, PageWalk::Outcome::mapped);
    EXPECT_EQ(w.page_size, 1u << 30);
    EXPECT_EQ(w.phys, 0x8000'0000u + (va & 0x3fff'ffff));
    EXPECT_EQ(w.type, MemoryType::uc);
}

TEST(PageWalk, ReservedBitsFault) {
    Memory m = four_level(0x5000 | P);
    m.set(pml4, 0, pdpt | P | PS); // PS is reserved in a PML4E
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, va).outcome, PageWalk::Outcome::reserved_bit);

    m = four_level(0x5000 | P);
    m.set(pd, 3, 0x4060'0000 | P | PS | (1ull << 13)); // 2 MiB page with address bit 13 set
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, va).outcome, PageWalk::Outcome::reserved_bit);

    m = four_level((1ull << 40) | P);
    hostsim::PagingMode narrow;
    narrow.maxphyaddr = 39;
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, va, narrow).outcome, PageWalk::Outcome::reserved_bit);
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, va).outcome, PageWalk::Outcome::mapped);
}

TEST(PageWalk, NotPresentAndNonCanonical) {
    Memory m = four_level(0x5000 | RW); // P clear
    PageWalk w = hostsim::walk(m.reader(), pml4, va);
    EXPECT_EQ(w.outcome, PageWalk::Outcome::not_present);
    EXPECT_EQ(w.level, 1u);
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, 0x0000'8000'0000'0000).outcome,
              PageWalk::Outcome::non_canonical);
    EXPECT_EQ(hostsim::walk(m.reader(), pml4, 0xffff'8000'0000'0000).outcome, PageWalk::Outcome::not_present);
}

TEST(PageWalk, MemoryTypeComesFromTheProgrammedPat) {
    // PA0 WB, PA1 WC, PA2 UC-, PA3 UC, PA4 WT, PA5 WP, PA6 UC, PA7 UC- (type codes from SDM table 11-10).
    hostsim::PagingMode mode;
    mode.pat = 0x07'00'05'04'00'07'01'06ull;
    const std::pair<std::uint64_t, MemoryType> cases[] = {
        {0, MemoryType::wb},         {PWT, MemoryType::wc},
        {PCD, MemoryType::uc_minus}, {PCD | PWT, MemoryType::uc},
        {PS, MemoryType::wt},        {PS | PWT, MemoryType::wp},
        {PS | PCD, MemoryType::uc},  {PS | PCD | PWT, MemoryType::uc_minus},
    };
    for (auto [bits, type] : cases) {
        Memory m = four_level(0x5000 | P | bits); // in a PTE, bit 7 is the PAT bit
        EXPECT_EQ(hostsim::walk(m.reader(), pml4, va, mode).type, type) << "bits " << bits;
    }
}

} // namespace
