// Arch contract: the kernel's console (COM1 and the screen on x86-64; a capture buffer under hostsim).
#pragma once

#include <string_view>

namespace arch {

/// Write text to the console. Safe with interrupts masked; never allocates; never fails.
void console_write(std::string_view text);

} // namespace arch
