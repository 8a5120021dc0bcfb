// Machine: memory as the simulated CPUs see it — sequentially consistent, or x86-TSO with store buffers.
#include "hostsim/machine.hpp"
#include "hostsim/raw_memory.hpp"
#include "hostsim/sim_cpu.hpp"

namespace hostsim {

std::uint64_t peek(const volatile void* addr, unsigned size) {
    return raw::load(addr, size);
}

std::uint64_t Machine::load(const volatile void* addr, unsigned size) {
    if (config_.tso) {
        SimCpu& c = self();
        if (!c.buffer.empty()) {
            std::uint64_t v;
            switch (c.buffer.find(addr, size, &v)) {
            case StoreBuffer::Lookup::hit:
                return v; // a CPU reads its own buffered store
            case StoreBuffer::Lookup::overlap:
                drain_own_buffer();
                break;
            case StoreBuffer::Lookup::miss:
                break;
            }
        }
    }
    return raw::load(addr, size);
}

void Machine::store(volatile void* addr, unsigned size, std::uint64_t value, bool buffered) {
    value = raw::truncate(value, size);
    if (config_.tso) {
        SimCpu& c = self();
        if (buffered) {
            if (c.buffer.full()) drain_one(static_cast<unsigned>(running_));
            c.buffer.push({addr, value, size});
            return;
        }
        drain_own_buffer(); // a seq_cst store is a locked instruction (xchg) on x86
    }
    note_write(raw::load(addr, size) != value);
    raw::store(addr, size, value);
}

void Machine::drain_own_buffer() {
    if (!config_.tso) return;
    while (!self().buffer.empty()) drain_one(static_cast<unsigned>(running_));
}

void Machine::drain_one(unsigned index) {
    StoreBuffer::Entry e = cpu(static_cast<int>(index)).buffer.pop_oldest();
    if (trace_)
        trace("  cpu%u  drain %s <- %#llx  (%u bytes, from the store buffer)", index,
              address_name(e.addr).c_str(), static_cast<unsigned long long>(e.value), e.size);
    note_write(raw::load(e.addr, e.size) != e.value);
    raw::store(e.addr, e.size, e.value);
}

} // namespace hostsim
