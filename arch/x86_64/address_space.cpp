#include "arch/x86_64/address_space.hpp"

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86 {

namespace {

constexpr std::uint64_t cr3_address = 0x000f'ffff'ffff'f000ull;
PhysAddr kernel_top_table = 0;

} // namespace

PhysAddr kernel_root() {
    return kernel_top_table;
}

void set_kernel_root(PhysAddr root) {
    kernel_top_table = root & cr3_address;
    load_kernel_address_space(this_cpu());
}

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
