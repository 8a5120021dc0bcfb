// arch/io_ports.hpp on the host: see hostsim/io_ports.hpp. The kernel calls io_select, io_load and io_allow
// with its lock held and interrupts masked, on the CPU about to run a thread; a broken precondition (io_allow
// without io_load, a range outside the port space) fails the run, or aborts outside a machine.
#include "hostsim/io_ports.hpp"

#include <cstdio>
#include <cstdlib>

#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/sim_cpu.hpp"

namespace hostsim {
namespace {

struct HostThread {
    IoPermissions cpu; // the one CPU outside a machine
    std::vector<IoShootdown> log;
};

HostThread& host() {
    thread_local HostThread h;
    return h;
}

IoPermissions& executing() {
    Machine* m = Machine::current();
    return m ? m->io_permissions(m->cpu_id()) : host().cpu;
}

void broken(const char* what) {
    if (Machine* m = Machine::current()) m->fail(Verdict::check_failed, what);
    std::fprintf(stderr, "hostsim: %s\n", what);
    std::abort();
}

const IoPermissions* state_of(arch::CpuId cpu) {
    Machine* m = Machine::current();
    if (m) return cpu < m->cpu_count() ? &m->io_permissions(cpu) : nullptr;
    return cpu == 0 ? &host().cpu : nullptr;
}

} // namespace

IoPermissions& Machine::io_permissions(arch::CpuId id) {
    return cpu(static_cast<int>(id)).io;
}

bool io_permitted(arch::CpuId cpu, std::uint32_t port, unsigned size) {
    const IoPermissions* s = state_of(cpu);
    return s && s->permitted(port, size);
}

const IoPermissions& io_permissions(arch::CpuId cpu) {
    static const IoPermissions at_boot;
    const IoPermissions* s = state_of(cpu);
    return s ? *s : at_boot;
}

std::vector<IoShootdown>& io_shootdowns() {
    return host().log;
}

void reset_io_ports() {
    host().cpu.drop();
    host().log.clear();
}

} // namespace hostsim

namespace arch {

bool io_select(IoKey key) {
    hostsim::san::Bookkeeping bookkeeping; // the CPU's state is hostsim's (its TSS)
    hostsim::IoPermissions& s = hostsim::executing();
    if (key == 0) {
        s.active = false; // the set stays held: selecting it again costs nothing
        return true;
    }
    if (s.loaded != key) return false;
    s.active = true;
    return true;
}

void io_load(IoKey key) {
    hostsim::san::Bookkeeping bookkeeping;
    if (key == 0) hostsim::broken("arch::io_load with key 0 (reserved for \"no port\")");
    hostsim::IoPermissions& s = hostsim::executing();
    s.loaded = key;
    s.ports.reset();
    s.active = true;
}

void io_allow(std::uint32_t first, std::uint32_t count) {
    hostsim::san::Bookkeeping bookkeeping;
    hostsim::IoPermissions& s = hostsim::executing();
    if (s.loaded == 0) hostsim::broken("arch::io_allow without io_load on this CPU");
    if (first > io_port_count || count > io_port_count - first) {
        char what[96]; // no heap string: fail() abandons this CPU's stack
        std::snprintf(what, sizeof what, "arch::io_allow of %u ports from %u: outside the port space", count,
                      first);
        hostsim::broken(what);
    }
    for (std::uint32_t p = first; p < first + count; ++p) s.ports.set(p);
}

void io_shootdown(CpuMask cpus, Vector reenter) {
    {
        hostsim::san::Bookkeeping bookkeeping; // the log is hostsim's (kept across CPUs)
        hostsim::host().log.push_back({cpus, reenter});
    }
    hostsim::Machine* m = hostsim::Machine::current();
    if (!m) {
        if (cpus.has(0)) hostsim::host().cpu.drop(); // one CPU, the executing one: nobody to wait for
        return;
    }
    m->cross_cpu_request(cpus.bits, {hostsim::CrossCpuRequest::Kind::io_ports, std::nullopt, 0, reenter});
}

} // namespace arch
