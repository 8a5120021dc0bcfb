// arch::run_user under hostsim: ring-3 code of each simulated CPU runs in its own Unicorn engine (UserCpu).
//
// A kernel entry into user mode runs slices of at most Config::slice instructions. Each slice advances
// virtual time by its instructions (Config::ns_per_instruction) and ends at a scheduling point of the
// machine, where other CPUs may run and interrupts arrive: the budget stands for the timer, and the
// explorer's strategy decides how user code on different CPUs interleaves, slice by slice. run() returns
// like arch::run_user on x86-64: at a syscall or exception of the thread, or with the vector of an interrupt
// the kernel's handler took while user code ran, or with the vector an I/O-port shootdown named when this CPU
// took it in ring 3 (arch/io_ports.hpp; the kernel's handler is not called for it, as for the TLB's).
//
// Port I/O: an access the executing CPU's I/O permission set allows (Machine::io_permissions) goes to the
// machine's port bus (Machine::port_bus; none: all ones, writes dropped) and ends the slice: a scheduling
// point, so device interrupts it raises are taken before user code goes on, as they would be on hardware.
//
// Between kernel operations (Config::settled says when) each CPU's TLB is audited before it runs user code
// again; a use of a stale translation fails the run with Verdict::stale_translation and its replay line.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/usermode/user_cpu.hpp"

namespace hostsim::usermode {

/// The addresses in JANUS_SIM_USER_BREAK (comma-separated, hexadecimal with 0x or decimal).
std::vector<std::uint64_t> breakpoints_from_environment();

class UnicornUserMode final : public UserMode, private PortHandler {
public:
    struct Config {
        std::uint64_t slice = 20'000;         ///< instructions between scheduling points
        std::uint64_t ns_per_instruction = 4; ///< virtual time per instruction
        std::size_t tlb_entries = 64;         ///< engine regions per CPU (Unicorn slows with many)
        /// True while no kernel operation is in flight (nothing may then disagree with the page tables).
        /// Without it the TLB is never audited.
        std::function<bool()> settled;
        /// User addresses where janus_user_breakpoint() is called (engine.hpp); by default from the
        /// environment: JANUS_SIM_USER_BREAK=0x401234[,0x...].
        std::vector<std::uint64_t> breakpoints = breakpoints_from_environment();
    };

    struct Stats {
        std::uint64_t instructions = 0; ///< user instructions begun, all CPUs
        std::uint64_t slices = 0;
        std::uint64_t entries = 0; ///< run() calls
        std::uint64_t tlb_fills = 0;
        std::uint64_t port_accesses = 0; ///< permitted ones, all CPUs
    };

    /// On `machine` (installs itself as its user mode; uninstalls in the destructor).
    UnicornUserMode(Machine& machine, Config config);
    ~UnicornUserMode();
    UnicornUserMode(const UnicornUserMode&) = delete;
    UnicornUserMode& operator=(const UnicornUserMode&) = delete;

    arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                       const arch::SyscallHook* hook) override;
    void invalidate(arch::CpuId cpu, std::optional<std::uint64_t> va) override;

    Stats stats() const;

private:
    struct Cpu;
    Cpu& cpu(arch::CpuId id);
    bool permitted(std::uint32_t port, unsigned size) override;
    std::uint32_t read(std::uint32_t port, unsigned size) override;
    void write(std::uint32_t port, unsigned size, std::uint32_t value) override;
    void trace_port(const char* direction, std::uint32_t port, unsigned size, std::uint32_t value);
    /// Fails the run for slice `s` (stale access or machine error) of the executing CPU at `rip`.
    void fail(Verdict verdict, const char* where, std::uint64_t rip, Slice& s);

    Machine& machine_;
    Config config_;
    std::vector<std::unique_ptr<Cpu>> cpus_;
    Stats stats_;
};

} // namespace hostsim::usermode
