// The screen half of the console. Until the boot information says which screen exists, output is kept in an
// early log; attach() picks the screen and replays that log on it, so the banner appears on every console.
#pragma once

#include <cstddef>

#include "kernel/boot/bootinfo.hpp"

namespace arch::x86::screen {

void write(const char* text, std::size_t length);

/// Choose the screen: the loader's RGB framebuffer, else its EGA text buffer, else EGA text at 0xb8000
/// (BIOS machines and PVH guests). `info` is null when the boot information was rejected.
void attach(const kernel::boot::BootInfo* info);

} // namespace arch::x86::screen
