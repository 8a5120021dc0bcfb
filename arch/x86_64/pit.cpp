#include "arch/x86_64/pit.hpp"

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86::pit {

namespace {

constexpr std::uint16_t channel0_data = 0x40, channel2_data = 0x42, command = 0x43, gate_port = 0x61;
constexpr std::uint8_t gate_on = 0x01, speaker_on = 0x02;
constexpr std::uint8_t channel2_mode0_lohi = 0xb0; // channel 2, low then high byte, mode 0, binary
constexpr std::uint8_t channel2_latch = 0x80;
constexpr std::uint8_t channel0_mode2_lohi = 0x34; // channel 0, low then high byte, mode 2, binary

} // namespace

void start_countdown() {
    outb(gate_port, (inb(gate_port) & ~speaker_on) | gate_on);
    outb(command, channel2_mode0_lohi);
    outb(channel2_data, 0xff);
    outb(channel2_data, 0xff); // counting starts once the count is complete
}

std::uint16_t count() {
    outb(command, channel2_latch);
    std::uint8_t low = inb(channel2_data);
    std::uint8_t high = inb(channel2_data);
    return static_cast<std::uint16_t>(high << 8 | low);
}

void start_periodic(std::uint64_t hz) {
    // Rounded to the nearest divisor; 100 Hz gives 11932 clocks (99.998 Hz). A count of 0 would mean 65536.
    const std::uint64_t divisor = (frequency_hz + hz / 2) / hz;
    outb(command, channel0_mode2_lohi);
    outb(channel0_data, static_cast<std::uint8_t>(divisor));
    outb(channel0_data,
         static_cast<std::uint8_t>(divisor >> 8)); // counting starts once the count is complete
}

} // namespace arch::x86::pit
