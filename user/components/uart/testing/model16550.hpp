// A model of a 16550's transmit side for host tests of the driver (uart16550.hpp), written from the PC16550D
// data sheet: the registers the driver uses, the transmit FIFO (16 bytes, or a single holding register when
// FIFOs are off or absent), the THR-empty interrupt and its clearing, OUT2 gating INTR onto the PC's line.
//
// The test decides when the transmitter sends: drain() empties the FIFO onto the wire (sent). The PC's line
// is edge-triggered: edges() counts rises of INTR & OUT2, which is what reaches the interrupt controller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "user/components/uart/uart16550.hpp"

namespace janus::components::uart::testing {

class Model16550 {
public:
    struct Options {
        bool fifo = true;   ///< a 16550A; false: an 8250/16450 (one holding register, IIR bits 6..7 read 0)
        bool stuck = false; ///< the transmitter never sends (drain() does nothing)
    };

    Model16550() : Model16550(Options{}) {}
    explicit Model16550(Options o) : options_(o) {}

    // The Ports interface of uart16550.hpp.
    std::uint8_t in(unsigned reg) {
        std::uint8_t v = 0;
        switch (reg) {
        case 0:
            v = dlab() ? static_cast<std::uint8_t>(divisor_ & 0xff) : 0;
            break;
        case 1:
            v = dlab() ? static_cast<std::uint8_t>(divisor_ >> 8) : ier_;
            break;
        case 2:
            v = fifo_bits();
            if (thre_pending_ && (ier_ & 0x02)) {
                v |= 0x02;             // THR empty is the pending interrupt
                thre_pending_ = false; // reading IIR with THRE as the source clears it
            } else {
                v |= 0x01; // none pending
            }
            break;
        case 3:
            v = lcr_;
            break;
        case 4:
            v = mcr_;
            break;
        case 5:
            ++lsr_reads;
            v = queued_ == 0 ? 0x60 : 0x00; // THRE and TEMT while nothing waits to be sent
            break;
        case 7:
            v = scr_;
            break;
        default:
            break;
        }
        update_line();
        return v;
    }

    void out(unsigned reg, std::uint8_t v) {
        switch (reg) {
        case 0:
            if (dlab()) {
                divisor_ = static_cast<std::uint16_t>((divisor_ & 0xff00) | v);
            } else {
                if (queued_ == depth())
                    overrun = true; // the byte is lost
                else
                    fifo_[queued_++] = static_cast<char>(v);
                thre_pending_ = false; // writing THR clears the THR-empty interrupt
            }
            break;
        case 1:
            if (dlab()) {
                divisor_ = static_cast<std::uint16_t>((divisor_ & 0x00ff) | v << 8);
            } else {
                const bool enabling = (v & 0x02) && !(ier_ & 0x02);
                ier_ = v & 0x0f;
                // Enabling the interrupt while the holding register is empty raises it at once.
                if (enabling && queued_ == 0) thre_pending_ = true;
            }
            break;
        case 2:
            fcr_ = v;
            if (v & 0x04) queued_ = 0; // clear the transmit FIFO
            break;
        case 3:
            lcr_ = v;
            break;
        case 4:
            mcr_ = v;
            break;
        case 7:
            scr_ = v;
            break;
        default:
            break;
        }
        update_line();
    }

    /// The transmitter sends every byte it holds; the holding register is empty again.
    void drain() {
        if (options_.stuck || queued_ == 0) return;
        sent.append(fifo_, queued_);
        queued_ = 0;
        thre_pending_ = true;
        update_line();
    }

    /// INTR as the PC's interrupt controller sees it: the pending interrupt, gated by OUT2.
    bool line() const { return thre_pending_ && (ier_ & 0x02) && (mcr_ & 0x08); }
    /// Rises of line() so far: what an edge-triggered input counts as interrupts.
    unsigned edges() const { return edges_; }

    std::uint16_t divisor() const { return divisor_; }
    std::uint8_t lcr() const { return lcr_; }
    std::uint8_t mcr() const { return mcr_; }
    std::uint8_t fcr() const { return fcr_; }
    std::uint8_t ier() const { return dlab() ? 0 : ier_; }
    std::size_t queued() const { return queued_; }

    std::string sent;     ///< bytes on the wire, in order
    bool overrun = false; ///< a byte was written while the FIFO was full
    unsigned lsr_reads = 0;

private:
    bool dlab() const { return lcr_ & 0x80; }
    bool fifo_on() const { return options_.fifo && (fcr_ & 0x01); }
    std::size_t depth() const { return fifo_on() ? 16 : 1; }
    std::uint8_t fifo_bits() const { return fifo_on() ? 0xc0 : 0x00; }
    void update_line() {
        const bool now = line();
        if (now && !was_high_) ++edges_;
        was_high_ = now;
    }

    Options options_;
    char fifo_[16] = {};
    std::size_t queued_ = 0;
    std::uint16_t divisor_ = 0;
    std::uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, fcr_ = 0, scr_ = 0;
    bool thre_pending_ = false;
    bool was_high_ = false;
    unsigned edges_ = 0;
};

/// A Waiter over the model as the kernel would deliver its line: an edge since the last delivery is one
/// interrupt, and after a delivery the line is held back until acknowledge(). While the driver waits the
/// transmitter sends what it holds (drain()).
class ModelWaiter {
public:
    explicit ModelWaiter(Model16550& uart) : uart_(uart) {}

    Wake wait() {
        ++waits;
        uart_.drain();
        if (!in_service_ && uart_.edges() > delivered_edges_ && !drop_next) {
            delivered_edges_ = uart_.edges();
            in_service_ = true;
            ++interrupts;
            return Wake::interrupt;
        }
        if (drop_next) {
            delivered_edges_ = uart_.edges(); // the interrupt is lost on its way
            drop_next = false;
        }
        return Wake::timeout;
    }

    void acknowledge() {
        ++acks;
        if (!in_service_) ++acks_without_interrupt;
        // Acknowledged with the device's interrupt still asserted: on an edge-triggered line no new edge
        // could come, so the next wait would never be woken by an interrupt.
        if (uart_.line()) ++acks_with_line_high;
        in_service_ = false;
    }

    unsigned waits = 0, interrupts = 0, acks = 0;
    unsigned acks_without_interrupt = 0, acks_with_line_high = 0;
    bool drop_next = false; ///< lose the next interrupt (the driver must recover by its timeout)

private:
    Model16550& uart_;
    unsigned delivered_edges_ = 0;
    bool in_service_ = false;
};

} // namespace janus::components::uart::testing
