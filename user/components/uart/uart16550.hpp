// A 16550 UART's transmit side, written over two small interfaces so the same code drives the real device
// from ring 3 and a model of it in host tests:
//
//   Ports   std::uint8_t in(unsigned reg); void out(unsigned reg, std::uint8_t value);   reg = 0..7
//   Waiter  Wake wait();          block until the device's interrupt arrives or a while has passed
//           void acknowledge();   the interrupt is handled: its line may be delivered again (irq_ack)
//
// Registers and bits are the 16550's (National Semiconductor PC16550D data sheet). The driver programs the
// device once (program()) and then sends bytes (Transmitter::write): into the transmit FIFO while the line
// status register says it is empty, and while the transmitter is busy it waits for the THR-empty interrupt
// instead of spinning. The interrupt is enabled only while the driver waits for it, so the INTR output rises
// afresh for every wait (enabling it with the holding register already empty raises it at once) and the
// edge-triggered PC interrupt line sees a new edge each time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace janus::components::uart {

/// Register offsets from the device's base port. DLL/DLM replace RBR/THR/IER while LCR.DLAB is set.
namespace reg {
inline constexpr unsigned thr = 0; ///< write: transmitter holding register
inline constexpr unsigned rbr = 0; ///< read: receiver buffer
inline constexpr unsigned dll = 0; ///< DLAB: divisor latch, low byte
inline constexpr unsigned ier = 1; ///< interrupt enable
inline constexpr unsigned dlm = 1; ///< DLAB: divisor latch, high byte
inline constexpr unsigned iir = 2; ///< read: interrupt identification
inline constexpr unsigned fcr = 2; ///< write: FIFO control
inline constexpr unsigned lcr = 3; ///< line control
inline constexpr unsigned mcr = 4; ///< modem control
inline constexpr unsigned lsr = 5; ///< line status
inline constexpr unsigned msr = 6; ///< modem status
inline constexpr unsigned scr = 7; ///< scratch
inline constexpr unsigned count = 8;
} // namespace reg

namespace bits {
inline constexpr std::uint8_t ier_thr_empty = 0x02; ///< IER bit 1: interrupt when THR (the FIFO) is empty
inline constexpr std::uint8_t lcr_8n1 = 0x03;       ///< 8 data bits, no parity, 1 stop bit
inline constexpr std::uint8_t lcr_dlab = 0x80;      ///< divisor latch access
/// FIFO on, both FIFOs cleared, receive trigger at 14 bytes.
inline constexpr std::uint8_t fcr_enable_and_clear = 0xc7;
inline constexpr std::uint8_t mcr_dtr = 0x01;
inline constexpr std::uint8_t mcr_rts = 0x02;
/// OUT2 gates the UART's INTR onto the ISA interrupt line on PCs: without it no interrupt reaches the PIC.
inline constexpr std::uint8_t mcr_out2 = 0x08;
inline constexpr std::uint8_t lsr_thr_empty = 0x20;     ///< THRE: the holding register (FIFO) is empty
inline constexpr std::uint8_t iir_none_pending = 0x01;  ///< bit 0 set: no interrupt pending
inline constexpr std::uint8_t iir_fifos_enabled = 0xc0; ///< bits 6..7 both set: a working 16550A FIFO
} // namespace bits

/// The divisor of the 1.8432 MHz reference clock / 16 (115200) for `baud`: 1 for 115200, 12 for 9600.
constexpr std::uint16_t divisor_for(std::uint32_t baud) {
    return static_cast<std::uint16_t>(115200 / baud);
}
inline constexpr std::uint32_t default_baud = 115200;

/// Transmit FIFO depth of a 16550A; a device without working FIFOs (8250, 16450) takes one byte at a time.
inline constexpr std::size_t fifo_depth = 16;

/// What a Waiter's wait() ended with.
enum class Wake { interrupt, timeout };

/// What program() found.
struct Programmed {
    bool present;      ///< the scratch register kept a value: something answers at these ports
    std::size_t burst; ///< bytes one THR-empty lets the driver write: fifo_depth, or 1 without FIFOs
};

/// Programs the device: 8N1 at `baud`, FIFOs on and cleared, DTR, RTS and OUT2 set, every interrupt off.
template <typename Ports>
Programmed program(Ports& ports, std::uint32_t baud = default_baud) {
    ports.out(reg::scr, 0x5a);
    const bool present = ports.in(reg::scr) == 0x5a;
    ports.out(reg::ier, 0);
    const std::uint16_t divisor = divisor_for(baud);
    ports.out(reg::lcr, bits::lcr_dlab);
    ports.out(reg::dll, static_cast<std::uint8_t>(divisor & 0xff));
    ports.out(reg::dlm, static_cast<std::uint8_t>(divisor >> 8));
    ports.out(reg::lcr, bits::lcr_8n1);
    ports.out(reg::fcr, bits::fcr_enable_and_clear);
    ports.out(reg::mcr, bits::mcr_dtr | bits::mcr_rts | bits::mcr_out2);
    const bool fifo = (ports.in(reg::iir)&bits::iir_fifos_enabled) == bits::iir_fifos_enabled;
    return {present, fifo ? fifo_depth : 1};
}

/// What write() did.
struct Sent {
    std::size_t bytes; ///< written into the device, in order
    bool stalled;      ///< it gave up: max_idle_waits waits in a row ended without the device taking a byte
};

template <typename Ports, typename Waiter>
class Transmitter {
public:
    /// Waits in a row that may end with the transmitter still busy before write() gives up. A 16550 at 115200
    /// baud empties its FIFO in under 1.5 ms, so many waits without progress mean the device is gone or
    /// broken, and the client gets an answer instead of a server stuck forever.
    static constexpr unsigned max_idle_waits = 8;

    Transmitter(Ports& ports, Waiter& waiter, std::size_t burst)
        : ports_(ports), waiter_(waiter), burst_(burst) {}

    /// Sends `length` bytes as they are (nothing is added or translated). Returns when every byte is in the
    /// device (or it gave up); the interrupt is disabled again on return.
    Sent write(const char* text, std::size_t length) {
        std::size_t sent = 0;
        unsigned idle = 0;
        while (sent < length) {
            if (ports_.in(reg::lsr)&bits::lsr_thr_empty) {
                // THRE with FIFOs on means the whole FIFO is empty: `burst_` bytes fit.
                for (std::size_t k = 0; k < burst_ && sent < length; ++k)
                    ports_.out(reg::thr, static_cast<std::uint8_t>(text[sent++]));
                idle = 0;
                continue;
            }
            if (idle == max_idle_waits) return {sent, true};
            ++idle;
            wait_until_empty();
        }
        return {sent, false};
    }

private:
    void wait_until_empty() {
        ports_.out(reg::ier, bits::ier_thr_empty);
        const Wake wake = waiter_.wait();
        // Reading IIR clears a pending THR-empty interrupt, disabling it keeps it from rising again: INTR is
        // low before the kernel may deliver the line again.
        if (wake == Wake::interrupt) (void)ports_.in(reg::iir);
        ports_.out(reg::ier, 0);
        if (wake == Wake::interrupt) waiter_.acknowledge();
    }

    Ports& ports_;
    Waiter& waiter_;
    std::size_t burst_;
};

} // namespace janus::components::uart
