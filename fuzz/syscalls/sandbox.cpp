#include "fuzz/syscalls/sandbox.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "arch/cpu.hpp"
#include "fuzz/syscalls/model_link.hpp"
#include "hostsim/io_ports.hpp"
#include "hostsim/irq_lines.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/schedule.hpp"
#include "hostsim/strategy.hpp"
#include "hostsim/tlb_contract.hpp"
#include "kernel/check/check.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/dispatch.hpp"
#include "kernel/syscall/testing/test_machine_boot.hpp"

namespace fuzzsys {

namespace {

/// Where user space starts a thread: only its registers matter here, no code runs.
constexpr Word start_ip = 0x400000, start_sp = 0x7ff000;

/// Holds the big kernel lock for a scope, taken as the run loop takes it (kernel::sched::lock_kernel in
/// kernel/sched/cpu_loop.hpp): interrupts open while it waits, since the CPU holding it may be waiting for
/// this one to acknowledge a shootdown (TLB or I/O ports). Spinning with them masked, a CPU of the smp target
/// held up an io_create's I/O-port shootdown for ever (a deadlock verdict, fuzz_syscalls_smp's first finding
/// after the shootdown came in; the sequential target never waits for the lock).
class KernelLock {
public:
    explicit KernelLock(kernel::Spinlock& lock) : lock_(lock) {
        while (!lock_.try_lock()) {
            arch::irq_enable();
            arch::cpu_relax();
            arch::irq_disable();
        }
    }
    ~KernelLock() { lock_.unlock(); }
    KernelLock(const KernelLock&) = delete;
    KernelLock& operator=(const KernelLock&) = delete;

private:
    kernel::Spinlock& lock_;
};

std::uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
            .count());
}

hostsim::Config machine_config(const Options& options) {
    hostsim::Config c;
    c.cpus = options.machine_cpus;
    c.memory_bytes = 0; // kernel pages come from the pool
    c.step_budget = 1'000'000;
    return c;
}

} // namespace

Sandbox::Sandbox(OnFailure mode, const Options& options)
    : options_(options), mode_(mode), pool_(options.pages, boot_memory_pages),
      machine_(machine_config(options)), kernel_(std::make_unique<kernel::Kernel>()),
      model_(std::make_unique<ModelLink>()) {}

Sandbox::~Sandbox() {
    // The kernel's pages go with the pool; nothing of it needs tearing down (a failed or planted run may have
    // left it broken). Only what outlives the sandbox goes back to boot state: the host thread's simulated
    // CPU and device lines.
    hostsim::reset_io_ports();
    hostsim::reset_irq_lines();
}

unsigned Sandbox::here() const {
    return hostsim::Machine::current() ? arch::cpu_id() : 0;
}

void Sandbox::run_concurrently(const std::vector<std::function<void()>>& code, hostsim::Strategy* strategy) {
    if (failed()) return;
    concurrent_ = true;
    machine_.set_strategy(strategy);
    for (unsigned c = 0; c < code.size() && c < machine_.cpu_count(); ++c) machine_.start(c, code[c]);
    machine_.run();
    machine_.set_strategy(nullptr);
    concurrent_ = false;
    if (machine_.outcome().failed() || machine_.outcome().exit_status)
        fail(std::string("the machine stopped the run (") +
             hostsim::verdict_name(machine_.outcome().verdict) + "): " + machine_.outcome().message +
             "; console:\n" + machine_.console());
}

namespace {

/// Follows a recorded schedule while its choices are among the options, then the fair default.
class Lenient final : public hostsim::Strategy {
public:
    explicit Lenient(std::vector<hostsim::Choice> s) : schedule_(std::move(s)) {}
    std::size_t pick(const hostsim::Decision& d) override {
        if (at_ < schedule_.size())
            for (std::size_t i = 0; i < d.options.size(); ++i)
                if (d.options[i] == schedule_[at_]) {
                    ++at_;
                    return i;
                }
        at_ = schedule_.size();
        return hostsim::default_pick(d);
    }

private:
    std::vector<hostsim::Choice> schedule_;
    std::size_t at_ = 0;
};

} // namespace

void Sandbox::run_concurrently(const std::vector<std::function<void()>>& code, const std::string& schedule) {
    Lenient strategy(hostsim::decode_schedule(schedule).value_or(std::vector<hostsim::Choice>{}));
    run_concurrently(code, &strategy);
}

template <typename F>
void Sandbox::enter(F&& f) {
    if (hostsim::Machine::current()) {
        f();
        return;
    }
    // A lambda holding one reference fits std::function's own storage: no heap block per kernel entry.
    std::optional<arch::ExitStatus> stopped = machine_.run(std::function<void()>([&f] { f(); }));
    if (stopped || machine_.outcome().failed()) {
        std::string console = machine_.console();
        if (console.size() > 2000) console = "..." + console.substr(console.size() - 2000);
        fail(std::string("the kernel stopped the machine (") +
             (stopped ? "shutdown " + std::to_string(static_cast<int>(*stopped))
                      : std::string(hostsim::verdict_name(machine_.outcome().verdict)) + ": " +
                            machine_.outcome().message) +
             "); console:\n" + console);
    }
}

void Sandbox::reset(unsigned cpus) {
    const auto start = std::chrono::steady_clock::now();
    machine_.reset();
    // The host thread's simulated CPU and device lines reboot with the kernel: its port keys start over, no
    // line is unmasked (a run's irq bindings unmasked some), and the TLB request log (kept per host thread,
    // read by no oracle here) is emptied instead of growing over the whole fuzzing session.
    hostsim::reset_io_ports();
    if (plant_ != Plant::kept_irq_mask) hostsim::reset_irq_lines();
    hostsim::tlb_requests().clear();
    const unsigned n = cpus && cpus <= options_.cpus ? cpus : options_.cpus;
    trace_.clear();
    wakeups_.clear();
    failure_.clear();
    deferred_.reset();
    actors_.clear();
    in_kernel_.clear();
    modelled_steps_ = 0;

    kernel::RootConfig config;
    config.quota = options_.quota;
    config.cap_order = options_.cap_order;
    config.utcb = options_.root_utcb;
    kernel::Root root{};
    const Snapshot* snapshot = nullptr;
    if (options_.snapshots)
        for (const auto& s : snapshots_)
            if (s->cpus == n) snapshot = s.get();
    if (snapshot) {
        restore(*snapshot);
        root = {snapshot->root_pd, snapshot->root_thread};
        restore_ns_ += elapsed_ns(start);
    } else {
        root = boot(n, config);
        if (options_.snapshots) {
            auto s = std::make_unique<Snapshot>();
            s->cpus = n;
            s->root_pd = root.pd;
            s->root_thread = root.thread;
            s->kernel.take(*kernel_, n);
            pool_.snapshot(s->pool);
            snapshots_.push_back(std::move(s));
        }
    }
    cpus_ = n;
    live_ = true;
    unchecked_ = false;
    actors_.push_back(root.thread);
    in_kernel_.push_back(false);
    // Without the model (benchmarks) nothing reads it: its boot state is not made either. Nor after a restore
    // that verify_restore found broken: the run has failed, and the model's boot would read broken objects.
    if (options_.model && !failed()) {
        const auto model_start = std::chrono::steady_clock::now();
        model_->boot(*kernel_, *root.pd, *root.thread, config, cpus_,
                     [this](std::size_t i) { return pool_.user_frame(i); });
        if (snapshot) model_boot_ns_ += elapsed_ns(model_start);
    }
}

kernel::Root Sandbox::boot(unsigned cpus, const kernel::RootConfig& config) {
    // Booting (and restoring) runs on the host thread, outside the machine: neither prints nor waits, and
    // there every atomic is a plain memory access (a scheduling point costs far more). Every page back to the
    // pool and a new Kernel object: nothing of an earlier kernel is left to tear down.
    pool_.reset();
    // A new Kernel object, not only an emptied one: the scheduler's clock and queues start from zero, so a
    // run is a function of its input alone. Zeroed first, so even its padding is the same at every boot (the
    // snapshot tests compare Kernel objects byte for byte).
    kernel_->~Kernel();
    std::memset(static_cast<void*>(kernel_.get()), 0, sizeof(kernel::Kernel));
    new (kernel_.get()) kernel::Kernel();
    kernel_->init(pool_, cpus);
    kernel_->test.observer = this;
    auto made = kernel::create_root(*kernel_, config);
    if (!made) {
        std::fprintf(stderr, "fuzzsys: create_root failed (%d)\n", static_cast<int>(made.error()));
        std::abort();
    }
    kernel::testing::boot_test_machine_device_memory(*kernel_); // the machine of test_machine.hpp
    kernel::Root root = made.value();
    // The boot path starts the root thread; so does the sandbox (ipc::start is what thread_start does).
    kernel::ipc::start(*kernel_, *root.thread, start_ip, start_sp);
    std::size_t frame = 0;
    for (const BootMemory& m : boot_memory) {
        if (kernel::grant_root_memory(kernel_->mapdb, *root.pd, m.va, pool_.user_frame(frame), m.pages,
                                      m.rights) != abi::Error::ok) {
            std::fprintf(stderr, "fuzzsys: grant_root_memory failed\n");
            std::abort();
        }
        frame += m.pages;
    }
    // The boot state every run starts from (restored from its snapshot) must be sound: checked once here.
    if (kernel::CheckResult r = kernel::check_kernel(*kernel_); !r.ok) {
        std::fprintf(stderr, "fuzzsys: invariant broken after boot: %s\n", r.text);
        std::abort();
    }
    if (hostsim::irq_lines_unmasked() != 0) {
        // reset() restores the mask by resetting it: the boot must leave every line masked.
        std::fprintf(stderr, "fuzzsys: the boot unmasked device lines\n");
        std::abort();
    }
    return root;
}

void Sandbox::restore(const Snapshot& s) {
    // The pool's pages (what the kernel's objects hold) and the Kernel object: the CPU entries of the kernel
    // that ran (cpus_) and of the one restored, whichever has more.
    pages_restored_ += pool_.restore(s.pool);
    if (plant_ != Plant::skipped_cpu_entries)
        s.kernel.restore(*kernel_, std::max(cpus_, s.cpus));
    else
        s.kernel.restore(*kernel_, 0);
    ++restores_;
    if (options_.verify_restore) {
        PoolSnapshot now;
        pool_.capture(now);
        std::string d = difference(now, s.pool);
        if (d.empty()) d = s.kernel.difference(*kernel_);
        if (!d.empty()) fail("the restored kernel differs from the boot its snapshot was taken of: " + d);
    }
}

StateImage Sandbox::image() const {
    StateImage i;
    i.kernel.take(*kernel_, cpus_);
    pool_.capture(i.pool);
    i.frames.assign(pool_.frames(), pool_.frames() + pool_.frame_count() * PagePool::page_bytes);
    i.irq_lines_unmasked = hostsim::irq_lines_unmasked();
    const hostsim::IoPermissions& io = hostsim::io_permissions(0);
    i.io_loaded = io.loaded;
    i.io_active = io.active;
    i.io_ports = io.ports.count();
    return i;
}

void Sandbox::finish() {
    if (!live_ || failed()) return;
    // The state the last steps left, unless the checker has seen it already (after a state change); a run
    // without steps left the boot state, which was checked when the snapshot was taken.
    if (options_.check != Options::Check::every_step && unchecked_) check_invariants("the last step");
    if (std::string m = options_.model ? model_->finish() : std::string(); !m.empty()) fail(m);
    if (failed()) return;
    model_->release();
    if (!options_.teardown) return; // the next reset() restores the snapshot
    kernel::destroy_all(*kernel_);
    live_ = false;
    kernel::CheckResult r = kernel::check_kernel(*kernel_);
    if (!r.ok)
        fail(std::string("after destroy_all: ") + r.text);
    else if (kernel_->kmem.pages_held() != 0 || pool_.outstanding() != 0)
        fail("after destroy_all: " + std::to_string(pool_.outstanding()) +
             " pages never given back (Kmem holds " + std::to_string(kernel_->kmem.pages_held()) + ")");
    else if (pool_.bad_gives() != 0)
        fail("pages given back that were never handed out: " + std::to_string(pool_.bad_gives()));
    else if (kernel_->boot_quota != 0 || kernel_->boot_objects != nullptr || kernel_->root != nullptr)
        fail("after destroy_all: the kernel still has a root, boot objects or boot quota");
}

kernel::Thread* Sandbox::actor(unsigned a) const {
    return a < actors_.size() ? actors_[a] : nullptr;
}

bool Sandbox::can_call(unsigned a) const {
    const kernel::Thread* t = actor(a);
    return t && !in_kernel_[a] && t->ipc.life == kernel::Life::active && t->ipc.wait == kernel::Wait::none;
}

unsigned Sandbox::actor_of(const kernel::Thread* t) const {
    for (unsigned a = 0; a < actors_.size(); ++a)
        if (actors_[a] == t) return a;
    return actor_count();
}

void Sandbox::call(unsigned actor, abi::Syscall s, std::initializer_list<Word> args) {
    call_number(actor, static_cast<Word>(s), args);
}

void Sandbox::call_number(unsigned actor, Word number, std::initializer_list<Word> args) {
    Args a{};
    std::size_t i = 0;
    for (Word v : args)
        if (i < a.size()) a[i++] = v;
    call(actor, number, a);
}

void Sandbox::call(unsigned a, Word number, const Args& args) {
    if (failed()) return;
    Step preview;
    preview.actor = a;
    preview.cpu = here();
    preview.number = number;
    preview.arg = args;
    announce(preview);
    if (!can_call(a)) {
        preview.end = Step::End::skipped;
        trace_.push_back(preview);
        settle();
        return;
    }
    if (!concurrent_ && options_.model && !model_->describes(number)) {
        if (std::string m = model_->before_unmodelled(*kernel_); !m.empty()) {
            fail(m);
            return;
        }
    }
    in_kernel_[a] = true;
    kernel::Thread* t = actors_[a];
    bool entered = false;
    // As the run loop enters the kernel for a thread (kernel::syscall_in_frame with the lock held): only if
    // the thread still exists and runs once the lock is taken. On the smp target another CPU's syscall may
    // have destroyed it, stopped it or made it wait since this CPU picked it; then it makes no syscall, as a
    // thread whose CPU the kernel took it from. The observer records the step and runs the oracles.
    enter([&] {
        KernelLock guard(kernel_->lock);
        if (actors_[a] != t || t->ipc.life != kernel::Life::active || t->ipc.wait != kernel::Wait::none)
            return;
        entered = true;
        arch::UserFrame& f = t->frame;
        f.rax = number;
        f.rdi = args[0];
        f.rsi = args[1];
        f.rdx = args[2];
        f.r10 = args[3];
        f.r8 = args[4];
        f.r9 = args[5];
        kernel::syscall_in_frame(*t);
    });
    in_kernel_[a] = false;
    if (!entered && !failed()) {
        preview.end = Step::End::skipped;
        trace_.push_back(preview);
    }
    if (deferred_) {
        Deferred d = *deferred_;
        deferred_.reset();
        run_oracles(d);
    }
    settle();
}

void Sandbox::after_syscall(kernel::Kernel& k, kernel::Thread& caller, const kernel::SyscallRegs& in,
                            const kernel::SyscallRegs& out, abi::Error status) {
    Step step;
    step.actor = actor_of(&caller);
    step.cpu = here();
    step.number = in.rax;
    step.arg = {in.rdi, in.rsi, in.rdx, in.r10, in.r8, in.r9};
    step.out = {out.rdi, out.rsi, out.rdx, out.r10, out.r8, out.r9};
    const bool waits = status == kernel::ipc::in_frame;
    unchecked_ = true;
    step.end = waits ? Step::End::waits : Step::End::status;
    step.status = waits ? abi::Error::ok : status;
    trace_.push_back(step);
    Step& s = trace_.back();
    if (failed()) return;

    // Built only for a failure message: a heap string per syscall is a good part of a run under ASan.
    auto what = [&] {
        return std::string(syscall_name(in.rax)) + " (step " + std::to_string(trace_.size()) + ")";
    };
    if (!waits) {
        if (!kernel::status_allowed(in.rax, status))
            fail(what() + " returned " + error_name(status) + ", which the spec does not list for it");
        // Registers: results only on success and only the syscall's own; everything else as user space left
        // it.
        const abi::SyscallSpec* spec = abi::find(in.rax);
        std::size_t results = status == abi::Error::ok && spec ? spec->result_count : 0;
        for (std::size_t r = results; r < abi::max_results && !failed(); ++r)
            if (s.out[r] != s.arg[r])
                fail(what() + " changed result register " + abi::result_registers[r] +
                     (results ? " beyond its results" : " without succeeding"));
    }
    Deferred d{trace_.size() - 1, &caller, waits};
    // On a simulated CPU every atomic the checker reads is a scheduling point: the sequential target runs
    // the heavier oracles after the machine returned (nothing else runs then); the smp target here, under
    // the kernel lock, in the order the syscalls took it.
    if (concurrent_)
        run_oracles(d);
    else
        deferred_ = d;
}

void Sandbox::run_oracles(const Deferred& d) {
    Step& s = trace_[d.step];
    refresh_actors();
    const bool changed = d.waits || s.status == abi::Error::ok || may_change_on_error(s.number);
    if (!failed() && (options_.check == Options::Check::every_step ||
                      (options_.check == Options::Check::state_changes && changed)))
        check_invariants(s.number, d.step);
    if (failed() || !options_.model) return;
    if (model_->describes(s.number)) {
        ++modelled_steps_;
        if (std::string m = model_->on_call(*kernel_, *d.caller, s, d.waits); !m.empty()) fail(m);
    } else if (std::string m = model_->after_unmodelled(*kernel_, s, d.waits); !m.empty()) {
        fail(m);
    }
}

void Sandbox::after_wakeup(kernel::Kernel&, kernel::Thread& thread, Word number, abi::Error status) {
    wakeups_.emplace_back(number, status);
    if (failed()) return;
    if (!kernel::status_allowed(number, status))
        fail(std::string("a wait in ") + syscall_name(number) + " of actor " +
             std::to_string(actor_of(&thread)) + " ended with " + error_name(status) +
             ", which the spec does not list for it");
    model_->note_wakeup();
}

void Sandbox::advance(Word ns) {
    if (failed()) return;
    Step step;
    step.kind = Step::Kind::advance;
    step.cpu = here();
    step.arg[0] = ns;
    announce(step);
    kernel::Kernel& k = *kernel_;
    enter([&] {
        KernelLock guard(k.lock);
        trace_.push_back(step);
        unchecked_ = true;
        // As the run loop does: the clock moves, due timeouts fire.
        k.sched.set_now(k.sched.now() + ns);
        for (unsigned cpu = 0; cpu < k.sched.cpu_count(); ++cpu)
            while (kernel::sched::Entity* e = k.sched.pop_expired(cpu))
                kernel::ipc::timed_out(k, static_cast<kernel::Thread&>(*e));
        if (concurrent_) after_event(step);
    });
    if (!concurrent_) after_event(step);
    settle();
}

void Sandbox::interrupt(Word line) {
    if (failed()) return;
    Step step;
    step.kind = Step::Kind::interrupt;
    step.cpu = here();
    step.arg[0] = line;
    announce(step);
    kernel::Kernel& k = *kernel_;
    enter([&] {
        KernelLock guard(k.lock);
        trace_.push_back(step);
        unchecked_ = true;
        kernel::ipc::interrupt(k, static_cast<unsigned>(line));
        if (concurrent_) after_event(step);
    });
    if (!concurrent_) after_event(step);
    settle();
}

void Sandbox::utcb(unsigned a, UtcbField field, Word index, Word value) {
    if (failed()) return;
    Step step;
    step.kind = Step::Kind::utcb;
    step.actor = a;
    step.cpu = here();
    step.number = static_cast<Word>(field);
    step.arg = {index, value};
    announce(step);
    // User space writes its own UTCB whenever it likes, so only a live thread's page exists to be written; a
    // waiting thread does not run, so it writes nothing.
    if (!can_call(a)) {
        step.end = Step::End::skipped;
        trace_.push_back(step);
        settle();
        return;
    }
    trace_.push_back(step);
    unchecked_ = true;
    settle();
    auto& u = *static_cast<abi::Utcb*>(actors_[a]->utcb_page);
    switch (field) {
    case UtcbField::mr:
        u.mr[index % abi::msg::max_words] = value;
        break;
    case UtcbField::item:
        u.item[index % (2 * abi::msg::max_items)] = value;
        break;
    case UtcbField::reply_sel:
        u.reply_sel = value;
        break;
    case UtcbField::cap_window:
        u.cap_window = value;
        break;
    case UtcbField::mem_window:
        u.mem_window = value;
        break;
    }
}

void Sandbox::after_event(const Step& step) {
    if (failed()) return;
    refresh_actors();
    if (options_.check != Options::Check::end)
        check_invariants(step.kind == Step::Kind::advance ? "advancing time" : "an interrupt");
}

void Sandbox::refresh_actors() {
    // Walk every object: threads not seen before are new actors (at most one per step: thread_create), actors
    // whose thread is gone are dead for good (a new thread at the same address is a new actor).
    seen_.assign(actors_.size(), 0);
    kernel::Thread* fresh = nullptr;
    unsigned fresh_count = 0;
    for (const kernel::Object* o = kernel::first_object(*kernel_); o; o = kernel::next_object(o)) {
        if (o->type != kernel::ObjectType::thread) continue;
        auto* t = const_cast<kernel::Thread*>(static_cast<const kernel::Thread*>(o));
        unsigned a = actor_of(t);
        if (a < actor_count()) {
            seen_[a] = 1;
        } else {
            fresh = t;
            ++fresh_count;
        }
    }
    for (unsigned a = 0; a < actors_.size(); ++a)
        if (!seen_[a]) actors_[a] = nullptr;
    if (fresh_count > 1) fail("more than one thread appeared in one step");
    if (fresh) {
        actors_.push_back(fresh);
        in_kernel_.push_back(false);
    }
}

void Sandbox::check_invariants(const char* after) {
    unchecked_ = false;
    kernel::CheckResult r = kernel::check_kernel(*kernel_);
    if (!r.ok) fail(std::string("invariant broken after ") + after + ": " + r.text);
}

void Sandbox::check_invariants(Word number, std::size_t step) {
    unchecked_ = false;
    kernel::CheckResult r = kernel::check_kernel(*kernel_);
    if (!r.ok) {
        fail(std::string("invariant broken after ") + syscall_name(number) + " (step " +
             std::to_string(step + 1) + "): " + r.text);
    }
}

void Sandbox::fail(const std::string& what) {
    if (!failure_.empty()) return;
    failure_ = what;
    if (mode_ == OnFailure::abort) {
        std::fprintf(stderr, "%s\n", report().c_str());
        std::fflush(stderr);
        std::abort();
    }
}

const std::string& Sandbox::model_stepped_out() const {
    return model_->stepped_out();
}

std::string Sandbox::report() const {
    std::string out = "==== syscall program (actor 0 = root thread, actor n = n-th thread created) ====\n";
    out += to_cpp(trace_, "    ");
    if (!model_->stepped_out().empty()) out += "(the model stepped out: " + model_->stepped_out() + ")\n";
    if (!failure_.empty()) out += "==== FAILED: " + failure_ + "\n";
    return out;
}

} // namespace fuzzsys
