// Arch contract: the kernel's console (COM1 and the screen on x86-64; a capture buffer under hostsim).
#pragma once

#include <cstddef>

namespace arch {

/// Write `length` bytes of text to the console. Safe with interrupts masked; never allocates; never fails.
void console_write(const char* text, std::size_t length);

} // namespace arch
