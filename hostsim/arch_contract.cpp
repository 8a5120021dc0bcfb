// hostsim's implementation of the arch contract (arch/*.hpp) on top of Machine.
#include <cstdio>
#include <cstdlib>

#include "arch/contract.hpp"
#include "hostsim/machine.hpp"

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
    if (hostsim::Machine* m = hostsim::Machine::current()) m->console_write(std::string_view(text, length));
    else std::fwrite(text, 1, length, stderr);
}

CpuId cpu_id() { return machine().cpu_id(); }
unsigned cpu_count() { return machine().cpu_count(); }

IrqState irq_save() {
    bool& flag = machine().irq_enabled_flag();
    IrqState s{flag};
    flag = false;
    return s;
}
void irq_restore(IrqState state) { machine().irq_enabled_flag() = state.enabled; }
void irq_enable() { machine().irq_enabled_flag() = true; }
void irq_disable() { machine().irq_enabled_flag() = false; }
bool irq_enabled() { return machine().irq_enabled_flag(); }
void wait_for_interrupt() {}

void shutdown(ExitStatus status) { machine().shutdown(status); }

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

namespace hosted {

// Single-CPU first version: operations act directly on host memory. The schedule explorer turns each of
// these into a scheduling point.
std::uint64_t atomic_load(const volatile void* addr, unsigned size, MemoryOrder) {
    switch (size) {
    case 1: return __atomic_load_n(static_cast<const volatile std::uint8_t*>(addr), __ATOMIC_SEQ_CST);
    case 2: return __atomic_load_n(static_cast<const volatile std::uint16_t*>(addr), __ATOMIC_SEQ_CST);
    case 4: return __atomic_load_n(static_cast<const volatile std::uint32_t*>(addr), __ATOMIC_SEQ_CST);
    default: return __atomic_load_n(static_cast<const volatile std::uint64_t*>(addr), __ATOMIC_SEQ_CST);
    }
}

template <typename W>
static W* as(volatile void* addr) {
    return static_cast<W*>(const_cast<void*>(addr));
}

void atomic_store(volatile void* addr, unsigned size, std::uint64_t v, MemoryOrder) {
    switch (size) {
    case 1: __atomic_store_n(as<std::uint8_t>(addr), static_cast<std::uint8_t>(v), __ATOMIC_SEQ_CST); break;
    case 2: __atomic_store_n(as<std::uint16_t>(addr), static_cast<std::uint16_t>(v), __ATOMIC_SEQ_CST); break;
    case 4: __atomic_store_n(as<std::uint32_t>(addr), static_cast<std::uint32_t>(v), __ATOMIC_SEQ_CST); break;
    default: __atomic_store_n(as<std::uint64_t>(addr), v, __ATOMIC_SEQ_CST); break;
    }
}

template <typename W>
static std::uint64_t rmw(volatile void* addr, RmwOp op, std::uint64_t v) {
    W* p = as<W>(addr);
    W x = static_cast<W>(v);
    switch (op) {
    case RmwOp::add: return __atomic_fetch_add(p, x, __ATOMIC_SEQ_CST);
    case RmwOp::sub: return __atomic_fetch_sub(p, x, __ATOMIC_SEQ_CST);
    case RmwOp::and_: return __atomic_fetch_and(p, x, __ATOMIC_SEQ_CST);
    case RmwOp::or_: return __atomic_fetch_or(p, x, __ATOMIC_SEQ_CST);
    case RmwOp::xor_: return __atomic_fetch_xor(p, x, __ATOMIC_SEQ_CST);
    }
    std::abort();
}

std::uint64_t atomic_fetch_op(volatile void* addr, unsigned size, RmwOp op, std::uint64_t v, MemoryOrder) {
    switch (size) {
    case 1: return rmw<std::uint8_t>(addr, op, v);
    case 2: return rmw<std::uint16_t>(addr, op, v);
    case 4: return rmw<std::uint32_t>(addr, op, v);
    default: return rmw<std::uint64_t>(addr, op, v);
    }
}

template <typename W>
static std::uint64_t xchg(volatile void* addr, std::uint64_t v) {
    return __atomic_exchange_n(as<W>(addr), static_cast<W>(v), __ATOMIC_SEQ_CST);
}

std::uint64_t atomic_exchange(volatile void* addr, unsigned size, std::uint64_t v, MemoryOrder) {
    switch (size) {
    case 1: return xchg<std::uint8_t>(addr, v);
    case 2: return xchg<std::uint16_t>(addr, v);
    case 4: return xchg<std::uint32_t>(addr, v);
    default: return xchg<std::uint64_t>(addr, v);
    }
}

template <typename W>
static bool cas(volatile void* addr, std::uint64_t* expected, std::uint64_t desired) {
    W e = static_cast<W>(*expected);
    bool ok = __atomic_compare_exchange_n(as<W>(addr), &e, static_cast<W>(desired), false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST);
    *expected = e;
    return ok;
}

bool atomic_compare_exchange(volatile void* addr, unsigned size, std::uint64_t* expected, std::uint64_t desired,
                             MemoryOrder) {
    switch (size) {
    case 1: return cas<std::uint8_t>(addr, expected, desired);
    case 2: return cas<std::uint16_t>(addr, expected, desired);
    case 4: return cas<std::uint32_t>(addr, expected, desired);
    default: return cas<std::uint64_t>(addr, expected, desired);
    }
}

void atomic_fence(MemoryOrder) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void preemption_point() {}
void cpu_relax() {}

} // namespace hosted
} // namespace arch
