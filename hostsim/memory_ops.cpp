// The contract's atomics (arch/atomic.hpp, arch::hosted) under hostsim. On a simulated CPU each operation is
// a scheduling point followed by the operation, performed by the machine (store buffers in TSO mode). Locked
// operations (exchange, compare-exchange, fetch-op) and seq_cst fences drain the CPU's store buffer first, as
// on x86. TSan is told the happens-before edges the memory orders create. Without a running machine the
// operations are plain atomics (hostsim/direct_atomics.hpp).
#include <string>

#include "arch/atomic.hpp"
#include "hostsim/direct_atomics.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/raw_memory.hpp"
#include "hostsim/sanitizers.hpp"

namespace arch::hosted {

namespace {

using hostsim::Machine;
namespace raw = hostsim::raw;
namespace san = hostsim::san;

bool acquires(MemoryOrder o) {
    return o == MemoryOrder::acquire || o == MemoryOrder::acq_rel || o == MemoryOrder::seq_cst;
}
bool releases(MemoryOrder o) {
    return o == MemoryOrder::release || o == MemoryOrder::acq_rel || o == MemoryOrder::seq_cst;
}

// A failed compare-exchange only loads: its order loses the release part.
MemoryOrder failure_order(MemoryOrder o) {
    return o == MemoryOrder::release   ? MemoryOrder::relaxed
           : o == MemoryOrder::acq_rel ? MemoryOrder::acquire
                                       : o;
}

const char* name(MemoryOrder o) {
    switch (o) {
    case MemoryOrder::relaxed:
        return "relaxed";
    case MemoryOrder::acquire:
        return "acquire";
    case MemoryOrder::release:
        return "release";
    case MemoryOrder::acq_rel:
        return "acq_rel";
    case MemoryOrder::seq_cst:
        return "seq_cst";
    }
    return "?";
}

const char* name(RmwOp op) {
    switch (op) {
    case RmwOp::add:
        return "add";
    case RmwOp::sub:
        return "sub";
    case RmwOp::and_:
        return "and";
    case RmwOp::or_:
        return "or";
    case RmwOp::xor_:
        return "xor";
    }
    return "?";
}

void before(const volatile void* addr, MemoryOrder o) {
    if (releases(o)) san::tsan_release(addr);
}
void after(const volatile void* addr, MemoryOrder o) {
    if (acquires(o)) san::tsan_acquire(addr);
}

// A locked read-modify-write on memory: returns the old value.
template <typename F>
std::uint64_t locked(Machine& m, const char* op, volatile void* addr, unsigned size, MemoryOrder order,
                     F new_value) {
    m.schedule(Machine::Point::rmw, addr);
    m.drain_own_buffer();
    before(addr, order);
    std::uint64_t old = raw::load(addr, size);
    std::uint64_t v = raw::truncate(new_value(old), size);
    m.note_write(v != old);
    raw::store(addr, size, v);
    after(addr, order);
    if (m.tracing()) {
        std::string note = std::string(name(order)) + ", was " + std::to_string(old);
        m.trace_access(op, addr, size, v, note.c_str());
    }
    return old;
}

} // namespace

std::uint64_t atomic_load(const volatile void* addr, unsigned size, MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::load(addr, size, order);
    m->schedule(Machine::Point::load, addr);
    std::uint64_t v = m->load(addr, size);
    after(addr, order);
    if (m->tracing()) m->trace_access("load", addr, size, v, name(order));
    return v;
}

void atomic_store(volatile void* addr, unsigned size, std::uint64_t value, MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::store(addr, size, value, order);
    m->schedule(Machine::Point::store, addr);
    before(addr, order);
    bool buffered = order != MemoryOrder::seq_cst;
    m->store(addr, size, value, buffered);
    if (m->tracing()) {
        std::string note =
            std::string(name(order)) + (buffered && m->config().tso ? ", into the store buffer" : "");
        m->trace_access("store", addr, size, raw::truncate(value, size), note.c_str());
    }
}

std::uint64_t atomic_exchange(volatile void* addr, unsigned size, std::uint64_t value, MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::exchange(addr, size, value, order);
    return locked(*m, "xchg", addr, size, order, [value](std::uint64_t) { return value; });
}

bool atomic_compare_exchange(volatile void* addr, unsigned size, std::uint64_t* expected,
                             std::uint64_t desired, MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::compare_exchange(addr, size, expected, desired, order);
    m->schedule(Machine::Point::rmw, addr);
    m->drain_own_buffer();
    std::uint64_t cur = raw::load(addr, size);
    if (cur != raw::truncate(*expected, size)) {
        *expected = cur;
        after(addr, failure_order(order));
        if (m->tracing()) m->trace_access("cas", addr, size, cur, "failed: not the expected value");
        return false;
    }
    before(addr, order);
    std::uint64_t v = raw::truncate(desired, size);
    m->note_write(v != cur);
    raw::store(addr, size, v);
    after(addr, order);
    if (m->tracing()) {
        std::string note = std::string(name(order)) + ", was " + std::to_string(cur);
        m->trace_access("cas", addr, size, v, note.c_str());
    }
    return true;
}

std::uint64_t atomic_fetch_op(volatile void* addr, unsigned size, RmwOp op, std::uint64_t operand,
                              MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::fetch_op(addr, size, op, operand, order);
    return locked(*m, name(op), addr, size, order,
                  [op, operand](std::uint64_t old) { return hostsim::direct::apply(op, old, operand); });
}

void atomic_fence(MemoryOrder order) {
    Machine* m = Machine::current();
    if (!m) return hostsim::direct::fence(order);
    m->schedule(Machine::Point::fence);
    if (order == MemoryOrder::seq_cst) m->drain_own_buffer(); // mfence; weaker fences are free on x86
    if (m->tracing())
        m->trace_event(order == MemoryOrder::seq_cst ? "fence seq_cst (mfence)" : "fence (no-op on x86)");
    // TSan has no fences: model them as one global synchronisation object (may hide races, never invents
    // one).
    static char fence_sync;
    if (releases(order)) san::tsan_release(&fence_sync);
    if (acquires(order)) san::tsan_acquire(&fence_sync);
}

void preemption_point() {
    if (Machine* m = Machine::current()) {
        m->schedule(Machine::Point::preempt);
        if (m->tracing()) m->trace_event("preemption_point");
    }
}

void cpu_relax() {
    if (Machine* m = Machine::current()) {
        m->schedule(Machine::Point::relax);
        if (m->tracing()) m->trace_event("cpu_relax");
    }
}

} // namespace arch::hosted
