// One simulated CPU in ring 3, with x86-64 semantics on top of its Unicorn engine: what a slice of user code
// ends with, in the terms of arch::UserExit, as the bare-metal kernel (arch/x86_64/user.cpp, whose IDT gates
// all have DPL 0 and whose ring 3 has IOPL 0) would see it:
//
//   syscall                 -> syscall exit; rip past it, rcx = rip and r11 = rflags as the instruction sets
//   #UD, #DE, #GP, ...      -> exception exit with the vector, rip at the faulting instruction
//   int n, int3             -> #GP with error code (n << 3) | 2 (a gate ring 3 may not use), rip at the int
//   in, out, ins, outs      -> the port access if the executing CPU's I/O permission bitmap has every bit of
//                              it (hostsim/io_ports.hpp; IOPL is 0), which ends the slice past the
//                              instruction (a scheduling point); else #GP(0) at the instruction, registers
//                              and memory as it found them
//   non-canonical address   -> #GP(0)
//   missing page or right   -> #PF with the SDM's error code and the address (CR2), after a fresh walk
//   rdtsc, rdtscp           -> emulated from virtual time (the engine runs with CR4.TSD so they trap)
//
// Known differences from hardware, none reachable by the user runtime (user/lib): a segment-register load
// faults with #GP instead of loading a ring-3 selector; an access to the kernel half is a #PF without the
// present bit (hostsim's user tables have no kernel half); `int 6` ends as #UD (Unicorn 2.0.1 takes vector 6
// for an invalid opcode) instead of #GP; a push through a non-canonical rsp is #GP where hardware raises #SS
// (QEMU's TCG does the same as hostsim); stores into code pages by other CPUs or the kernel are not seen by
// code this engine translated before. Port I/O at a refused port, where hardware checks the port before it
// touches memory and raises #GP: `outs` from a source it may not read is a #PF (Unicorn reads the source
// before its port hook), and `ins` first stores zeros to its destination (TCG's restartable dummy store), so
// its first element is zeroed, or a destination it may not write is a #PF. A `rep` string form runs one
// element per slice (each element is a scheduling point), which hardware allows (it may take interrupts
// between elements) but never does this often. (x87, SSE and AVX-less vector code run as on hardware: the
// kernel gives ring 3 the FPU, docs/abi.md.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "arch/user.hpp"
#include "hostsim/usermode/engine.hpp"
#include "hostsim/usermode/soft_tlb.hpp"

namespace hostsim::usermode {

struct Slice {
    enum class Kind : std::uint8_t {
        budget,        ///< the instruction budget ran out
        time_stamp,    ///< rdtsc/rdtscp at rip (`length` bytes): the caller supplies the time and goes on
        port_access,   ///< a permitted port access completed (rip past it): a scheduling point, then go on
        kernel_entry,  ///< `exit` says why (syscall or exception)
        stale_access,  ///< user code used a stale translation: `message`
        machine_error, ///< hostsim cannot go on: `message`
    };
    Kind kind = Kind::budget;
    arch::UserExit exit{};
    unsigned length = 0;
    std::string message;
    std::uint64_t instructions = 0; ///< begun in this slice
};

class UserCpu final : private MemoryHandler {
public:
    UserCpu(Ram ram, std::size_t tlb_entries) : engine_(*this), tlb_(engine_, ram, tlb_entries) {}

    SoftTlb& tlb() { return tlb_; }
    /// Who answers permitted port I/O and decides what is permitted (null: no port, every access a #GP).
    void set_ports(PortHandler* ports) { engine_.set_ports(ports); }
    void set_breakpoints(std::vector<std::uint64_t> addresses) {
        engine_.set_breakpoints(std::move(addresses));
    }

    /// Runs `frame` with the x87/SSE registers `vectors` for at most `budget` instructions in the address
    /// space whose top table tlb() has loaded.
    Slice run(arch::UserFrame& frame, VectorRegisters& vectors, std::uint64_t budget);

    /// Completes the rdtsc/rdtscp a time_stamp slice stopped at, with `tsc` as the time-stamp counter.
    static void complete_time_stamp(arch::UserFrame& frame, const Slice& s, std::uint64_t tsc);

private:
    bool fault(Access access, std::uint64_t address, bool unmapped) override;
    Slice from_interrupt(arch::UserFrame& frame, std::uint32_t number);

    Engine engine_;
    SoftTlb tlb_;
    Slice pending_; ///< what a refused memory access (fault()) ends the slice with
    std::optional<std::uint64_t>
        new_code_; ///< a fetch mapped other code at this page (SoftTlb::Fill::new_code)
};

} // namespace hostsim::usermode
