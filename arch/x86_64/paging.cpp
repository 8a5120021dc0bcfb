#include "arch/x86_64/paging.hpp"

#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/layout.hpp"

// Boot page tables from boot/entry.S; their link addresses are physical addresses.
extern "C" std::uint64_t boot_pml4[512];
extern "C" std::uint64_t boot_pdpt_direct[512];
extern "C" std::uint64_t boot_pd_direct[4 * 512];

namespace arch::x86 {

namespace {

constexpr std::uint64_t pte_present = 1, pte_write = 2, pte_pwt = 8, pte_pcd = 0x10, pte_large = 0x80;
constexpr std::uint64_t page_2m = 2ull << 20, page_1g = 1ull << 30;
constexpr std::uint64_t direct_map_limit = 512 * page_1g; // one PML4 entry of direct map

bool pat_write_combining = false;

/// Page directories for framebuffers above the boot direct map; each covers 1 GiB.
constexpr unsigned spare_directories = 2;
alignas(4096) std::uint64_t spare_pd[spare_directories][512];
unsigned spare_used = 0;

template <typename T>
T* table(T* boot_symbol) {
    return static_cast<T*>(direct_map_address(reinterpret_cast<std::uintptr_t>(boot_symbol)));
}

std::uint64_t kernel_image_pa(const void* va) {
    return reinterpret_cast<std::uintptr_t>(va) - kernel_vma;
}

bool overlaps_usable(std::uint64_t base, std::uint64_t end, const kernel::boot::MemoryMap& memory) {
    for (const auto& r : memory)
        if (r.type == kernel::boot::MemoryType::usable && r.base < end && base < r.end()) return true;
    return false;
}

/// The 2 MiB page-directory entry mapping direct-map address direct_map_base + pa, created if missing.
std::uint64_t* direct_map_pde(std::uint64_t pa) {
    std::uint64_t* pdpt = table(boot_pdpt_direct);
    std::uint64_t& pdpte = pdpt[pa / page_1g];
    if (!(pdpte & pte_present)) {
        if (spare_used == spare_directories) return nullptr;
        std::uint64_t* pd = spare_pd[spare_used++];
        for (unsigned i = 0; i < 512; ++i) pd[i] = 0;
        pdpte = kernel_image_pa(pd) | pte_present | pte_write;
    }
    auto* pd = static_cast<std::uint64_t*>(direct_map_address(pdpte & 0x000ffffffffff000ull));
    return &pd[(pa % page_1g) / page_2m];
}

} // namespace

void drop_identity_map() {
    table(boot_pml4)[0] = 0;
    write_cr3(read_cr3());
}

void setup_pat() {
    std::uint32_t eax = 1, ebx, ecx, edx;
    asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    if (!(edx & (1u << 16))) return;
    // Power-on PAT: WB, WT, UC-, UC, WB, WT, UC-, UC. Entry 1 (PWT alone) becomes WC (type 1); nothing uses
    // write-through.
    std::uint64_t pat = rdmsr(msr_pat);
    pat = (pat & ~(0xffull << 8)) | (0x01ull << 8);
    wrmsr(msr_pat, pat);
    pat_write_combining = true;
}

void* map_device(std::uint64_t pa, std::uint64_t size, const kernel::boot::MemoryMap& memory) {
    if (size == 0 || pa > direct_map_size || size > direct_map_size - pa) return nullptr;
    std::uint64_t first = pa & ~(page_2m - 1), end = (pa + size + page_2m - 1) & ~(page_2m - 1);
    if (overlaps_usable(first, end, memory)) return nullptr;
    for (std::uint64_t page = first; page < end; page += page_2m) {
        std::uint64_t* pde = direct_map_pde(page);
        if (!pde) return nullptr;
        *pde = page | pte_present | pte_write | pte_large | pte_pwt | pte_pcd; // PAT entry 3: uncached
    }
    write_cr3(read_cr3());
    return direct_map_address(pa);
}

void* map_framebuffer(std::uint64_t pa, std::uint64_t size, const kernel::boot::MemoryMap& memory) {
    if (size == 0 || pa > direct_map_limit || size > direct_map_limit - pa) return nullptr;
    std::uint64_t first = pa & ~(page_2m - 1), end = (pa + size + page_2m - 1) & ~(page_2m - 1);
    bool write_combine = pat_write_combining && !overlaps_usable(first, end, memory);
    for (std::uint64_t page = first; page < end; page += page_2m) {
        std::uint64_t* pde = direct_map_pde(page);
        if (!pde) return nullptr;
        *pde = page | pte_present | pte_write | pte_large | (write_combine ? pte_pwt : 0);
    }
    write_cr3(read_cr3());
    return direct_map_address(pa);
}

} // namespace arch::x86
