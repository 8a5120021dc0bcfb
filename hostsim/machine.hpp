// hostsim: the arch contract implemented on a Linux host, so the real kernel sources run inside test
// programs.
//
// A Machine owns simulated physical memory (one host buffer) and N simulated CPUs. Each CPU runs its code on
// its own fiber (Boost.Context) and exactly one CPU executes at a time. Every contract operation that other
// CPUs could observe — atomics, fences, preemption_point(), cpu_relax(), IPIs, TLB operations — is a
// scheduling point: the machine asks its Strategy which CPU performs its next step (hostsim/strategy.hpp) and
// records the choice, so the run can be replayed decision by decision (hostsim/explorer.hpp).
//
// Semantics a test can rely on:
//   * Code before a CPU's first scheduling point runs before any decision; each step is "perform the pending
//     operation, then run on to the next scheduling point", so the schedules of a program are exactly the
//     interleavings of its operations.
//   * cpu_relax() steps aside for the other CPUs. A CPU whose spin loop went round once without any memory
//     change by anyone waits until memory changes; when every CPU waits like that, or sleeps in
//     wait_for_interrupt() with nothing to wake it, the run fails as a deadlock. More than step_budget
//     scheduling points fail it as a livelock.
//   * With Config::tso, relaxed and release stores go to a per-CPU store buffer (hostsim/store_buffer.hpp).
//   * Interrupts (IPIs, the per-CPU timer on virtual time, shootdown requests) are delivered at scheduling
//     points of a CPU that has them enabled, or when it enables them; until then they stay pending. A pending
//     one wakes a CPU from wait_for_interrupt() even with interrupts masked (as sti; hlt).
//   * A TLB shootdown follows the IPI protocol (shootdown()): targets drop their entries only when they take
//     the request, and the initiator waits for every acknowledgement. I/O-port shootdowns share it
//     (cross_cpu_request()).
//   * When a run stops early (a failure or arch::shutdown) the CPUs are abandoned where they are, as a real
//     machine stops: objects on their stacks are not destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/cpu.hpp"
#include "arch/user.hpp"
#include "hostsim/choice.hpp"
#include "hostsim/tlb.hpp"

namespace hostsim {

class Strategy;
class PortBus;
struct IoPermissions;

/// Ring-3 execution on a machine: what arch::run_user does under hostsim (hostsim/usermode). The machine
/// hands it the TLB invalidations the kernel requests, because the user-mode engine keeps its own
/// translations.
class UserMode {
public:
    /// arch::run_user on the executing CPU (arch/user.hpp).
    virtual arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                               const arch::SyscallHook* hook) = 0;
    /// `cpu` drops its translation of the page at `va`, or every non-global one (nullopt).
    virtual void invalidate(arch::CpuId cpu, std::optional<std::uint64_t> va) = 0;

protected:
    ~UserMode() = default;
};
/// What a CPU asks of others through the IPI protocol (Machine::cross_cpu_request), and what a target does
/// when it takes the request: drop TLB entries (a TLB shootdown) or its I/O-port set (arch::io_shootdown).
struct CrossCpuRequest {
    enum class Kind : std::uint8_t { tlb, io_ports, leave_user };
    Kind kind = Kind::tlb;
    std::optional<std::uint64_t> va; ///< tlb: the first page, or nullopt: every non-global entry
    std::uint64_t pages = 1;         ///< tlb: pages from va on
    unsigned reenter = 0;            ///< io_ports, leave_user: the vector run_user of a target in ring 3
                                     ///< returns with
};

struct SimCpu;
struct FiberContext;
struct VectorRegisters;

struct Config {
    unsigned cpus = 1;                    ///< 1 .. max_sim_cpus
    std::size_t memory_bytes = 64u << 20; ///< simulated RAM, physical addresses [0, memory_bytes)
    bool echo_console = false;            ///< also copy console output to stderr
    bool tso = false;                     ///< x86-TSO store buffers; otherwise sequential consistency
    std::uint64_t step_budget = 100'000; ///< scheduling points per scenario execution before it is a livelock
    std::uint64_t ns_per_step = 10;      ///< virtual time that passes per scheduling point
    std::uint64_t time_budget = 0;       ///< virtual ns before a run is a livelock (0: no limit)
};

/// How a run ended. Everything but `pass` is a failure.
enum class Verdict : std::uint8_t {
    pass,
    check_failed,      ///< a check of the scenario or test failed
    deadlock,          ///< no CPU can make progress
    livelock,          ///< the step budget ran out
    stale_translation, ///< a CPU used a cached translation whose frame was freed or remapped
    kernel_stopped,    ///< the kernel called arch::shutdown with a status other than success
    divergence,        ///< the run did not follow the schedule it was asked to replay
};
const char* verdict_name(Verdict v);

struct Outcome {
    Verdict verdict = Verdict::pass;
    std::string message;
    std::optional<arch::ExitStatus> exit_status; ///< set if the kernel called arch::shutdown
    bool irq_enabled_at_exit = false;            ///< the stopping CPU's interrupt flag at arch::shutdown
    std::uint64_t steps = 0;                     ///< scheduling points passed
    std::uint64_t points = 0;                    ///< decision points, with one option or more
    std::vector<Choice> schedule;                ///< the choice at every decision with more than one option

    bool failed() const { return verdict != Verdict::pass; }
};

class Machine {
public:
    explicit Machine(const Config& config = {});
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    const Config& config() const { return config_; }

    /// Simulated physical memory (zero-filled when the machine is made and at reset()).
    std::byte* ram() {
        ram_touched_ = true;
        return ram_;
    }
    std::size_t ram_size() const { return config_.memory_bytes; }

    /// Gives `cpu` code for the next run(). CPUs without code stay halted; they wake only for interrupts.
    void start(arch::CpuId cpu, std::function<void()> code);
    /// Runs the started CPUs until all returned, the kernel shut down or the run failed; false on failure.
    /// May be called several times per scenario; decisions and steps accumulate in outcome().
    bool run();
    /// Runs `kernel_code` on CPU 0 until it returns (nullopt) or calls arch::shutdown (its status).
    std::optional<arch::ExitStatus> run(std::function<void()> kernel_code);

    /// The strategy deciding at scheduling points; null (the default) is a fair non-preemptive scheduler.
    void set_strategy(Strategy* strategy) { strategy_ = strategy; }
    /// Back to the state after construction (RAM zeroed, console, outcome, CPUs, time, TLB hooks cleared),
    /// keeping the configuration, the strategy and the CPU stacks.
    void reset();

    /// What happened so far: the first failure, steps, the decisions taken.
    const Outcome& outcome() const { return outcome_; }
    /// Records a failure (the first one wins). Called on a simulated CPU, it stops the run right there.
    void fail(Verdict verdict, std::string message);
    /// fail(check_failed, printf-style message) unless `ok`; returns `ok`.
    bool check(bool ok, const char* format, ...) __attribute__((format(printf, 3, 4)));

    /// Everything the kernel wrote to its console on this machine since the last reset().
    const std::string& console() const { return console_; }
    /// Writes one line per operation performed and per decision to `out` (null: off). See
    /// docs/debugging-seeds.md for how to read it.
    void set_trace(std::FILE* out) { trace_ = out; }
    bool tracing() const { return trace_ != nullptr; }
    /// A trace line for an operation the executing CPU just performed (called when tracing()).
    void trace_event(const char* what) { trace("  cpu%d  %s", running_, what); }
    void trace_access(const char* op, const volatile void* addr, unsigned size, std::uint64_t value,
                      const char* note);
    /// A stable short name for an address within one execution: ram+0x... inside simulated RAM, else x1, x2,
    /// ... in order of first use (host addresses differ from process to process).
    std::string address_name(const volatile void* addr);

    /// The machine whose simulated CPUs are executing on this thread; null outside run().
    static Machine* current() { return current_machine_; }

    // --- TLB model (hostsim/tlb.hpp) --------------------------------------------------------------------
    void set_walker(Walker walker) { walker_ = std::move(walker); }
    void set_frame_generation(FrameGeneration generation) { frame_generation_ = std::move(generation); }
    /// A memory access by the executing CPU through its TLB; a scheduling point. Returns the physical
    /// address, or nullopt for a page fault (nothing mapped, or rights missing after a fresh walk). Using a
    /// cached translation whose frame was freed, or whose page now maps another frame, fails the run
    /// (Verdict::stale_translation).
    std::optional<std::uint64_t> translate(std::uint64_t va, std::uint8_t needed_access);
    /// Loads the executing CPU's page-table root (CR3): non-global translations are dropped.
    void load_root(std::uint64_t root);
    std::uint64_t root() const;
    /// invlpg on the executing CPU.
    void invalidate_page(std::uint64_t va);
    /// Invalidation on another CPU's TLB, at once, whatever it is doing (a page, or everything non-global
    /// when `va` is nullopt). Not a scheduling point; not what a shootdown does (see shootdown()).
    void invalidate_on(arch::CpuId cpu, std::optional<std::uint64_t> va);
    /// A shootdown from the executing CPU, as the hardware protocol goes (arch/x86_64/tlb.cpp): a scheduling
    /// point (the IPIs), then each other CPU in `cpu_mask` gets a shootdown request, an interrupt it takes
    /// only while its interrupts are enabled (at a scheduling point, when it enables them, or on waking from
    /// wait_for_interrupt and enabling them); until then it keeps every cached translation. Taking it drops
    /// `pages` pages from `va` on (or every non-global entry, `va` nullopt) and acknowledges; it is handled
    /// here, never passed to the kernel's handler, and not counted in interrupts_taken(). The executing CPU
    /// drops its own entries at once if it is in the mask, then polls until every target acknowledged, each
    /// poll a scheduling point that waits like a stalled cpu_relax(): an initiator waiting for a CPU that
    /// spins or sleeps with interrupts masked ends the run as a deadlock (or, if that CPU keeps changing
    /// memory, a livelock). A CPU without code in this run, or whose code returned, idles with interrupts
    /// enabled and acknowledges at once (also what it had pending when its code returned). Called from the
    /// host (outside a run) every target drops at once.
    void shootdown(std::uint64_t cpu_mask, std::optional<std::uint64_t> va, std::uint64_t pages = 1);
    /// The protocol shootdown() follows, for any request (hostsim/cross_cpu.cpp): the same scheduling points,
    /// delivery only with interrupts enabled, the initiator's wait and its deadlock reports; each target
    /// carries out `request` when it takes it, the executing CPU at once if it is in `cpu_mask`.
    void cross_cpu_request(std::uint64_t cpu_mask, const CrossCpuRequest& request);
    /// Whether `cpu` has a shootdown request (of any kind) it has not taken yet.
    bool shootdown_pending(arch::CpuId cpu) const;
    const Tlb& tlb(arch::CpuId cpu) const;

    // --- User mode (hostsim/usermode) ---------------------------------------------------------------------
    /// The engine behind arch::run_user on this machine (null: user code cannot run here).
    void set_user_mode(UserMode* user) { user_mode_ = user; }
    UserMode* user_mode() const { return user_mode_; }
    /// User mode brackets the executing CPU's time in ring 3 (from before it opens interrupts to after it
    /// masks them again): an I/O-port request it takes meanwhile asks it to leave ring 3 (arch/io_ports.hpp).
    void set_in_user(bool in_user);
    /// The vector an I/O-port request asked the executing CPU to leave ring 3 with, once (then forgotten).
    std::optional<unsigned> take_user_reentry();

    // --- I/O ports (hostsim/io_ports.hpp, hostsim/port_bus.hpp) --------------------------------------------
    /// `cpu`'s I/O permission state (the executing CPU's is what arch::io_* change).
    IoPermissions& io_permissions(arch::CpuId cpu);
    /// The devices behind `in`/`out` on this machine (null: none; every port reads all ones). Kept by
    /// reset().
    void set_port_bus(PortBus* bus) { port_bus_ = bus; }
    PortBus* port_bus() const { return port_bus_; }

    // --- Interrupts --------------------------------------------------------------------------------------
    using InterruptHandler = std::function<void(unsigned vector)>;
    /// The kernel's entry for interrupts, called on the interrupted CPU with interrupts masked.
    void set_interrupt_handler(InterruptHandler handler) { handler_ = std::move(handler); }
    /// Makes `vector` pending on `cpu`; a scheduling point when sent from a simulated CPU.
    void send_ipi(arch::CpuId cpu, unsigned vector);
    /// A device's interrupt (hostsim/irq_lines.cpp): `vector` pending on `cpu` at once, not a scheduling
    /// point (devices change state inside another operation, such as user code's port access). Also from the
    /// host.
    void raise_interrupt(arch::CpuId cpu, unsigned vector);
    /// Virtual time in nanoseconds: ns_per_step per scheduling point; jumps to the next timer deadline when
    /// every CPU waits.
    std::uint64_t now() const { return now_; }
    /// One-shot timer of the executing CPU raising `vector` at virtual time `deadline` (0 disarms).
    void arm_timer(std::uint64_t deadline, unsigned vector);
    /// A device's periodic interrupt (hostsim/irq_lines.cpp: the legacy timer line): `vector` is raised on
    /// CPU 0 every `period` ns of virtual time, the first one `period` after this call; ticks missed while
    /// nobody ran collapse into one. Period 0 stops it. Like the per-CPU timers, virtual time jumps to its
    /// next tick when every CPU waits.
    void set_periodic_interrupt(std::uint64_t period, unsigned vector);
    /// Virtual time the executing CPU spent outside the kernel's scheduling points (user code under
    /// hostsim/usermode); timers it passed fire at the next scheduling point.
    void advance_time(std::uint64_t ns) { now_ += ns; }
    /// Interrupts the executing CPU has taken so far, and the vector of the latest one: how user mode tells
    /// that its run was interrupted.
    std::uint64_t interrupts_taken() const;
    unsigned last_interrupt() const;
    /// Count of changes the contract's operations made to memory: equal values mean nothing changed between.
    std::uint64_t memory_epoch() const { return epoch_; }

    // --- Contract back ends (hostsim/arch_contract.cpp, hostsim/memory_ops.cpp) ----------------------------
    void console_write(std::string_view text);
    [[noreturn]] void shutdown(arch::ExitStatus status);
    arch::CpuId cpu_id() const { return static_cast<arch::CpuId>(running_); }
    unsigned cpu_count() const { return config_.cpus; }
    bool irq_enabled() const;
    /// Sets the executing CPU's interrupt flag; enabling delivers what is pending. Returns the old flag.
    bool set_irq_enabled(bool enabled);
    void wait_for_interrupt();
    /// The executing CPU's user x87/SSE registers (arch::extended_state_load/save; its engine runs on them).
    VectorRegisters& vector_registers();

    /// ack_wait: an initiator's poll for shootdown acknowledgements (a cpu_relax() as far as waiting goes).
    enum class Point : std::uint8_t { load, store, rmw, fence, preempt, relax, ipi, tlb, wfi, ack_wait };
    /// A scheduling point of the executing CPU before an operation of kind `point` on `addr`.
    void schedule(Point point, const volatile void* addr = nullptr);

    std::uint64_t load(const volatile void* addr, unsigned size);
    void store(volatile void* addr, unsigned size, std::uint64_t value, bool buffered);
    /// Writes the executing CPU's store buffer to memory (a locked operation or seq_cst fence).
    void drain_own_buffer();
    /// After a read-modify-write wrote memory directly: note whether the value changed.
    void note_write(bool changed) { epoch_ += changed ? 1 : 0; }

private:
    // Defined in hostsim/sim_cpu.hpp (SimCpu is complete only there): inline because every scheduling point
    // goes through them.
    inline FiberContext& ctx(int index);
    inline SimCpu& cpu(int index);
    inline SimCpu& self();
    bool sole_runner(Point point) const;
    void zero_ram();
    int host_index() const { return static_cast<int>(config_.cpus); }

    void prepare_fiber(int index);
    void transfer(int to);
    void arrived(int self, const void* fresh_fiber_stack);
    [[noreturn]] void exit_to_host();
    void abandon_cpus();
    [[noreturn]] void stop();
    std::string shutdown_message(arch::ExitStatus status) const;
    std::string deadlock_message() const;
    int decide();
    bool runnable(const SimCpu& c) const;
    bool advance_timers(bool jump);
    void drain_one(unsigned cpu);
    void deliver_interrupts();
    std::optional<unsigned> take_pending(SimCpu& c);
    void post(unsigned cpu, unsigned vector);
    void acknowledge_shootdowns(unsigned cpu);
    void carry_out(unsigned cpu, const CrossCpuRequest& request);
    void drop_pages(unsigned cpu, std::optional<std::uint64_t> va, std::uint64_t pages);
    void trace(const char* format, ...) __attribute__((format(printf, 2, 3)));

    Config config_;
    std::byte* ram_ = nullptr;
    bool ram_touched_ = false;
    std::vector<unsigned char> resident_; // zero_ram(): mincore's answer, kept to avoid an allocation
    std::string console_;
    static inline thread_local Machine* current_machine_ = nullptr; // see current()
    std::unique_ptr<SimCpu[]> cpus_; // config_.cpus simulated CPUs, then the host context
    int running_;                    // index of the executing context (host_index() when none)
    int from_ = 0;                   // the context that made the latest switch
    Strategy* strategy_ = nullptr;
    Outcome outcome_;
    bool in_run_ = false;
    bool stopping_ = false;
    bool exiting_ = false;
    unsigned unstarted_ = 0;
    unsigned live_coded_ = 0;
    int yielder_ = -1;
    int current_ = -1;        // the CPU last chosen to take a step (starting a CPU is not a step)
    std::uint64_t epoch_ = 0; // count of memory changes; a spin loop that saw none waits for one
    std::uint64_t now_ = 0;
    std::uint64_t periodic_period_ = 0, periodic_next_ = 0; // set_periodic_interrupt; period 0: off
    // No CPU timer or periodic tick falls due before this virtual time (a lower bound, so most scheduling
    // points skip the timer scan; ~0: nothing armed).
    std::uint64_t timers_due_ = ~0ull;
    unsigned periodic_vector_ = 0;
    std::vector<Choice> options_;
    InterruptHandler handler_;
    UserMode* user_mode_ = nullptr;
    PortBus* port_bus_ = nullptr;
    Walker walker_;
    FrameGeneration frame_generation_;
    std::FILE* trace_ = nullptr;
    std::vector<const volatile void*> traced_addresses_;
    char run_sync_ = 0, done_sync_ = 0; // addresses for TSan happens-before edges (hostsim/sanitizers.hpp)
};

/// Reads simulated memory without a scheduling point or store-buffer forwarding: for page-table walkers and
/// checks after a run. `size` is 1, 2, 4 or 8.
std::uint64_t peek(const volatile void* addr, unsigned size = 8);

} // namespace hostsim
