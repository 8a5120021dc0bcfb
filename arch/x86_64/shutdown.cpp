// arch::shutdown on x86-64: report the status through QEMU's isa-debug-exit device (port 0xf4, which makes
// QEMU exit with status (value << 1) | 1), then halt for good. On real hardware the port write is ignored and
// the machine stays halted with the last message on screen.
#include "arch/cpu.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/serial.hpp"

namespace arch {

void shutdown(ExitStatus status) {
    asm volatile("cli");
    x86::serial::flush();
    constexpr std::uint16_t debug_exit_port = 0xf4;
    x86::outl(debug_exit_port, static_cast<std::uint32_t>(status));
    x86::halt_forever();
}

} // namespace arch
