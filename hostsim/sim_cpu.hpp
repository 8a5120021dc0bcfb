// hostsim internal: the state of one simulated CPU and of a fiber context. Only hostsim's own sources see it.
#pragma once

#include <array>
#include <boost/context/fiber.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "hostsim/io_ports.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/stack.hpp"
#include "hostsim/store_buffer.hpp"
#include "hostsim/tlb.hpp"
#include "hostsim/vector_registers.hpp"

namespace hostsim {

/// A stack and the continuation suspended on it (empty while it executes or after it finished).
struct FiberContext {
    boost::context::fiber fiber;
    void* tsan = nullptr;               // TSan's fiber for this context
    const void* stack_bottom = nullptr; // for ASan's stack switch annotations
    std::size_t stack_size = 0;
    void* asan_fake_stack = nullptr;
    san::IgnoreDepth ignore; // TSan's ignore mode for hostsim's own work on this fiber (sanitizers.hpp)
};

enum class CpuState : std::uint8_t {
    off,       ///< no fiber in this run
    unstarted, ///< fiber made, not yet entered
    parked,    ///< suspended at a scheduling point, ready to take its step
    blocked,   ///< suspended in wait_for_interrupt with nothing pending
    running,   ///< executing
    finished,  ///< its code returned
};

struct SimCpu {
    FiberContext ctx;
    Stack stack;

    std::function<void()> code;
    bool coded = false; // has test code (keeps the run alive), as opposed to idling for interrupts
    CpuState state = CpuState::off;

    bool irq_enabled = false;
    std::array<std::uint64_t, 4> pending{}; // pending interrupt vectors 0..255
    std::uint64_t interrupts_taken = 0;     // delivered to the kernel's handler so far
    unsigned last_vector = 0;               // the latest of them
    std::uint64_t timer_deadline = 0;       // 0: disarmed
    unsigned timer_vector = 0;

    bool at_relax = false;             // parked at cpu_relax
    bool relax_stalled = false;        // its last spin iteration saw no memory change
    std::uint64_t relax_epoch = ~0ull; // memory epoch at its last cpu_relax
    bool masked_halt = false;          // parked in wait_for_interrupt, woken with interrupts masked
    std::uint64_t halt_epoch = ~0ull;  // memory epoch when it last woke like that

    // Shootdowns (Machine::cross_cpu_request: TLB entries or I/O-port sets): requests from other CPUs this
    // one has not taken yet (its shootdown IPI, delivered like any interrupt only while interrupts are
    // enabled), and as an initiator the targets that have not acknowledged its own request yet, and what it
    // asked.
    struct ShootdownRequest {
        unsigned initiator;
        CrossCpuRequest request;
    };
    std::vector<ShootdownRequest> shootdowns;
    std::uint64_t awaiting_acks = 0;
    CrossCpuRequest::Kind awaiting_kind = CrossCpuRequest::Kind::tlb;

    IoPermissions io;                // its I/O permission bitmap and selection (arch/io_ports.hpp)
    bool in_user = false;            // between Machine::set_in_user(true) and (false)
    std::optional<unsigned> reentry; // an I/O-port request taken in ring 3: leave it with this vector

    StoreBuffer buffer;
    Tlb tlb;
    VectorRegisters vectors = VectorRegisters::initial(); // its user x87/SSE registers
    std::uint64_t root = 0;

    bool has_pending() const {
        return (pending[0] | pending[1] | pending[2] | pending[3]) != 0 || !shootdowns.empty();
    }
};

inline SimCpu& Machine::cpu(int index) {
    return cpus_[index];
}
inline SimCpu& Machine::self() {
    return cpu(running_);
}
inline FiberContext& Machine::ctx(int index) {
    return cpus_[index].ctx;
}

} // namespace hostsim
