// The root task's boot module: which module it is, and its validation as an ELF executable.
//
// Boot modules are untrusted input like the rest of the boot information. The module's bytes are read only
// through the PhysReader (which refuses ranges outside readable memory) and only after parse_elf accepted
// them; a module that fails is reported as "boot module <name> rejected: <reason>" and the boot stops with
// the panic status, exactly like rejected boot information.
#pragma once

#include <cstddef>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/loader/elf.hpp"

namespace kernel {

/// The module that holds the root task: the first whose command line contains "roottask", else the first
/// module; nullptr if there is none.
const boot::Module* find_root_module(const boot::BootInfo& info);

/// A validated root-task image: its bytes (readable for as long as the module's frames stay reserved) and
/// what parse_elf made of them.
struct RootImage {
    const std::byte* bytes = nullptr;
    std::size_t size = 0;
    loader::ElfImage elf;
};

/// Reads and validates `module`; on failure prints why (naming the module) and returns false.
bool load_root_module(const boot::Module& module, boot::PhysReader& reader, RootImage& out);

/// "boot module \"<command line>\"", or "boot module at 0x<base>" when it has no command line.
void put_module(Sink& s, const boot::Module& module);

} // namespace kernel
