// Finding init's boot modules by name: the configuration and each component's ELF (docs/init.md "What init
// does"). Pure functions over a list of modules, so the rules are tested on the host (boot_modules_test.cpp);
// main.cpp builds the list from the kernel's module table.
//
// A module's name is the first word of its command line (GRUB: the words after the file on a module2 line).
// Entry 0 is init's own module and is never a configuration or a component.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace janus::init {

inline constexpr std::size_t module_name_bytes = 64; ///< as in the kernel's module table

struct BootModule {
    const unsigned char* bytes;
    std::size_t size;
    const char* name; ///< the command line: module_name_bytes bytes at most, NUL-terminated or not
};

inline constexpr std::size_t no_module = ~std::size_t{0};

/// The first word of a command line (up to a space, tab or NUL, at most module_name_bytes bytes).
std::string_view first_word(const char* command_line);

/// What follows the last '/' (all of it if there is none).
std::string_view without_directory(std::string_view path);

/// Whether a module named `module` (a first word) is the one a configuration names `wanted`: equal, or equal
/// once the leading directory of either is dropped ("/boot/uart.elf" is "uart.elf" and the reverse).
bool module_matches(std::string_view module, std::string_view wanted);

/// The configuration: the first module (after entry 0) named `init.config` (any directory), else the first
/// whose name ends in `.config`; no_module if there is none.
std::size_t find_config_module(const BootModule* modules, std::size_t count);

/// The first module (after entry 0) that module_matches `elf`, or no_module.
std::size_t find_elf_module(const BootModule* modules, std::size_t count, std::string_view elf);

} // namespace janus::init
