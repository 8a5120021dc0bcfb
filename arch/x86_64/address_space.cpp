#include "arch/x86_64/address_space.hpp"

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86 {

namespace {
PhysAddr kernel_top_table = 0;
} // namespace

PhysAddr kernel_root() {
    return kernel_top_table;
}

void set_kernel_root(PhysAddr root) {
    kernel_top_table = root & cr3_address;
    load_kernel_address_space(this_cpu());
}

} // namespace arch::x86

namespace arch {

void prepare_user_top_table(PhysAddr top_table) {
    // The kernel half (slots 256..511) is shared by reference: the lower-level tables below those slots are
    // the kernel's own, so later kernel mappings inside existing slots appear in every address space.
    constexpr unsigned first_kernel_slot = 256, slots = 512;
    auto* kernel_top = static_cast<const std::uint64_t*>(phys_to_virt(x86::kernel_root()));
    auto* user_top = static_cast<std::uint64_t*>(phys_to_virt(top_table & x86::cr3_address));
    for (unsigned i = first_kernel_slot; i < slots; ++i) user_top[i] = kernel_top[i];
}

} // namespace arch

namespace arch::x86 {

void load_address_space(CpuLocal& cpu, const AddressSpaceRoot& space) {
    if (cpu.loaded_root != space.top_table) {
        write_cr3(space.top_table & cr3_address);
        cpu.loaded_root = space.top_table;
    }
    cpu.loaded_asid = space.asid;
}

void load_kernel_address_space(CpuLocal& cpu) {
    write_cr3(kernel_top_table);
    cpu.loaded_root = kernel_top_table;
    cpu.loaded_asid = 0;
}

} // namespace arch::x86
