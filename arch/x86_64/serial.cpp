// 16550 UART registers (offsets from the base port): 0 data / divisor low, 1 interrupt enable / divisor high,
// 2 FIFO control, 3 line control (bit 7 = divisor latch access), 4 modem control, 5 line status
// (bit 5 = transmit holding register empty, bit 6 = transmitter idle).
#include "arch/x86_64/serial.hpp"

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86::serial {

namespace {

constexpr std::uint16_t com1 = 0x3f8;
constexpr std::uint16_t data = com1, ier = com1 + 1, fcr = com1 + 2, lcr = com1 + 3, mcr = com1 + 4,
                        lsr = com1 + 5;
constexpr std::uint8_t lsr_thr_empty = 0x20, lsr_idle = 0x40;
/// Upper bound on status polls per byte: a UART that never drains cannot hang the kernel.
constexpr unsigned max_polls = 100000;

bool present = false;

void wait_for(std::uint8_t status_bits) {
    for (unsigned i = 0; i < max_polls && (inb(lsr) & status_bits) != status_bits; ++i) asm volatile("pause");
}

void put_byte(char c) {
    wait_for(lsr_thr_empty);
    outb(data, static_cast<std::uint8_t>(c));
}

} // namespace

void init() {
    outb(ier, 0x00); // no UART interrupts: the console is polled
    outb(lcr, 0x80); // divisor latch: 115200 / 1
    outb(data, 0x01);
    outb(ier, 0x00);
    outb(lcr, 0x03); // 8N1
    outb(fcr, 0xc7); // enable and clear FIFOs
    outb(mcr, 0x1e); // loopback: a byte sent must come back
    outb(data, 0xa5);
    present = inb(data) == 0xa5;
    outb(mcr, 0x0b); // normal operation, DTR + RTS + OUT2
}

void write(const char* text, std::size_t length) {
    if (!present) return;
    for (std::size_t i = 0; i < length; ++i) {
        char c = text[i];
        if (c == '\n') put_byte('\r');
        put_byte(c);
    }
}

void flush() {
    if (present) wait_for(lsr_thr_empty | lsr_idle);
}

} // namespace arch::x86::serial
