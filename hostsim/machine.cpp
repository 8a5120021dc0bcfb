// Machine: lifecycle, the fibers of the simulated CPUs, stopping and failure reports.
//
// Fibers switch directly from CPU to CPU (one Boost.Context switch per change of CPU); whoever switches
// records itself in from_, and the resumed side stores the continuation it receives into from_'s context.
// The host context (the test) is suspended for the whole run and resumed when the run ends or stops.
#include "hostsim/machine.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/mman.h>
#include <unistd.h>

#include "hostsim/sanitizers.hpp"
#include "hostsim/sim_cpu.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace ctx = boost::context;

namespace {

// Hands Boost.Context the CPU's own stack; the stack outlives every fiber made on it.
struct CpuStackAllocator {
    Stack* stack;
    ctx::stack_context allocate() {
        ctx::stack_context s;
        s.size = stack->size();
        s.sp = stack->top();
        return s;
    }
    void deallocate(ctx::stack_context&) noexcept {}
};

// A fiber abandoned mid-call must not be destroyed: Boost would unwind its stack with an exception, through
// kernel frames built without exception support and possibly through noexcept destructors. Its stack is
// reused by the next fiber of the same CPU; the handle is dropped without running its destructor.
void forget(ctx::fiber&& f) {
    alignas(ctx::fiber) static unsigned char sink[sizeof(ctx::fiber)];
    new (sink) ctx::fiber(std::move(f));
}

} // namespace

const char* verdict_name(Verdict v) {
    switch (v) {
    case Verdict::pass:
        return "pass";
    case Verdict::check_failed:
        return "check failed";
    case Verdict::deadlock:
        return "deadlock";
    case Verdict::livelock:
        return "livelock";
    case Verdict::stale_translation:
        return "stale translation";
    case Verdict::kernel_stopped:
        return "kernel stopped";
    case Verdict::divergence:
        return "divergence";
    }
    return "?";
}

Machine::Machine(const Config& config) : config_(config), running_(static_cast<int>(config.cpus)) {
    if (config.cpus < 1 || config.cpus > max_sim_cpus) {
        std::fprintf(stderr, "hostsim: %u CPUs requested, 1..%u supported\n", config.cpus, max_sim_cpus);
        std::abort();
    }
    if (config.memory_bytes) {
        void* p = mmap(nullptr, config.memory_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            std::perror("hostsim: RAM mmap");
            std::abort();
        }
        ram_ = static_cast<std::byte*>(p);
    }
    cpus_ = std::make_unique<SimCpu[]>(config.cpus + 1);
}

Machine::~Machine() {
    for (unsigned i = 0; i < config_.cpus; ++i) san::tsan_destroy_fiber(cpus_[i].ctx.tsan);
    if (ram_) munmap(ram_, config_.memory_bytes);
}

// Pages the runs touched are still resident: clearing them in place costs far less than dropping them
// (MADV_DONTNEED) and taking a page fault on each at its next touch, the larger part of a short kernel
// scenario's time. Pages not resident (never touched, or swapped out) are dropped, which reads back as zero.
void Machine::zero_ram() {
    san::Bookkeeping bookkeeping; // hostsim's own work, after every CPU's last access (done_sync_)
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t bytes = config_.memory_bytes, pages = (bytes + page - 1) / page;
    resident_.resize(pages);
    if (mincore(ram_, bytes, resident_.data()) != 0) {
        madvise(ram_, bytes, MADV_DONTNEED);
        return;
    }
    for (std::size_t i = 0; i < pages;) {
        const bool resident = resident_[i] & 1;
        std::size_t end = i + 1;
        while (end < pages && bool(resident_[end] & 1) == resident) ++end;
        std::byte* from = ram_ + i * page;
        const std::size_t length = std::min(end * page, bytes) - i * page;
        if (resident) {
            std::memset(from, 0, length);
        } else {
            madvise(from, length, MADV_DONTNEED);
        }
        i = end;
    }
}

void Machine::start(arch::CpuId id, std::function<void()> code) {
    if (id >= config_.cpus || in_run_) {
        std::fprintf(stderr, "hostsim: start(cpu %u) on a machine with %u CPUs%s\n", id, config_.cpus,
                     in_run_ ? " during a run" : "");
        std::abort();
    }
    cpu(static_cast<int>(id)).code = std::move(code);
    cpu(static_cast<int>(id)).coded = true;
}

void Machine::reset() {
    if (in_run_) std::abort();
    if (ram_ && ram_touched_) zero_ram();
    ram_touched_ = false;
    console_.clear();
    traced_addresses_.clear();
    outcome_ = Outcome{};
    epoch_ = now_ = 0;
    periodic_period_ = 0;
    timers_due_ = ~0ull;
    handler_ = nullptr;
    walker_ = nullptr;
    frame_generation_ = nullptr;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        SimCpu& c = cpu(static_cast<int>(i));
        c.code = nullptr;
        c.coded = false;
        c.irq_enabled = false;
        c.pending = {};
        c.shootdowns.clear();
        c.awaiting_acks = 0;
        c.io.drop();
        c.in_user = false;
        c.reentry.reset();
        c.timer_deadline = 0;
        c.at_relax = c.relax_stalled = false;
        c.relax_epoch = c.halt_epoch = ~0ull;
        c.buffer.clear();
        c.tlb.flush(true);
        c.root = 0;
        c.vectors = VectorRegisters::initial();
    }
}

VectorRegisters& Machine::vector_registers() {
    return self().vectors;
}

std::optional<arch::ExitStatus> Machine::run(std::function<void()> kernel_code) {
    outcome_.exit_status.reset();
    outcome_.irq_enabled_at_exit = false;
    start(0, std::move(kernel_code));
    run();
    return outcome_.exit_status;
}

void Machine::prepare_fiber(int index) {
    SimCpu& c = cpu(index);
    if (!c.stack) c.stack = Stack(Stack::default_size);
    // Every run starts from a clean stack in ASan's eyes. A CPU abandoned mid-call leaves the redzones of its
    // frames poisoned, and so, it turned out, can a run the partial-order reduction cuts short (under dpor
    // sim.planted.dekker_tso stored into a fresh frame over stale poison), so this does not depend on how
    // the last run ended. It costs a shadow memset per CPU and run, in ASan builds only.
    san::asan_unpoison(c.stack.bottom(), c.stack.size());
    if (!c.ctx.tsan) c.ctx.tsan = san::tsan_create_fiber();
    c.ctx.ignore = {}; // a fresh or finished TSan fiber: not ignoring
    c.ctx.stack_bottom = c.stack.bottom();
    c.ctx.stack_size = c.stack.size();
    c.at_relax = c.relax_stalled = false;
    c.relax_epoch = c.halt_epoch = ~0ull;
    c.ctx.fiber =
        ctx::fiber(std::allocator_arg, CpuStackAllocator{&c.stack}, [this, index](ctx::fiber&& back) {
            ctx(from_).fiber = std::move(back);
            arrived(index, nullptr);
            san::tsan_acquire(&run_sync_); // the host's setup happens before every CPU's code
            SimCpu& me = cpu(index);
            me.state = CpuState::running;
            if (me.coded) {
                me.code();
            } else {
                for (;;) { // a CPU without code idles with interrupts on, as after the kernel's idle entry
                    set_irq_enabled(true);
                    wait_for_interrupt();
                }
            }
            me.state = CpuState::finished;
            // Idle from now on, with interrupts enabled: what it was asked to invalidate, it does.
            if (!me.shootdowns.empty()) acknowledge_shootdowns(static_cast<unsigned>(index));
            --live_coded_;
            int next;
            {
                san::Bookkeeping bookkeeping; // ends before the switch below: this TSan fiber is reused
                next = decide();
            }
            san::tsan_release(&done_sync_); // everything this CPU did happens before the host's checks
            FiberContext& to = ctx(next);
            from_ = index;
            running_ = next;
            san::asan_start_switch(nullptr, to.stack_bottom, to.stack_size);
            san::tsan_switch(to.tsan, false, next == host_index() ? nullptr : &to.ignore);
            return std::move(to.fiber);
        });
    c.state = CpuState::unstarted;
    ++unstarted_;
}

void Machine::transfer(int to) {
    int me = running_;
    FiberContext& mine = ctx(me);
    FiberContext& dst = ctx(to);
    from_ = me;
    running_ = to;
    san::asan_start_switch(&mine.asan_fake_stack, dst.stack_bottom, dst.stack_size);
    san::tsan_switch(dst.tsan, false, to == host_index() ? nullptr : &dst.ignore);
    ctx::fiber back = std::move(dst.fiber).resume();
    arrived(me, mine.asan_fake_stack);
    ctx(from_).fiber = std::move(back);
    if (exiting_ && me != host_index()) exit_to_host();
}

void Machine::arrived(int self, const void* fake_stack) {
    const void* old_bottom = nullptr;
    std::size_t old_size = 0;
    san::asan_finish_switch(const_cast<void*>(fake_stack), &old_bottom, &old_size);
    // The host's stack bounds become known the first time a CPU is entered from it.
    if (from_ == host_index() && self != host_index() && old_bottom) {
        ctx(host_index()).stack_bottom = old_bottom;
        ctx(host_index()).stack_size = old_size;
    }
}

void Machine::exit_to_host() {
    san::tsan_abandon_bookkeeping(); // stopped inside hostsim's work, never to return from it
    san::tsan_release(&done_sync_);
    FiberContext& host = ctx(host_index());
    from_ = running_;
    running_ = host_index();
    san::asan_start_switch(nullptr, host.stack_bottom, host.stack_size);
    san::tsan_switch(host.tsan, false, nullptr);
    std::move(host.fiber).resume();
    std::abort(); // an abandoned CPU is never resumed again
}

void Machine::stop() {
    stopping_ = true;
    transfer(host_index());
    std::abort(); // only exit_to_host() leaves a stopped CPU's transfer()
}

bool Machine::run() {
    if (in_run_) {
        std::fprintf(stderr, "hostsim: Machine::run() called from inside a run\n");
        std::abort();
    }
    Machine* outer = current_machine_;
    current_machine_ = this;
    in_run_ = true;
    stopping_ = false;
    running_ = host_index();
    current_ = -1;
    ctx(host_index()).tsan = san::tsan_current_fiber();
    int first = -1;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        SimCpu& c = cpu(static_cast<int>(i));
        if (!c.coded) continue;
        prepare_fiber(static_cast<int>(i));
        ++live_coded_;
        if (first < 0) first = static_cast<int>(i);
    }
    if (first >= 0 && !outcome_.failed()) {
        san::tsan_release(&run_sync_);
        --unstarted_;
        transfer(first);
        san::tsan_acquire(&done_sync_);
    }
    abandon_cpus();
    in_run_ = false;
    current_machine_ = outer;
    return !outcome_.failed();
}

// After a run every CPU is finished or suspended somewhere; the suspended ones are resumed once so that they
// give TSan their happens-before edge (exit_to_host) and are then forgotten.
void Machine::abandon_cpus() {
    for (unsigned i = 0; i < config_.cpus; ++i) {
        SimCpu& c = cpu(static_cast<int>(i));
        if (c.state == CpuState::unstarted) {
            forget(std::move(c.ctx.fiber)); // never entered: nothing of it is on a sanitizer's books
        } else if (c.ctx.fiber) {
            exiting_ = true;
            transfer(static_cast<int>(i));
            exiting_ = false;
            san::tsan_acquire(&done_sync_); // what it did happens before the host frees its code below
            forget(std::move(c.ctx.fiber));
            san::tsan_destroy_fiber(c.ctx.tsan); // its shadow call stack still holds the abandoned frames
            c.ctx.tsan = nullptr;
        }
        c.state = CpuState::off;
        c.code = nullptr;
        c.coded = false;
        c.at_relax = false;
        if (stopping_) c.buffer.clear(); // a stopped machine never writes them
        c.shootdowns.clear();            // their initiators are abandoned too (a finished run leaves none)
        c.awaiting_acks = 0;
        c.in_user = false; // abandoned in ring 3 or not, it is nowhere now
        c.reentry.reset();
    }
    unstarted_ = 0;
    live_coded_ = 0;
    yielder_ = -1;
}

void Machine::fail(Verdict verdict, std::string message) {
    san::Bookkeeping bookkeeping;
    if (!outcome_.failed()) {
        outcome_.verdict = verdict;
        outcome_.message = std::move(message);
        for (char& ch : outcome_.message)
            if (ch == '\n') ch = ' ';
    }
    // stop() abandons this CPU's stack without unwinding it: release what the parameter still holds first.
    std::string().swap(message);
    if (in_run_ && running_ != host_index()) stop();
}

bool Machine::check(bool ok, const char* format, ...) {
    if (ok) return true;
    char buf[512];
    va_list ap;
    va_start(ap, format);
    std::vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    fail(Verdict::check_failed, buf);
    return false;
}

void Machine::console_write(std::string_view text) {
    san::tsan_read_range(text.data(), text.size()); // the kernel's buffer, read for the kernel
    san::Bookkeeping bookkeeping;
    console_.append(text);
    if (config_.echo_console) std::fwrite(text.data(), 1, text.size(), stderr);
}

std::string Machine::shutdown_message(arch::ExitStatus status) const {
    static const char* const names[] = {"success", "failure", "panic", "exception"};
    unsigned n = static_cast<unsigned>(status) - static_cast<unsigned>(arch::ExitStatus::success);
    std::string tail = console_.size() > 200 ? "..." + console_.substr(console_.size() - 200) : console_;
    return std::string("arch::shutdown(") + (n < 4 ? names[n] : "?") + ") on cpu" + std::to_string(running_) +
           "; console: " + tail;
}

void Machine::shutdown(arch::ExitStatus status) {
    san::Bookkeeping bookkeeping;
    outcome_.exit_status = status;
    outcome_.irq_enabled_at_exit = in_run_ && running_ != host_index() && cpus_[running_].irq_enabled;
    if (!in_run_ || running_ == host_index()) {
        std::fprintf(stderr, "hostsim: arch::shutdown outside a simulated CPU\n");
        std::abort();
    }
    // The message is built before fail() stops this CPU, so no temporary is left on its abandoned stack.
    if (status != arch::ExitStatus::success) fail(Verdict::kernel_stopped, shutdown_message(status));
    stop();
}

void Machine::trace(const char* format, ...) {
    san::Bookkeeping bookkeeping;
    va_list ap;
    va_start(ap, format);
    std::vfprintf(trace_, format, ap);
    va_end(ap);
    std::fputc('\n', trace_);
}

std::string Machine::address_name(const volatile void* addr) {
    san::Bookkeeping bookkeeping;
    auto a = reinterpret_cast<std::uintptr_t>(addr);
    auto base = reinterpret_cast<std::uintptr_t>(ram_);
    char buf[48];
    if (ram_ && a - base < config_.memory_bytes) {
        std::snprintf(buf, sizeof buf, "ram+%#llx", static_cast<unsigned long long>(a - base));
        return buf;
    }
    std::size_t i = 0;
    while (i < traced_addresses_.size() && traced_addresses_[i] != addr) ++i;
    bool first = i == traced_addresses_.size();
    if (first) traced_addresses_.push_back(addr);
    if (first)
        std::snprintf(buf, sizeof buf, "x%zu(=%p)", i + 1, const_cast<const void*>(addr));
    else
        std::snprintf(buf, sizeof buf, "x%zu", i + 1);
    return buf;
}

void Machine::trace_access(const char* op, const volatile void* addr, unsigned size, std::uint64_t value,
                           const char* note) {
    char v[32];
    std::snprintf(v, sizeof v, value < 0x10000 ? "%llu" : "%#llx", static_cast<unsigned long long>(value));
    trace("  cpu%d  %-5s %s %s %s  (%u bytes%s%s)", running_, op, address_name(addr).c_str(),
          std::strcmp(op, "load") == 0 ? "->" : "<-", v, size, *note ? ", " : "", note);
}

} // namespace hostsim
