// hostsim's implementation of the arch contract (arch/*.hpp) other than the atomics (hostsim/memory_ops.cpp).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/contract.hpp"
#include "arch/ipi.hpp"
#include "arch/timer.hpp"
#include "arch/user.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/vector_registers.hpp"

namespace {

hostsim::Machine& machine() {
    hostsim::Machine* m = hostsim::Machine::current();
    if (!m) {
        std::fprintf(stderr, "hostsim: kernel code ran outside Machine::run\n");
        std::abort();
    }
    return *m;
}

} // namespace

namespace arch {

void console_write(const char* text, std::size_t length) {
    if (hostsim::Machine* m = hostsim::Machine::current())
        m->console_write(std::string_view(text, length));
    else
        std::fwrite(text, 1, length, stderr);
}

CpuId cpu_id() {
    return machine().cpu_id();
}
unsigned cpu_count() {
    return machine().cpu_count();
}

IrqState irq_save() {
    return IrqState{machine().set_irq_enabled(false)};
}
void irq_restore(IrqState state) {
    machine().set_irq_enabled(state.enabled);
}
void irq_enable() {
    machine().set_irq_enabled(true);
}
void irq_disable() {
    machine().set_irq_enabled(false);
}
bool irq_enabled() {
    return machine().irq_enabled();
}
void wait_for_interrupt() {
    machine().wait_for_interrupt();
}

void shutdown(ExitStatus status) {
    machine().shutdown(status);
}

void set_interrupt_handler(InterruptHandler handler) {
    if (handler)
        machine().set_interrupt_handler([handler](unsigned v) { handler(static_cast<Vector>(v)); });
    else
        machine().set_interrupt_handler(nullptr);
}
void ipi_send(CpuId cpu, Vector vector) {
    machine().send_ipi(cpu, vector);
}

std::uint64_t time_now() {
    return machine().now();
}
void timer_arm(std::uint64_t deadline, Vector vector) {
    machine().arm_timer(deadline, vector);
}

bool phys_accessible(PhysAddr base, std::size_t size) {
    hostsim::Machine& m = machine();
    return base <= m.ram_size() && size <= m.ram_size() - base;
}
void* phys_to_virt(PhysAddr pa) {
    if (!phys_accessible(pa, 1)) {
        std::fprintf(stderr, "hostsim: phys_to_virt(%#llx) outside simulated RAM\n", (unsigned long long)pa);
        std::abort();
    }
    return machine().ram() + pa;
}
PhysAddr virt_to_phys(const void* va) {
    return static_cast<PhysAddr>(static_cast<const std::byte*>(va) - machine().ram());
}

void extended_state_init(ExtendedState& state) {
    std::memset(state.bytes, 0, sizeof state.bytes);
    hostsim::vectors_of(state) = hostsim::VectorRegisters::initial();
}

void extended_state_load(const ExtendedState& state) {
    machine().vector_registers() = hostsim::vectors_of(state);
}

void extended_state_save(ExtendedState& state) {
    hostsim::vectors_of(state) = machine().vector_registers();
}

// The simulated machine has no kernel half in user page tables: kernel code runs on the host.
void prepare_user_top_table(PhysAddr) {}

void leave_user(CpuMask cpus, Vector reenter) {
    hostsim::Machine* m = hostsim::Machine::current();
    if (!m) return; // no simulated CPU runs user code but the executing one
    cpus.bits &= ~CpuMask::only(m->cpu_id()).bits;
    if (cpus.bits == 0) return;
    m->cross_cpu_request(cpus.bits, {hostsim::CrossCpuRequest::Kind::leave_user, std::nullopt, 0, reenter});
}

UserExit run_user(UserFrame& frame, AddressSpaceRoot space, const SyscallHook* hook) {
    hostsim::Machine& m = machine();
    if (!m.user_mode()) {
        std::fprintf(stderr,
                     "hostsim: arch::run_user on a machine without user mode (Machine::set_user_mode)\n");
        std::abort();
    }
    return m.user_mode()->run(frame, space, hook);
}

} // namespace arch
