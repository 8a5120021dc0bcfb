// A 16550A UART (National Semiconductor PC16550D datasheet) on the port bus: the PC's COM ports, so the
// ring-3 driver that drives COM1 under QEMU drives it on hostsim too.
//
// Registers at base + offset (DLAB is LCR bit 7):
//   0  RBR (read) / THR (write); with DLAB: DLL     4  MCR: DTR, RTS, OUT1, OUT2, LOOP (bits 5-7 read 0)
//   1  IER (bits 0-3; 4-7 read 0); with DLAB: DLM   5  LSR: DR, OE, PE, FE, BI, THRE, TEMT, RCVR FIFO error
//   2  IIR (read) / FCR (write)                     6  MSR: deltas 0-3, CTS, DSR, RI, DCD
//   3  LCR                                          7  SCR
// After reset (construction): IER, LCR, MCR, SCR, FCR and the divisor latch 0, IIR 0x01, LSR 0x60 (THRE,
// TEMT), the modem inputs CTS, DSR and DCD asserted and RI not (a terminal is attached, as QEMU's serial port
// reports), so MSR reads 0xb0.
//
// Transmit: a byte written to THR goes to the transmit holding register (or, with FIFOs on, the 16-byte
// transmit FIFO; a write to a full one is lost, as on the chip), then through the shift register to output()
// (and the echo stream, if any). Time is counted in accesses to this UART, never the wall clock:
// Config::transmit_accesses = 0 sends each byte within the access that wrote it (LSR reads THRE and TEMT
// again at once); n > 0 keeps each byte in the shift register for the next n register accesses, so a driver
// sees TEMT clear and must poll (the byte leaves at the n-th access after the one that wrote it, which
// already sees it gone; THRE is clear only while a second byte waits behind it).
// Receive: receive() is a byte arriving on the wire now: into RBR (or the 16-byte receive FIFO); if there is
// no room it is lost and OE is set. DR says data is there; reading RBR takes the oldest byte.
// Interrupts (IER), by the datasheet's priority, IIR bits 3-1: receiver line status 011 (OE, PE, FE or BI in
// LSR; reading LSR clears it), received data 010 (DR; with FIFOs: the trigger level reached) or character
// timeout 110 (FIFOs on, data below the trigger level: reported at once, where the chip waits four character
// times), transmitter holding register empty 001 (cleared by reading IIR while it is the one identified or by
// writing THR; set when THR or the FIFO empties, and when ETBEI is set while it is empty), modem status 000
// (a delta bit in MSR; reading MSR clears them). IIR bits 7-6 read 11 with FIFOs on. The interrupt output is
// a level on the machine's line (set_irq_line_level) gated by MCR OUT2 as on a PC, raised and lowered as the
// conditions come and go.
// Loopback (MCR LOOP): transmitted bytes come back to the receiver instead of the output; the modem inputs
// read DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD; the interrupt output is off (on a PC the OUT2 pin
// that gates it is inactive in loopback). Parity, framing, break and line speed are not modelled: the divisor
// and LCR are stored and read back, and errors arise only through inject_line_error().
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>

#include "hostsim/port_bus.hpp"

namespace hostsim {

class Machine;

class Uart16550 final : public PortDevice {
public:
    /// The PC's first serial port.
    static constexpr std::uint32_t com1_base = 0x3f8;
    static constexpr unsigned com1_line = 4;
    static constexpr std::uint32_t register_count = 8;
    static constexpr std::size_t fifo_size = 16;

    struct Config {
        unsigned transmit_accesses = 0; ///< register accesses a byte spends in the shift register (0: none)
        std::FILE* echo = nullptr;      ///< also write every transmitted byte here
    };

    /// Drives its interrupt output through `line_out` (true: asserted); called on every change only.
    Uart16550(std::function<void(bool)> line_out, Config config);
    explicit Uart16550(std::function<void(bool)> line_out);
    /// On `machine`'s line `line` (hostsim/irq_lines.hpp); lowers it again when destroyed.
    Uart16550(Machine& machine, unsigned line, Config config);
    Uart16550(Machine& machine, unsigned line);
    ~Uart16550();
    Uart16550(const Uart16550&) = delete;
    Uart16550& operator=(const Uart16550&) = delete;

    /// Claims its eight ports from `base` on `bus` (false if they are taken); detach() gives them back.
    bool attach(PortBus& bus, std::uint32_t base);
    void detach();

    /// A register access; multi-byte accesses are split into byte accesses, as the ISA bus does for an
    /// 8-bit device.
    std::uint32_t port_read(std::uint32_t offset, unsigned size) override;
    void port_write(std::uint32_t offset, unsigned size, std::uint32_t value) override;

    /// Every byte transmitted so far (not those looped back).
    const std::string& output() const { return output_; }
    void clear_output() { output_.clear(); }
    /// A byte arrives on the receive line.
    void receive(std::uint8_t byte);
    void receive(const std::string& bytes) {
        for (char c : bytes) receive(static_cast<std::uint8_t>(c));
    }
    /// Sets LSR error bits (PE 0x04, FE 0x08, BI 0x10; others ignored) as if the last byte arrived so.
    void inject_line_error(std::uint8_t lsr_bits);
    /// The modem inputs (CTS, DSR, RI, DCD as MSR bits 4-7) change; the deltas follow the datasheet.
    void set_modem_inputs(std::uint8_t msr_high_bits);
    /// The interrupt output as it is now (already gated by OUT2).
    bool line() const { return line_; }

private:
    std::uint8_t read_register(std::uint32_t offset);
    void write_register(std::uint32_t offset, std::uint8_t value);
    void tick();
    void transmit(std::uint8_t byte);
    void shift_next();
    void take_in(std::uint8_t byte);
    void emit(std::uint8_t byte);
    void modem_changed(std::uint8_t msr_before);
    std::uint8_t lsr() const;
    std::uint8_t msr() const;
    std::uint8_t identify() const; ///< IIR without the FIFO bits
    unsigned trigger_level() const;
    bool fifos() const { return fcr_ & 1; }
    bool loop() const { return mcr_ & 0x10; } // MCR LOOP
    void update();

    std::function<void(bool)> line_out_;
    Config config_;
    PortBus* bus_ = nullptr;

    std::uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0, dll_ = 0, dlm_ = 0;
    std::uint8_t lsr_errors_ = 0; ///< OE, PE, FE, BI: until LSR is read
    std::uint8_t modem_in_ = 0xb0, modem_delta_ = 0;
    std::deque<std::uint8_t> rx_, tx_; ///< receive FIFO / RBR; transmit FIFO / THR (not the shifter)
    bool shifting_ = false;            ///< a byte is in the transmit shift register
    std::uint8_t shifter_ = 0;
    unsigned shift_left_ = 0;   ///< register accesses until the shifter's byte is out
    bool thre_pending_ = false; ///< the THRE interrupt condition (see the header)
    bool line_ = false;
    std::string output_;
};

} // namespace hostsim
