// COM1, the kernel's first console: 115200 baud, 8 data bits, no parity, 1 stop bit, polled.
#pragma once

#include <cstddef>

namespace arch::x86::serial {

/// Program COM1. If no UART answers (loopback test fails), output is dropped instead of spinning on it.
void init();

/// Write text, turning "\n" into "\r\n" for terminals.
void write(const char* text, std::size_t length);

/// Wait until every written byte has left the UART (before powering off).
void flush();

} // namespace arch::x86::serial
