#include "hostsim/usermode/unicorn_user_mode.hpp"

#include "hostsim/io_ports.hpp"
#include "hostsim/port_bus.hpp"
#include "hostsim/sanitizers.hpp"

#include <cstdio>
#include <cstdlib>

namespace hostsim::usermode {

namespace {

/// The first address above the lower canonical half: user rip and rsp stay below it (arch/user.hpp).
constexpr std::uint64_t user_limit = 0x0000'8000'0000'0000;
constexpr arch::Vector general_protection = 13;

// RFLAGS as ring 3 gets them (arch/user.hpp; SDM vol. 1, 3.4.3): the status flags, DF and ID are the
// thread's; IF and the always-one bit 1 are forced on; TF, IOPL, NT, RF, VM, AC, VIF and VIP are cleared.
constexpr std::uint64_t user_flags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800 | (1u << 21);
constexpr std::uint64_t forced_flags = 0x2 | 0x200;

/// Trace lines (Machine::set_trace) for user mode's entries and exits, so a replayed run shows where user
/// code was when the kernel saw it.
void trace_exit(Machine& m, const arch::UserExit& e, const arch::UserFrame& f) {
    if (!m.tracing()) return;
    char line[160];
    switch (e.kind) {
    case arch::UserExit::Kind::syscall:
    case arch::UserExit::Kind::syscall_done: // never traced: run() traces the syscall when it is made
        std::snprintf(line, sizeof line, "user  syscall %llu at rip %#llx",
                      static_cast<unsigned long long>(f.rax), static_cast<unsigned long long>(f.rip));
        break;
    case arch::UserExit::Kind::exception:
        std::snprintf(line, sizeof line, "user  exception %u (error %#llx, address %#llx) at rip %#llx",
                      static_cast<unsigned>(e.vector), static_cast<unsigned long long>(e.error_code),
                      static_cast<unsigned long long>(e.fault_address),
                      static_cast<unsigned long long>(f.rip));
        break;
    case arch::UserExit::Kind::interrupt:
        std::snprintf(line, sizeof line, "user  interrupt %u at rip %#llx", static_cast<unsigned>(e.vector),
                      static_cast<unsigned long long>(f.rip));
        break;
    }
    m.trace_event(line);
}

} // namespace

std::vector<std::uint64_t> breakpoints_from_environment() {
    std::vector<std::uint64_t> out;
    const char* text = std::getenv("JANUS_SIM_USER_BREAK");
    while (text && *text) {
        char* end = nullptr;
        const std::uint64_t a = std::strtoull(text, &end, 0);
        if (end == text) break;
        out.push_back(a);
        text = *end == ',' ? end + 1 : end;
    }
    return out;
}

struct UnicornUserMode::Cpu {
    Cpu(Ram ram, std::size_t tlb_entries) : core(ram, tlb_entries) {}
    UserCpu core;
    std::uint64_t audited_epoch = ~std::uint64_t{0}; ///< memory epoch of the last settled audit
};

UnicornUserMode::UnicornUserMode(Machine& machine, Config config)
    : machine_(machine), config_(std::move(config)), cpus_(machine.cpu_count()) {
    machine_.set_user_mode(this);
}

UnicornUserMode::~UnicornUserMode() {
    if (machine_.user_mode() == this) machine_.set_user_mode(nullptr);
}

UnicornUserMode::Cpu& UnicornUserMode::cpu(arch::CpuId id) {
    std::unique_ptr<Cpu>& c = cpus_.at(id);
    if (!c) {
        c = std::make_unique<Cpu>(Ram{machine_.ram(), machine_.ram_size()}, config_.tlb_entries);
        c->core.set_breakpoints(config_.breakpoints);
        c->core.set_ports(this);
    }
    return *c;
}

namespace {

/// The kernel's syscall hook, called from inside run()'s bookkeeping: its code is simulated code again.
bool kernel_resumes(const arch::SyscallHook& hook) {
    san::SimulatedCode kernel;
    return hook.resume(hook.context);
}

} // namespace

arch::UserExit UnicornUserMode::run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                                    const arch::SyscallHook* hook) {
    // The engine and its bookkeeping are the machine's, invisible to TSan; the kernel's interrupt handler,
    // called from the scheduling points in here, is seen again (san::SimulatedCode in the machine).
    san::Bookkeeping bookkeeping;
    ++stats_.entries;
    // As arch/x86_64/user.cpp: a return to a kernel-half rip or rsp faults before any user instruction.
    if (frame.rip >= user_limit || frame.rsp >= user_limit)
        return {arch::UserExit::Kind::exception, general_protection, 0, 0};
    frame.rflags = (frame.rflags & user_flags) | forced_flags;
    Cpu& c = cpu(machine_.cpu_id());
    c.core.tlb().load(space.top_table);

    if (machine_.tracing()) {
        char line[120];
        std::snprintf(line, sizeof line, "user  enter rip %#llx rsp %#llx (top table %#llx)",
                      static_cast<unsigned long long>(frame.rip), static_cast<unsigned long long>(frame.rsp),
                      static_cast<unsigned long long>(space.top_table));
        machine_.trace_event(line);
    }
    const std::uint64_t taken = machine_.interrupts_taken();
    machine_.set_in_user(true);     // an I/O-port shootdown taken from here on sends it back to the kernel
    machine_.set_irq_enabled(true); // what is pending arrives before the first instruction, as after iret
    for (;;) {
        if (machine_.interrupts_taken() != taken) {
            machine_.set_irq_enabled(false);
            machine_.set_in_user(false);
            const arch::UserExit e{arch::UserExit::Kind::interrupt,
                                   static_cast<arch::Vector>(machine_.last_interrupt()), 0, 0};
            trace_exit(machine_, e, frame);
            return e;
        }
        if (const std::optional<unsigned> reenter = machine_.take_user_reentry()) {
            machine_.set_irq_enabled(false);
            machine_.set_in_user(false);
            const arch::UserExit e{arch::UserExit::Kind::interrupt, static_cast<arch::Vector>(*reenter), 0,
                                   0};
            trace_exit(machine_, e, frame);
            return e;
        }
        const std::uint64_t epoch = machine_.memory_epoch();
        if (config_.settled && epoch != c.audited_epoch && config_.settled()) {
            c.core.tlb().audit(true);
            c.audited_epoch = epoch;
        }
        Slice s = c.core.run(frame, machine_.vector_registers(), config_.slice);
        ++stats_.slices;
        stats_.instructions += s.instructions;
        machine_.advance_time(s.instructions * config_.ns_per_instruction);
        switch (s.kind) {
        case Slice::Kind::budget:
            machine_.schedule(Machine::Point::preempt); // the timer's stand-in: others run, interrupts arrive
            break;
        case Slice::Kind::time_stamp:
            UserCpu::complete_time_stamp(frame, s, machine_.now());
            break;
        case Slice::Kind::port_access:
            machine_.schedule(Machine::Point::preempt); // others run; a device interrupt it raised arrives
            break;
        case Slice::Kind::kernel_entry:
            machine_.set_irq_enabled(false);
            machine_.set_in_user(false);
            trace_exit(machine_, s.exit, frame);
            if (!hook || s.exit.kind != arch::UserExit::Kind::syscall) return s.exit;
            // As arch/x86_64/user.cpp: the kernel performs the syscall here and may resume at once (the
            // kernel's code, seen again by the sanitizers).
            ++stats_.entries; // a kernel entry, even if run() does not return for it
            if (!kernel_resumes(*hook)) return {arch::UserExit::Kind::syscall_done, 0, 0, 0};
            if (frame.rip >= user_limit || frame.rsp >= user_limit)
                return {arch::UserExit::Kind::exception, general_protection, 0, 0};
            frame.rflags = (frame.rflags & user_flags) | forced_flags;
            machine_.set_in_user(true);
            machine_.set_irq_enabled(true);
            break;
        case Slice::Kind::stale_access:
            fail(Verdict::stale_translation, "at rip", frame.rip, s);
            break;
        case Slice::Kind::machine_error:
            fail(Verdict::check_failed, "in user mode at rip", frame.rip, s);
            break;
        }
    }
}

// PortHandler for the executing CPU's engine (called from inside its slice, within run()'s bookkeeping).
bool UnicornUserMode::permitted(std::uint32_t port, unsigned size) {
    return machine_.io_permissions(machine_.cpu_id()).permitted(port, size);
}

std::uint32_t UnicornUserMode::read(std::uint32_t port, unsigned size) {
    ++stats_.port_accesses;
    PortBus* bus = machine_.port_bus();
    const std::uint32_t all_ones = size >= 4 ? ~std::uint32_t{0} : (std::uint32_t{1} << (8 * size)) - 1;
    const std::uint32_t value = bus ? bus->read(port, size) : all_ones;
    trace_port("in ", port, size, value);
    return value;
}

void UnicornUserMode::write(std::uint32_t port, unsigned size, std::uint32_t value) {
    ++stats_.port_accesses;
    trace_port("out", port, size, value);
    if (PortBus* bus = machine_.port_bus()) bus->write(port, size, value);
}

void UnicornUserMode::trace_port(const char* direction, std::uint32_t port, unsigned size,
                                 std::uint32_t value) {
    if (!machine_.tracing()) return;
    char line[96];
    std::snprintf(line, sizeof line, "user  %s port %#x (%u byte%s) %s %#x", direction, port, size,
                  size == 1 ? "" : "s", direction[0] == 'i' ? "->" : "<-", value);
    machine_.trace_event(line);
}

void UnicornUserMode::fail(Verdict verdict, const char* where, std::uint64_t rip, Slice& s) {
    // fail() abandons this CPU's stack where it is: no string may stay behind on it.
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "cpu%u %s %#llx: ", machine_.cpu_id(), where,
                  static_cast<unsigned long long>(rip));
    std::string message = prefix + s.message;
    std::string().swap(s.message);
    machine_.fail(verdict, std::move(message));
}

void UnicornUserMode::invalidate(arch::CpuId id, std::optional<std::uint64_t> va) {
    san::Bookkeeping bookkeeping;
    if (id >= cpus_.size() || !cpus_[id]) return;
    SoftTlb& tlb = cpus_[id]->core.tlb();
    if (va)
        tlb.invalidate(*va);
    else
        tlb.flush();
}

UnicornUserMode::Stats UnicornUserMode::stats() const {
    Stats s = stats_;
    for (const auto& c : cpus_)
        if (c) s.tlb_fills += c->core.tlb().fills();
    return s;
}

} // namespace hostsim::usermode
