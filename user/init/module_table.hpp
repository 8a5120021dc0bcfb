// The kernel's table of boot modules in the root task's address space (janus::abi::root_mem::module_table,
// docs/abi.md "At boot"), as init's list of BootModules. Entry 0 is init's own module.
#pragma once

#include <cstddef>

#include "kernel/abi/abi.hpp"
#include "user/init/boot_modules.hpp"

namespace janus::init {

/// Copies up to `capacity` entries of the kernel's module table into `out`; returns how many.
inline std::size_t read_module_table(BootModule* out, std::size_t capacity) {
    const auto& table = *reinterpret_cast<const abi::ModuleTable*>(abi::root_mem::module_table);
    static_assert(sizeof table.entries[0].name == module_name_bytes,
                  "names as long as boot_modules.hpp says");
    std::size_t count = table.count;
    const std::size_t entries = sizeof table.entries / sizeof table.entries[0];
    if (count > entries) count = entries;
    if (count > capacity) count = capacity;
    for (std::size_t i = 0; i < count; ++i)
        out[i] = {reinterpret_cast<const unsigned char*>(table.entries[i].address),
                  static_cast<std::size_t>(table.entries[i].size), table.entries[i].name};
    return count;
}

} // namespace janus::init
