// Sandbox: one kernel, reset cheaply between runs, driven through the real dispatcher, with every oracle of
// the syscall fuzzers after every syscall:
//   * the status is ok, or one the spec lists for that syscall (bad_syscall exactly for unknown numbers);
//   * registers other than the syscall's results keep their values, and results are written only on success;
//   * the kernel's invariant checker (kernel/check) passes;
//   * the reference model (models/caps), run alongside in the same order, returns the same status and result
//     registers for every syscall it describes, and at the end of the run the kernel's capability spaces,
//     quotas, objects and object census equal the model's (proptest's compare_state, through the CapsSut
//     adapter in model_sut.cpp);
//   * at the end of the run every object is destroyed (destroy_all) and every page comes back
//     (Options::teardown: the tests; the fuzz targets on request).
// Sanitizers (ASan, UBSan in the fuzz preset) watch all of it.
//
// Syscalls the model does not describe (IPC, thread control, memory while the kernel has no memory side)
// still get every other oracle. The model keeps following across one of them when it failed with an error
// (which changes nothing, except ipc_call and ipc_reply_recv: step.hpp, may_change_on_error) or when the
// kernel's capability-visible state still equals the model's afterwards; otherwise (an IPC message moved a
// capability, a reply capability appeared) the model steps out for the rest of the run and the step that made
// it says so in the trace.
//
// Between runs the kernel is not destroyed and booted again: reset() restores a snapshot of the booted kernel
// (snapshot.hpp: the pages it holds, the Kernel object, the host-side state), copying back only what the run
// changed, so a run starts from the same state as on a fresh boot, byte for byte (snapshot_test.cpp).
//
// The kernel runs on a hostsim Machine (reset, not rebuilt, between runs): every kernel entry of a step is
// one Machine::run on CPU 0, so the console is captured and a kernel panic ends the run as a failure; the smp
// target runs the steps on several of its CPUs instead (machine()).
//
// A failure either aborts the process after printing the program with the kernel's and the model's outcome of
// every step (OnFailure::abort: the fuzzers) or is recorded for a test to report (OnFailure::record).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/syscalls/page_pool.hpp"
#include "fuzz/syscalls/snapshot.hpp"
#include "fuzz/syscalls/step.hpp"
#include "hostsim/machine.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/obj/observer.hpp"

namespace kernel {
class Pd;
class Thread;
} // namespace kernel

namespace hostsim {
class Strategy;
} // namespace hostsim

namespace fuzzsys {

class ModelLink;

/// Memory the root holds at boot (kernel::grant_root_memory; the model's boot_mapping): `pages` user frames
/// mapped from `va` with `rights`.
struct BootMemory {
    Word va, pages, rights;
};

/// The root's boot memory: low pages with every right (where UTCBs are put too, so they conflict), a 2 MiB
/// aligned run that may be read and passed on, and a run that may be written but not passed on.
inline constexpr BootMemory boot_memory[] = {
    {0x2000, 30, abi::rights::read | abi::rights::write | abi::rights::exec | abi::rights::grant},
    {0x200000, 8, abi::rights::read | abi::rights::grant},
    {0x400000, 4, abi::rights::read | abi::rights::write},
};
inline constexpr Word boot_memory_pages = 30 + 8 + 4;

struct Options {
    Word quota = 256 * 1024; ///< the root's kernel memory: small, so quota exhaustion is reachable
    unsigned cap_order = 6;  ///< the root's capability space: 64 slots
    unsigned cpus = 4;       ///< CPUs the kernel knows (thread_create's cpu argument is checked against it)
    /// CPUs of the hostsim machine. The sequential target runs everything on CPU 0 of a one-CPU machine (a
    /// syscall sends no IPI; only the run loop does), where a scheduling point costs least.
    unsigned machine_cpus = 1;
    Word root_utcb = 0x1000;  ///< the root thread's UTCB page
    std::size_t pages = 1024; ///< the page pool (more than any quota above can use)
    /// When the invariant checker runs (and at the end of the run, unless it has seen that state already).
    enum class Check : std::uint8_t {
        every_step,    ///< after every syscall and event (regression tests, the repro tool)
        state_changes, ///< after every step that may have changed state: a syscall that succeeded or waited
                       ///< or may_change_on_error, any event; any other syscall that failed changed nothing
                       ///< (the model compares its status and the next check sees any damage it did) (the
                       ///< fuzz targets, in CI too)
        end,           ///< at the end only (benchmarks)
    };
    Check check = Check::every_step;
    bool model = true; ///< the model alongside (off only for benchmarks)
    /// reset() restores a snapshot of the booted kernel (one per CPU count, taken at its first boot) instead
    /// of booting a new one (snapshot.hpp); off: every reset() is a fresh boot (what the tests compare with).
    bool snapshots = true;
    /// finish() destroys every object (destroy_all) and checks that every page came back and the kernel is
    /// empty. The fuzz targets leave it off: the next reset() restores the snapshot without it (which takes a
    /// tenth of the time destroy_all does); the tests, the repro tool and the corpus census keep it.
    bool teardown = true;
    /// After every restore, compare the whole state with the snapshot (every page, the Kernel object, the
    /// free stack) and fail on a difference: slow, for tests.
    bool verify_restore = false;
};

class Sandbox final : private kernel::SyscallObserver {
public:
    enum class OnFailure : std::uint8_t { abort, record };

    explicit Sandbox(OnFailure mode, const Options& options = {});
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    /// A fresh kernel with its root domain (and the model's boot state): every earlier object is gone.
    /// `cpus` overrides Options::cpus for this run (0: keep). With Options::snapshots the first reset for a
    /// CPU count boots and takes a snapshot, later ones restore it: the kernel is then as that boot left it,
    /// byte for byte.
    void reset(unsigned cpus = 0);
    /// End-of-run oracles: the final comparison with the model, then (Options::teardown) destroy_all and the
    /// page count.
    void finish();

    /// Switches Options::snapshots: off, the next reset() boots afresh (the snapshots stay for later).
    void set_snapshots(bool on) { options_.snapshots = on; }
    /// Everything a run may change (snapshot.hpp), to compare two runs' end states.
    StateImage image() const;
    /// Resets so far that restored a snapshot, the pages they copied back, and the time (steady clock) they
    /// took for the kernel (the pool, the Kernel object, hostsim's state) and for the model's boot state.
    std::uint64_t restores() const { return restores_; }
    std::uint64_t pages_restored() const { return pages_restored_; }
    std::uint64_t restore_ns() const { return restore_ns_; }
    std::uint64_t model_boot_ns() const { return model_boot_ns_; }
    /// Test hooks, each a broken restore the snapshot tests must notice: a page not copied back, the Kernel
    /// object's per-CPU entries not restored, hostsim's device-line mask not reset.
    enum class Plant : std::uint8_t { none, skipped_page, skipped_cpu_entries, kept_irq_mask };
    void plant(Plant p) {
        plant_ = p;
        pool_.plant_skipped_page(p == Plant::skipped_page);
    }

    // ---- steps ----
    void call(unsigned actor, abi::Syscall s, std::initializer_list<Word> args);
    void call_number(unsigned actor, Word number, std::initializer_list<Word> args);
    void call(unsigned actor, Word number, const Args& args);
    void advance(Word ns);
    void interrupt(Word line);
    void utcb(unsigned actor, UtcbField field, Word index, Word value);

    // ---- what the generator looks at ----
    kernel::Kernel& kernel() { return *kernel_; }
    hostsim::Machine& machine() { return machine_; }
    const Options& options() const { return options_; }
    unsigned cpus() const { return cpus_; }
    /// Threads created in this run so far, dead ones included (the actor numbers in use).
    unsigned actor_count() const { return static_cast<unsigned>(actors_.size()); }
    /// The live thread of actor `a`, or nullptr.
    kernel::Thread* actor(unsigned a) const;
    /// Whether actor `a` can enter the kernel: alive, started, not waiting, not in a syscall on another CPU.
    bool can_call(unsigned a) const;
    /// The actor number of a live thread (actor_count() if unknown).
    unsigned actor_of(const kernel::Thread* t) const;

    // ---- results ----
    bool failed() const { return !failure_.empty(); }
    const std::string& failure() const { return failure_; }
    const std::vector<Step>& trace() const { return trace_; }
    /// (syscall number, status) of every wait that ended in this run, in order.
    const std::vector<std::pair<Word, abi::Error>>& wakeups() const { return wakeups_; }
    /// The program so far with both outcomes per step, and the failure.
    std::string report() const;
    /// Syscall steps the model checked, and why it stepped out ("" while it follows).
    std::uint64_t modelled_steps() const { return modelled_steps_; }
    const std::string& model_stepped_out() const;

    /// The smp target: `code[c]` runs on simulated CPU c, all at once, under `strategy` (the machine's CPUs
    /// must be at least code.size(): Options::machine_cpus). Steps record the CPU they ran on; the trace has
    /// syscalls in the order they took the kernel lock, and the oracles run right there, under the lock. The
    /// model is compared on described syscalls in that order; it is not compared before the others (there is
    /// no quiet moment outside the lock), so it steps out at the first of them that changes what it holds.
    /// A deadlock or livelock verdict of the machine fails the run.
    void run_concurrently(const std::vector<std::function<void()>>& code, hostsim::Strategy* strategy);
    /// The same, following `schedule` (hostsim's schedule string) as far as its choices remain possible, the
    /// fair default after that: how a regression test replays a concurrent finding.
    void run_concurrently(const std::vector<std::function<void()>>& code, const std::string& schedule);
    /// Told about every step twice: before it runs (`done` false; a call's outcome fields are not set yet)
    /// and once it ran with its oracles (the recorded step). The repro tool streams steps through it, so a
    /// step that crashes the process is still known.
    using StepHook = std::function<void(const Step& step, bool done)>;
    void set_step_hook(StepHook hook) { hook_ = std::move(hook); }

private:
    void after_syscall(kernel::Kernel& k, kernel::Thread& caller, const kernel::SyscallRegs& in,
                       const kernel::SyscallRegs& out, abi::Error status) override;
    void after_wakeup(kernel::Kernel& k, kernel::Thread& thread, Word number, abi::Error status) override;
    void refresh_actors();
    void check_invariants(const char* after);
    void check_invariants(Word number, std::size_t step); ///< after syscall `number`, the step-th (0-based)
    void fail(const std::string& what);
    /// A syscall whose oracles are still to run (see after_syscall).
    struct Deferred {
        std::size_t step;
        kernel::Thread* caller;
        bool waits;
    };
    void run_oracles(const Deferred& d);
    void after_event(const Step& step);
    void announce(const Step& step) {
        if (hook_) hook_(step, false);
    }
    void settle() {
        if (hook_ && !trace_.empty()) hook_(trace_.back(), true);
    }
    /// Runs `f` on simulated CPU 0 (or right here when already on a simulated CPU) and fails the run if the
    /// kernel stopped the machine.
    template <typename F>
    void enter(F&& f);

    /// A booted kernel: the root's objects and everything to put it back.
    struct Snapshot {
        unsigned cpus = 0;
        kernel::Pd* root_pd = nullptr;
        kernel::Thread* root_thread = nullptr;
        KernelImage kernel;
        PoolSnapshot pool;
    };
    /// Boots a new kernel on `cpus` CPUs into the (emptied) pool and returns its root.
    kernel::Root boot(unsigned cpus, const kernel::RootConfig& config);
    void restore(const Snapshot& s);

    Options options_;
    OnFailure mode_;
    PagePool pool_;
    hostsim::Machine machine_;
    std::unique_ptr<kernel::Kernel> kernel_;
    std::unique_ptr<ModelLink> model_;
    std::vector<std::unique_ptr<Snapshot>> snapshots_; ///< one per CPU count; stable addresses (the pool's)
    Plant plant_ = Plant::none;
    std::uint64_t restores_ = 0, pages_restored_ = 0, restore_ns_ = 0, model_boot_ns_ = 0;
    unsigned cpus_ = 1;
    unsigned here() const;
    bool live_ = false;
    bool concurrent_ = false;
    bool unchecked_ = false; ///< a step ran since the invariant checker last looked at the kernel
    std::vector<kernel::Thread*> actors_; ///< by creation order; nullptr once dead
    std::vector<bool> in_kernel_;         ///< actor is inside a syscall right now (smp)
    std::vector<char> seen_;              ///< refresh_actors' scratch
    std::vector<Step> trace_;
    std::vector<std::pair<Word, abi::Error>> wakeups_;
    std::optional<Deferred> deferred_;
    StepHook hook_;
    std::string failure_;
    std::uint64_t modelled_steps_ = 0;
};

} // namespace fuzzsys
