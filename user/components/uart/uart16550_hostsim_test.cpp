// The 16550 driver (uart16550.hpp) against hostsim's 16550A model (hostsim/uart16550.hpp), written
// independently from the same data sheet: the device the system boot on hostsim gives the uart component.
// The model counts time in register accesses, so a Waiter "waits" by reading the scratch register until the
// interrupt output rises (an edge, as the PC's line sees it) or a budget of accesses has passed.
#include <gtest/gtest.h>

#include <string>

#include "hostsim/uart16550.hpp"
#include "user/components/uart/uart16550.hpp"

namespace janus::components::uart {
namespace {

struct ModelPorts {
    hostsim::Uart16550& uart;
    std::uint8_t in(unsigned r) { return static_cast<std::uint8_t>(uart.port_read(r, 1)); }
    void out(unsigned r, std::uint8_t v) { uart.port_write(r, 1, v); }
};

/// Delivers the model's interrupt output like the kernel delivers an edge-triggered line: one rise is one
/// interrupt, and the line is in service (later rises collapse into one) until acknowledge().
struct EdgeWaiter {
    hostsim::Uart16550* uart = nullptr;
    unsigned rises = 0, delivered = 0;
    bool in_service = false;
    unsigned waits = 0, interrupts = 0, acks = 0, acks_with_line_high = 0;
    static constexpr unsigned access_budget = 1000;

    void line_changed(bool high) { rises += high; }

    Wake wait() {
        ++waits;
        for (unsigned i = 0; i < access_budget && rises == delivered; ++i) (void)uart->port_read(7, 1);
        if (rises == delivered || in_service) return Wake::timeout;
        delivered = rises;
        in_service = true;
        ++interrupts;
        return Wake::interrupt;
    }
    void acknowledge() {
        ++acks;
        if (uart->line()) ++acks_with_line_high;
        in_service = false;
    }
};

struct OnModel {
    EdgeWaiter waiter;
    hostsim::Uart16550 uart;
    ModelPorts ports{uart};

    explicit OnModel(unsigned transmit_accesses)
        : uart([this](bool high) { waiter.line_changed(high); },
               hostsim::Uart16550::Config{.transmit_accesses = transmit_accesses, .echo = nullptr}) {
        waiter.uart = &uart;
    }
};

std::string text_of(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(' ' + i % 95));
    return s;
}

TEST(Uart16550OnHostsim, ProgrammingFindsTheFifoAndSetsOut2) {
    OnModel m(0);
    const Programmed p = program(m.ports);
    EXPECT_TRUE(p.present);
    EXPECT_EQ(p.burst, 16u);
    EXPECT_EQ(m.uart.port_read(3, 1), 0x03u);        // LCR: 8N1, DLAB clear
    EXPECT_EQ(m.uart.port_read(4, 1) & 0x08, 0x08u); // MCR: OUT2
    EXPECT_EQ(m.uart.port_read(1, 1), 0u);           // IER: nothing enabled
    m.uart.port_write(3, 1, 0x80);                   // DLAB: read the divisor latch back
    EXPECT_EQ(m.uart.port_read(0, 1), 1u);
    EXPECT_EQ(m.uart.port_read(1, 1), 0u);
}

TEST(Uart16550OnHostsim, AnInstantTransmitterTakesEverythingWithoutAWait) {
    OnModel m(0);
    Transmitter<ModelPorts, EdgeWaiter> tx(m.ports, m.waiter, program(m.ports).burst);
    const std::string text = text_of(300);
    const Sent sent = tx.write(text.data(), text.size());
    EXPECT_EQ(sent.bytes, text.size());
    EXPECT_EQ(m.uart.output(), text);
    EXPECT_EQ(m.waiter.waits, 0u);
}

TEST(Uart16550OnHostsim, ASlowTransmitterIsAwaitedByItsInterrupt) {
    OnModel m(5); // every byte spends 5 register accesses in the shift register
    Transmitter<ModelPorts, EdgeWaiter> tx(m.ports, m.waiter, program(m.ports).burst);
    const std::string text = text_of(200);
    const Sent sent = tx.write(text.data(), text.size());
    EXPECT_FALSE(sent.stalled);
    EXPECT_EQ(sent.bytes, text.size());
    EXPECT_GT(m.waiter.waits, 0u);
    EXPECT_EQ(m.waiter.interrupts, m.waiter.waits); // every wait ended by the THR-empty interrupt
    EXPECT_EQ(m.waiter.acks, m.waiter.interrupts);
    EXPECT_EQ(m.waiter.acks_with_line_high, 0u);
    EXPECT_FALSE(m.uart.line());
    // What is still in the FIFO and shifter leaves with further accesses; nothing was lost to an overrun.
    for (int i = 0; i < 200; ++i) (void)m.uart.port_read(7, 1);
    EXPECT_EQ(m.uart.output(), text);
}

TEST(Uart16550OnHostsim, ConsecutiveWritesKeepGettingInterrupts) {
    OnModel m(3);
    Transmitter<ModelPorts, EdgeWaiter> tx(m.ports, m.waiter, program(m.ports).burst);
    const std::string a = text_of(100), b = text_of(77);
    tx.write(a.data(), a.size());
    const unsigned after_first = m.waiter.interrupts;
    const Sent second = tx.write(b.data(), b.size());
    EXPECT_FALSE(second.stalled);
    EXPECT_GT(m.waiter.interrupts, after_first);
    for (int i = 0; i < 200; ++i) (void)m.uart.port_read(7, 1);
    EXPECT_EQ(m.uart.output(), a + b);
}

} // namespace
} // namespace janus::components::uart
