// The 16550A model against the PC16550D datasheet (register map, reset values, LSR bits, the IIR priority and
// identification codes, FIFO control, loopback), the port bus's PC behaviour (unclaimed ports read all ones),
// and the device line on a machine (COM1's IRQ 4 reaching CPU 0 as vector 0x24 while OUT2 lets it). Expected
// values come from the datasheet's tables, not from the model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/ipi.hpp"
#include "arch/irq_lines.hpp"
#include "hostsim/irq_lines.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/port_bus.hpp"
#include "hostsim/uart16550.hpp"

namespace hostsim {
namespace {

// Register offsets and bits, from the datasheet.
constexpr std::uint32_t rbr = 0, thr = 0, dll = 0, ier = 1, dlm = 1, iir = 2, fcr = 2, lcr = 3, mcr = 4,
                        lsr = 5, msr = 6, scr = 7;
constexpr std::uint8_t dr = 0x01, oe = 0x02, fe = 0x08, thre = 0x20, temt = 0x40;
constexpr std::uint8_t out2 = 0x08, loop = 0x10, dlab = 0x80;

/// A UART alone on a bus at COM1, its interrupt output recorded.
struct Bench {
    explicit Bench(Uart16550::Config config = {})
        : uart([this](bool level) { line.push_back(level); }, config) {
        EXPECT_TRUE(uart.attach(bus, Uart16550::com1_base));
    }
    std::uint8_t in(std::uint32_t reg) {
        return static_cast<std::uint8_t>(bus.read(Uart16550::com1_base + reg, 1));
    }
    void out(std::uint32_t reg, std::uint8_t v) { bus.write(Uart16550::com1_base + reg, 1, v); }

    std::vector<bool> line; // every change of the interrupt output
    PortBus bus;
    Uart16550 uart;
};

TEST(Uart16550, ResetValuesAreTheDatasheets) {
    Bench b;
    EXPECT_EQ(b.in(ier), 0x00);
    EXPECT_EQ(b.in(iir), 0x01); // no interrupt pending, FIFOs off
    EXPECT_EQ(b.in(lcr), 0x00);
    EXPECT_EQ(b.in(mcr), 0x00);
    EXPECT_EQ(b.in(lsr), thre | temt);
    EXPECT_EQ(b.in(msr), 0xb0); // CTS, DSR, DCD asserted by the attached terminal, no deltas
    EXPECT_EQ(b.in(scr), 0x00);
    EXPECT_TRUE(b.line.empty());
}

TEST(Uart16550, TheDivisorLatchesAreBehindDlab) {
    Bench b;
    b.out(lcr, dlab | 0x03);
    b.out(dll, 0x0c); // 9600 baud from 1.8432 MHz
    b.out(dlm, 0x01);
    EXPECT_EQ(b.in(dll), 0x0c);
    EXPECT_EQ(b.in(dlm), 0x01);
    EXPECT_EQ(b.in(lcr), dlab | 0x03);
    EXPECT_EQ(b.uart.output(), ""); // writes to DLL are not transmitted
    b.out(lcr, 0x03);
    EXPECT_EQ(b.in(ier), 0x00); // offset 1 is IER again, untouched by the DLM write
    b.out(ier, 0xff);
    EXPECT_EQ(b.in(ier), 0x0f); // bits 4-7 are always 0
    b.out(lcr, dlab);
    EXPECT_EQ(b.in(dlm), 0x01); // and the latch kept its value
    b.out(lcr, 0);
    b.out(thr, 'A');
    EXPECT_EQ(b.uart.output(), "A");
    b.out(scr, 0x5a);
    EXPECT_EQ(b.in(scr), 0x5a);
    b.out(mcr, 0xff);
    EXPECT_EQ(b.in(mcr), 0x1f); // bits 5-7 are always 0
}

TEST(Uart16550, AnInstantTransmitterKeepsThreAndTemtSet) {
    Bench b;
    for (char c : std::string("hello")) {
        ASSERT_EQ(b.in(lsr)&thre, thre);
        b.out(thr, static_cast<std::uint8_t>(c));
    }
    EXPECT_EQ(b.uart.output(), "hello");
    EXPECT_EQ(b.in(lsr), thre | temt);
}

// With a shift time of three accesses: THR empties into the shifter at once (THRE), the shifter is busy (no
// TEMT) until the third access after the write, and a second byte waits in THR (no THRE).
TEST(Uart16550, ADelayedTransmitterClearsTemtUntilTheByteHasLeft) {
    Bench b(Uart16550::Config{3, nullptr});
    b.out(thr, 'a');
    EXPECT_EQ(b.in(lsr), thre);        // access 1
    EXPECT_EQ(b.in(lsr), thre);        // access 2
    EXPECT_EQ(b.in(lsr), thre | temt); // access 3: out
    EXPECT_EQ(b.uart.output(), "a");
    b.out(thr, 'b');
    b.out(thr, 'c'); // access 1 of b's shift: c waits in THR
    EXPECT_EQ(b.in(lsr), 0x00);
    EXPECT_EQ(b.uart.output(), "a");
    EXPECT_EQ(b.in(lsr), thre); // b is out, c moved to the shifter
    EXPECT_EQ(b.uart.output(), "ab");
}

TEST(Uart16550, APollingDriverSendsEveryByteAtAnyShiftTime) {
    for (unsigned delay : {0u, 1u, 5u}) {
        Bench b(Uart16550::Config{delay, nullptr});
        const std::string text = "polled\r\n";
        unsigned polls = 0;
        for (char c : text) {
            while (!(b.in(lsr)&thre)) ++polls;
            b.out(thr, static_cast<std::uint8_t>(c));
        }
        while (!(b.in(lsr)&temt)) ++polls;
        EXPECT_EQ(b.uart.output(), text) << delay;
        if (delay > 1) EXPECT_GT(polls, 0u) << delay;
    }
}

TEST(Uart16550, ReceivedBytesAreDeliveredThroughDrAndRbrAndAnOverrunSetsOe) {
    Bench b;
    b.uart.receive('x');
    EXPECT_EQ(b.in(lsr), dr | thre | temt);
    EXPECT_EQ(b.in(rbr), 'x');
    EXPECT_EQ(b.in(lsr), thre | temt);
    b.uart.receive('1');
    b.uart.receive('2'); // no FIFO: RBR holds one byte, the second is lost
    EXPECT_EQ(b.in(lsr), dr | oe | thre | temt);
    EXPECT_EQ(b.in(lsr), dr | thre | temt); // reading LSR cleared OE
    EXPECT_EQ(b.in(rbr), '1');
}

TEST(Uart16550, TheFifosHoldSixteenBytesAndTheTriggerLevelSelectsTheInterrupt) {
    Bench b;
    b.out(fcr, 0x01); // FIFOs on, trigger level 1
    EXPECT_EQ(b.in(iir), 0xc1);
    for (int i = 0; i < 17; ++i) b.uart.receive(static_cast<std::uint8_t>('a' + i));
    EXPECT_EQ(b.in(lsr) & (dr | oe), dr | oe); // the 17th was lost
    std::string got;
    while (b.in(lsr)&dr) got.push_back(static_cast<char>(b.in(rbr)));
    EXPECT_EQ(got, "abcdefghijklmnop");

    b.out(fcr, 0x81); // trigger level 8
    b.out(ier, 0x01);
    for (int i = 0; i < 3; ++i) b.uart.receive('t');
    EXPECT_EQ(b.in(iir), 0xcc); // below the trigger: character timeout (110)
    for (int i = 0; i < 5; ++i) b.uart.receive('t');
    EXPECT_EQ(b.in(iir), 0xc4); // at the trigger: received data available (010)
    b.out(fcr, 0x03);           // clear the receive FIFO
    EXPECT_EQ(b.in(lsr)&dr, 0);
    EXPECT_EQ(b.in(iir), 0xc1);
    b.out(fcr, 0x00); // FIFOs off
    EXPECT_EQ(b.in(iir), 0x01);
}

// Datasheet table: receiver line status (0110) > received data (0100) > THR empty (0010) > modem status
// (0000), each cleared by its own action.
TEST(Uart16550, InterruptIdentificationFollowsThePriorityOrder) {
    Bench b;
    b.out(mcr, out2);
    b.out(ier, 0x0f);
    EXPECT_EQ(b.uart.line(), true);
    b.uart.receive('r');
    b.uart.inject_line_error(fe);
    b.uart.set_modem_inputs(0x30); // DCD goes away: DDCD
    EXPECT_EQ(b.in(iir), 0x06);
    EXPECT_EQ(b.in(lsr)&fe, fe); // clears the line status
    EXPECT_EQ(b.in(iir), 0x04);
    EXPECT_EQ(b.in(rbr), 'r');
    EXPECT_EQ(b.in(iir), 0x02); // reading IIR that reports THRE clears it ...
    EXPECT_EQ(b.in(iir), 0x00); // ... and the modem status is next
    EXPECT_EQ(b.in(msr), 0x30 | 0x08);
    EXPECT_EQ(b.in(iir), 0x01);
    EXPECT_EQ(b.uart.line(), false);
    EXPECT_EQ(b.line, (std::vector<bool>{true, false}));
}

TEST(Uart16550, WritingThrClearsTheThreInterruptAndItsReturnIsAFreshEdge) {
    Bench b;
    b.out(mcr, out2);
    b.out(ier, 0x02); // THR is empty: the THRE interrupt is raised at once
    EXPECT_EQ(b.line, (std::vector<bool>{true}));
    b.out(thr, 'x'); // cleared by the write, raised again when the byte moved on
    EXPECT_EQ(b.line, (std::vector<bool>{true, false, true}));
    EXPECT_EQ(b.in(iir), 0x02);
    EXPECT_EQ(b.line, (std::vector<bool>{true, false, true, false}));
    b.out(ier, 0x00);
    b.out(ier, 0x02); // enabling ETBEI with THR empty raises it again
    EXPECT_EQ(b.line.back(), true);
}

TEST(Uart16550, Out2GatesTheInterruptOutput) {
    Bench b;
    b.out(ier, 0x01);
    b.uart.receive('z');
    EXPECT_EQ(b.in(iir), 0x04);  // pending ...
    EXPECT_FALSE(b.uart.line()); // ... but not on the line without OUT2
    b.out(mcr, out2);
    EXPECT_TRUE(b.uart.line());
    b.out(mcr, 0);
    EXPECT_FALSE(b.uart.line());
    b.out(mcr, out2);
    EXPECT_EQ(b.in(rbr), 'z');
    EXPECT_FALSE(b.uart.line()); // the condition went
    EXPECT_EQ(b.line, (std::vector<bool>{true, false, true, false}));
}

TEST(Uart16550, LoopbackReturnsTransmittedBytesAndMapsTheModemLines) {
    Bench b;
    b.out(mcr, loop | 0x03);           // DTR and RTS
    EXPECT_EQ(b.in(msr), 0x30 | 0x08); // CTS, DSR; DCD (OUT2 off) went away: DDCD
    EXPECT_EQ(b.in(msr), 0x30);
    b.out(thr, 'q');
    EXPECT_EQ(b.uart.output(), "");
    EXPECT_EQ(b.in(lsr)&dr, dr);
    EXPECT_EQ(b.in(rbr), 'q');
    b.uart.receive('w'); // the wire is cut off in loopback
    EXPECT_EQ(b.in(lsr)&dr, 0);
}

TEST(PortBus, UnclaimedPortsReadAllOnesAndSplitAccessesGoByteByByte) {
    Bench b;
    EXPECT_EQ(b.bus.read(0x80, 1), 0xffu);
    EXPECT_EQ(b.bus.read(0x80, 2), 0xffffu);
    EXPECT_EQ(b.bus.read(0x80, 4), 0xffff'ffffu);
    b.bus.write(0x80, 1, 0x12); // dropped
    b.out(scr, 0x42);
    EXPECT_EQ(b.bus.read(Uart16550::com1_base + scr, 2), 0xff42u); // SCR, then the floating 0x400
    EXPECT_EQ(b.bus.read(Uart16550::com1_base + lsr, 2), 0xb060u); // LSR, MSR: one device, two bytes
    b.bus.write(Uart16550::com1_base + lsr, 4, 0x11223344); // LSR, MSR read-only; SCR 0x22; 0x400 nothing
    EXPECT_EQ(b.in(scr), 0x22);
    Uart16550 other([](bool) {});
    EXPECT_FALSE(other.attach(b.bus, 0x3fc)); // overlaps COM1
    EXPECT_TRUE(other.attach(b.bus, 0x2f8));  // COM2's place is free
    EXPECT_FALSE(b.bus.claim(0xfffc, 8, other));
}

// On a machine: COM1 on line 4. The THRE interrupt reaches CPU 0 as vector 0x24 while the line is unmasked;
// one raised while the line was masked arrives when it is unmasked (an ISA edge, latched).
TEST(Uart16550, Com1InterruptsCpuZeroThroughItsLine) {
    reset_irq_lines();
    Config c;
    c.cpus = 1;
    c.memory_bytes = 0;
    Machine m(c);
    PortBus bus;
    Uart16550 uart(m, Uart16550::com1_line);
    ASSERT_TRUE(uart.attach(bus, Uart16550::com1_base));
    static std::vector<unsigned> taken;
    taken.clear();
    m.run([&] {
        arch::set_interrupt_handler([](arch::Vector v) { taken.push_back(v); });
        bus.write(Uart16550::com1_base + mcr, 1, out2);
        bus.write(Uart16550::com1_base + ier, 1, 0x02); // raised while the line is masked
        arch::irq_enable();
        arch::preemption_point();
        m.check(taken.empty(), "an interrupt of a masked line arrived");
        arch::irq_disable();
        arch::irq_line_unmask(Uart16550::com1_line);
        arch::irq_enable();
        m.check(taken == std::vector<unsigned>{0x24}, "%zu interrupts after the unmask", taken.size());
        bus.read(Uart16550::com1_base + iir, 1);       // clears THRE: the line drops
        bus.write(Uart16550::com1_base + thr, 1, 'k'); // and rises again
        arch::preemption_point();
        m.check(taken.size() == 2, "%zu interrupts after a second THRE", taken.size());
        arch::irq_disable();
        arch::irq_line_mask(Uart16550::com1_line);
    });
    EXPECT_FALSE(m.outcome().failed()) << m.outcome().message;
    EXPECT_EQ(uart.output(), "k");
    reset_irq_lines();
}

// A level line (16..23) interrupts, is held until irq_line_end, and interrupts again if still asserted.
TEST(IrqLines, ALevelLineIsHeldUntilItsEnd) {
    reset_irq_lines();
    Config c;
    c.cpus = 1;
    c.memory_bytes = 0;
    Machine m(c);
    static unsigned count;
    count = 0;
    m.run([&] {
        arch::set_interrupt_handler([](arch::Vector v) { count += v == arch::irq_line_vector_base + 17; });
        arch::irq_line_unmask(17);
        set_irq_line_level(m, 17, true);
        arch::irq_enable();
        arch::preemption_point();
        arch::preemption_point();
        m.check(count == 1, "%u interrupts before the end", count);
        arch::irq_disable();
        arch::irq_line_end(17); // still asserted: again
        arch::irq_enable();
        m.check(count == 2, "%u interrupts after the end", count);
        set_irq_line_level(m, 17, false);
        arch::irq_disable();
        arch::irq_line_end(17);
        arch::irq_enable();
        arch::preemption_point();
        m.check(count == 2, "%u interrupts after the device let go", count);
        arch::irq_disable();
        arch::irq_line_mask(17);
    });
    EXPECT_FALSE(m.outcome().failed()) << m.outcome().message;
    reset_irq_lines();
}

} // namespace
} // namespace hostsim
