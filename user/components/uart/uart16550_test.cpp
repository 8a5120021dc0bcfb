// The 16550 driver's register programming and transmit logic against the model of testing/model16550.hpp.
#include "user/components/uart/uart16550.hpp"

#include <gtest/gtest.h>

#include <string>

#include "user/components/uart/testing/model16550.hpp"

namespace janus::components::uart {
namespace {

using testing::Model16550;
using testing::ModelWaiter;

std::string text_of(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
    return s;
}

TEST(Uart16550, ProgramsEightN1At115200WithFifosOnAndOut2) {
    Model16550 m;
    const Programmed s = program(m);
    EXPECT_TRUE(s.present);
    EXPECT_EQ(s.burst, 16u);         // the 16550A's transmit FIFO
    EXPECT_EQ(m.divisor(), 1);       // 1.8432 MHz / 16 / 115200
    EXPECT_EQ(m.lcr(), 0x03);        // 8 data bits, no parity, 1 stop bit, DLAB clear again
    EXPECT_EQ(m.fcr() & 0x01, 1);    // FIFOs enabled
    EXPECT_EQ(m.fcr() & 0x06, 0x06); // both FIFOs cleared
    EXPECT_EQ(m.mcr() & 0x08, 0x08); // OUT2: the PC routes INTR to IRQ 4
    EXPECT_EQ(m.mcr() & 0x03, 0x03); // DTR, RTS
    EXPECT_EQ(m.ier(), 0);           // no interrupt until the driver waits for one
}

TEST(Uart16550, DivisorFollowsTheBaudRate) {
    Model16550 m;
    program(m, 9600);
    EXPECT_EQ(m.divisor(), 12); // the data sheet's table: 9600 baud from 1.8432 MHz
    Model16550 slow;
    program(slow, 50);
    EXPECT_EQ(slow.divisor(), 2304);
}

TEST(Uart16550, ADeviceWithoutFifosTakesOneByteAtATime) {
    Model16550 m(Model16550::Options{.fifo = false});
    const Programmed s = program(m);
    EXPECT_EQ(s.burst, 1u);
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, s.burst);
    const std::string text = text_of(40);
    const Sent sent = tx.write(text.data(), text.size());
    m.drain();
    EXPECT_EQ(sent.bytes, text.size());
    EXPECT_FALSE(sent.stalled);
    EXPECT_FALSE(m.overrun);
    EXPECT_EQ(m.sent, text);
}

TEST(Uart16550, WritesEveryByteInOrderWithoutOverrunningTheFifo) {
    Model16550 m;
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    const std::string text = text_of(1000);
    const Sent sent = tx.write(text.data(), text.size());
    m.drain();
    EXPECT_EQ(sent.bytes, 1000u);
    EXPECT_FALSE(sent.stalled);
    EXPECT_FALSE(m.overrun);
    EXPECT_EQ(m.sent, text);
    EXPECT_EQ(m.ier(), 0); // the interrupt is off again between writes
}

TEST(Uart16550, ABusyTransmitterIsAwaitedByInterruptNotBySpinning) {
    Model16550 m;
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    const std::string text = text_of(100); // 7 FIFO loads: 16 * 6 + 4
    m.lsr_reads = 0;
    tx.write(text.data(), text.size());
    EXPECT_EQ(w.waits, 6u);      // one wait between consecutive loads
    EXPECT_EQ(w.interrupts, 6u); // each ended by the THR-empty interrupt
    EXPECT_LE(m.lsr_reads, 13u); // a status read per load and per wait: no busy polling
}

TEST(Uart16550, EveryInterruptIsClearedAtTheDeviceThenAcknowledged) {
    Model16550 m;
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    const std::string text = text_of(200);
    tx.write(text.data(), text.size());
    EXPECT_GT(w.interrupts, 0u);
    EXPECT_EQ(w.acks, w.interrupts);
    EXPECT_EQ(w.acks_without_interrupt, 0u);
    EXPECT_EQ(w.acks_with_line_high, 0u);
    // A second write after the first: the line must still be able to rise (fresh edges).
    const unsigned before = w.interrupts;
    tx.write(text.data(), text.size());
    EXPECT_GT(w.interrupts, before);
    m.drain();
    EXPECT_EQ(m.sent, text + text);
}

TEST(Uart16550, WhatFitsTheFifoNeedsNoWait) {
    Model16550 m;
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    tx.write("hello: started\n", 15);
    EXPECT_EQ(w.waits, 0u);
    EXPECT_EQ(m.queued(), 15u);
}

TEST(Uart16550, ALostInterruptCostsATimeoutNotTheText) {
    Model16550 m;
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    w.drop_next = true;
    const std::string text = text_of(50);
    const Sent sent = tx.write(text.data(), text.size());
    m.drain();
    EXPECT_FALSE(sent.stalled);
    EXPECT_EQ(m.sent, text);
    EXPECT_EQ(w.acks, w.interrupts); // the lost one was never acknowledged
}

TEST(Uart16550, AStuckTransmitterEndsTheWriteAfterBoundedWaits) {
    Model16550 m(Model16550::Options{.stuck = true});
    ModelWaiter w(m);
    Transmitter<Model16550, ModelWaiter> tx(m, w, program(m).burst);
    const std::string text = text_of(64);
    const Sent sent = tx.write(text.data(), text.size());
    EXPECT_TRUE(sent.stalled);
    EXPECT_EQ(sent.bytes, 16u); // the first FIFO load went in, nothing more
    EXPECT_EQ(w.waits, 8u);     // max_idle_waits, stated in the driver's contract
    EXPECT_FALSE(m.overrun);
    EXPECT_EQ(m.ier(), 0);
}

} // namespace
} // namespace janus::components::uart
