// Booting the real kernel with a root-task ELF on a hostsim machine, the way GRUB boots it on hardware: the
// ELF (and any further modules) go into simulated RAM as multiboot2 modules, multiboot2 information describes
// memory and the modules, CPU 0 parses it and calls kernel::start, every other CPU calls
// kernel::start_secondary, and user code runs in Unicorn (UnicornUserMode). The root task's verdict ends the
// run through arch::shutdown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/usermode/unicorn_user_mode.hpp"

namespace hostsim::usermode {

/// One boot module: its bytes and its command line (the name the root task's module table shows).
struct BootModule {
    std::vector<std::byte> bytes;
    std::string cmdline;
};

struct BootSpec {
    std::vector<std::byte> module; ///< the root task's ELF, byte for byte, as the one module "roottask"
    std::string cmdline;
    UnicornUserMode::Config user; ///< `settled` is filled in by the boot
    /// Instead of `module` (leave that empty): every boot module in boot order, the root task's ELF first
    /// (the kernel boots the first unless a later one's command line contains "roottask", docs/boot.md), say
    /// init with its components' ELFs and its configuration. Each is placed from a fresh page.
    std::vector<BootModule> modules;
};

/// Simulated RAM for a boot: what QEMU gives the bare-metal runs (hwtest/qemu_boot.py, -m 256M).
inline constexpr std::size_t boot_memory = 256u << 20;

struct BootResult {
    std::optional<arch::ExitStatus> status; ///< what the kernel stopped the machine with
    UnicornUserMode::Stats stats;
    std::string com1; ///< every byte transmitted on COM1 (hostsim/uart16550.hpp)
};

/// Boots on `m` (configured with boot_memory or more) and runs it to the kernel's verdict or the first
/// failure. Call on the host, as a scenario body does.
BootResult boot(Machine& m, const BootSpec& spec);

/// The ring-3 suite's per-test results in a console log: test name -> "pass" or "FAIL" (user/lib/test.hpp
/// prints "[pass] name" / "[FAIL] name (file:line)"). A name seen twice maps to "twice".
std::map<std::string, std::string> suite_results(const std::string& console);

/// Reads a file into bytes; empty if it cannot be read.
std::vector<std::byte> read_file(const std::string& path);

} // namespace hostsim::usermode
