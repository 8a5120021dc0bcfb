// The test machine's device memory (test_machine.hpp) installed into a kernel through the boot path's own
// function, as kernel::start does on a machine: what every TestKernel and the syscall fuzzer's sandbox boot
// with.
#pragma once

#include <iterator>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/device_memory.hpp"
#include "kernel/syscall/testing/test_machine.hpp"

namespace kernel::testing {

inline void boot_test_machine_device_memory(Kernel& kernel) {
    static const boot::BootInfo info = [] {
        boot::BootInfo i;
        for (const machine::Range& r : machine::memory_map)
            i.memory.regions[i.memory.count++] = {r.base, r.end - r.base,
                                                  static_cast<boot::MemoryType>(r.type)};
        return i;
    }();
    mem::PhysRange owned[std::size(machine::kernel_owned)];
    for (std::size_t i = 0; i < std::size(owned); ++i)
        owned[i] = {machine::kernel_owned[i].base, machine::kernel_owned[i].end};
    device_memory_from_boot(kernel.device_memory, info, owned);
}

} // namespace kernel::testing
