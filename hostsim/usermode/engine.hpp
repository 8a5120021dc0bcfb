// One simulated CPU's ring-3 core: a Unicorn engine in 64-bit mode at CPL 3 with paging off.
//
// Unicorn 2.0.1 does not translate through page tables (virtual = physical), so paging stays off and the
// engine's memory regions are the CPU's TLB: hostsim maps each page it translates onto the frame's host
// memory (SoftTlb). The engine reaches CPL 3 once, at creation, through an `iretq` from a trampoline with its
// own GDT (Unicorn will not load a ring-3 selector from outside, and its `sysret` is refused); both pages are
// unmapped afterwards and user code never sees them. From then on the engine never leaves CPL 3: the syscall
// hook and the interrupt hook report instead of entering a kernel, so privileged instructions fault as they
// do in ring 3 on hardware.
//
// Unicorn leaves its pending-exception state set after a hooked exception (the second becomes #DF, the third
// a silent stop), so every slice starts from the clean context saved at CPL 3, with the thread's registers
// written over it.
#pragma once

#include <cstdint>
#include <string>
#include <unicorn/unicorn.h>
#include <vector>

#include "arch/user.hpp"
#include "hostsim/vector_registers.hpp"

namespace hostsim::usermode {

/// What ended a slice of user code, as the engine saw it (the CPU's view comes from UserCpu).
struct EngineStop {
    enum class Kind : std::uint8_t {
        budget,       ///< the instruction budget ran out
        syscall,      ///< a `syscall` instruction; rip is past it
        interrupt,    ///< Unicorn raised interrupt `number` (an exception or `int n`); rip as it left it
        port_io,      ///< an `in`/`out`/`ins`/`outs` at `address` its PortHandler refused (#GP on x86)
        port_done,    ///< a permitted port access completed: rip past it (or at a `rep` form with elements
                      ///< left), so that the machine passes a scheduling point before user code goes on
        invalid,      ///< an invalid opcode (#UD) at rip
        memory,       ///< a memory access the hooks refused (the MemoryHandler said why)
        engine_error, ///< Unicorn itself failed: `message`
    };
    Kind kind = Kind::budget;
    std::uint32_t number = 0;
    std::uint64_t address = 0;
    std::string message;
};

/// Called (and printed) when user code is about to execute a breakpoint address (Engine::set_breakpoints):
/// in gdb, `break janus_user_breakpoint`, then `p/x *frame` shows the thread's registers at that instruction.
extern "C" void janus_user_breakpoint(const arch::UserFrame* frame);

/// Memory accesses the engine has no region for, or whose region forbids them.
class MemoryHandler {
public:
    enum class Access : std::uint8_t { read, write, fetch };
    /// True if the access may be retried (a region now allows it); false stops the slice.
    virtual bool fault(Access access, std::uint64_t address, bool unmapped) = 0;

protected:
    ~MemoryHandler() = default;
};

/// Port I/O by user code: `in`, `out` and each element of `ins`/`outs` (Unicorn 2.0.1 calls its port hooks
/// once per element, rep forms included).
class PortHandler {
public:
    /// Whether ring 3 may access `size` bytes at `port` now (x86: the I/O permission bitmap; IOPL is 0).
    virtual bool permitted(std::uint32_t port, unsigned size) = 0;
    /// A permitted access; the value in the low `size` bytes.
    virtual std::uint32_t read(std::uint32_t port, unsigned size) = 0;
    virtual void write(std::uint32_t port, unsigned size, std::uint32_t value) = 0;

protected:
    ~PortHandler() = default;
};

class Engine {
public:
    explicit Engine(MemoryHandler& memory);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Runs `frame` with the x87/SSE registers `vectors` for at most `budget` instructions; both afterwards
    /// hold the registers as the slice left them. `executed` counts the instructions that completed.
    EngineStop run(arch::UserFrame& frame, hostsim::VectorRegisters& vectors, std::uint64_t budget,
                   std::uint64_t& executed);

    /// Regions: [va, va + size) onto host memory `host` (page aligned) with UC_PROT_* rights.
    bool map(std::uint64_t va, std::uint64_t size, void* host, std::uint32_t prot);
    bool protect(std::uint64_t va, std::uint64_t size, std::uint32_t prot);
    bool unmap(std::uint64_t va, std::uint64_t size);
    /// Drops every translation Unicorn made of guest code (between runs only: never from a hook).
    void forget_code();

    /// Who answers user code's port I/O (null, the default: every access is refused, a #GP).
    void set_ports(PortHandler* ports) { ports_ = ports; }

    /// User addresses at which janus_user_breakpoint() is called before the instruction executes.
    void set_breakpoints(std::vector<std::uint64_t> addresses) { breakpoints_ = std::move(addresses); }

    /// Reads user memory through the engine's regions (instruction bytes at a fault); false if unmapped.
    bool read(std::uint64_t va, void* out, std::size_t size);

    /// Where the engine's descriptor table lived during set-up: a segment-register load by user code reads
    /// it and finds nothing mapped there.
    static constexpr std::uint64_t setup_page = 0xffff'ffff'ffff'e000;

private:
    void enter_ring3();
    void stop(EngineStop s);

    static void on_code(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self);
    static void on_syscall(uc_engine* uc, void* self);
    static void on_interrupt(uc_engine* uc, std::uint32_t number, void* self);
    static std::uint32_t on_in(uc_engine* uc, std::uint32_t port, int size, void* self);
    static void on_out(uc_engine* uc, std::uint32_t port, int size, std::uint32_t value, void* self);
    static bool on_memory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                          std::int64_t value, void* self);

    std::uint64_t reg(int id);
    void set_reg(int id, std::uint64_t value);
    void breakpoint(std::uint64_t address);
    std::uint32_t refuse_port(std::uint32_t port, unsigned size);

    uc_engine* uc_ = nullptr;
    uc_context* clean_ = nullptr;
    MemoryHandler& memory_;
    PortHandler* ports_ = nullptr;
    /// A permitted port access happened: the next instruction's hook ends the slice (port_done).
    bool port_done_ = false;
    /// The registers a refused string or 32-bit port instruction changes before the stop takes effect
    /// (Unicorn completes the element), put back so the #GP leaves them as the instruction found them.
    std::uint64_t refused_rax_ = 0, refused_rcx_ = 0, refused_rsi_ = 0, refused_rdi_ = 0;
    // The slice in progress.
    std::uint64_t budget_ = 0;
    std::uint64_t executed_ = 0;
    /// on_code only counts while executed_ < limit_: budget_, or 0 while breakpoints are set or a stop or a
    /// finished port access waits for the next instruction (then every check runs).
    std::uint64_t limit_ = 0;
    bool stopped_ = false;
    bool dirty_ = false; ///< an exception was raised since the clean context was last restored
    EngineStop stop_;
    std::vector<std::uint64_t> breakpoints_;
};

} // namespace hostsim::usermode
