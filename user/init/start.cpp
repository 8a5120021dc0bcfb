// Starting one component (docs/init.md "What init does"): its domain, its image, pool, environment page and
// capabilities, then its first thread. Any failure is reported and undoes everything made so far.
#include "kernel/abi/abi.hpp"
#include "user/init/elf_loader.hpp"
#include "user/init/layout.hpp"
#include "user/init/system.hpp"
#include "user/lib/component.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/string.hpp"
#include "user/lib/syscall.hpp"

extern "C" char init_exit_probe[]; // exit_probe.S

namespace janus::init {

namespace {

using namespace janus::user;
using abi::Error;
namespace R = abi::rights;
namespace fpage = abi::fpage;
using layout::page;

static ElfProgram program; // one component is started at a time

/// The component being started, for messages.
struct Start {
    System& system;
    std::size_t index;
    const ComponentSpec& spec;
    std::uint64_t number; ///< 1.. in configuration order: the badge of its `use` capabilities and its faults
};

/// Reports a failed syscall of a start; returns false.
bool failed(const Start& s, const char* what, Error e) {
    say("{}: {} failed: {}; not started\n", s.spec.name, what, e);
    return false;
}

bool map_page(const Start& s, std::uint64_t from, std::uint64_t to, std::uint64_t rights, const char* what) {
    const Error e = sys::mem_map(fpage::make(from, 12, rights), sel::pd(s.index), to, 0).error;
    if (e == Error::ok) return true;
    say("{}: mapping {} page {x} failed: {}; not started\n", s.spec.name, what, to, e);
    return false;
}

/// Maps one segment: executable ones straight from the module's pages (read/execute), the others as copies in
/// fresh pool pages (so writes stay the component's and the zero-filled part is zero).
bool map_segment(const Start& s, const BootModule& module, const ElfSegment& seg) {
    if (seg.rights & R::exec) {
        const std::uint64_t base = reinterpret_cast<std::uint64_t>(module.bytes);
        if (base % page != 0) {
            say("{}: {}: module at {x} is not page aligned, so its text cannot be mapped; not started\n",
                s.spec.name, s.spec.elf, base);
            return false;
        }
        for (std::uint64_t va = seg.page_begin; va < seg.page_end; va += page)
            if (!map_page(s, base + seg.offset - (seg.vaddr - va), va, R::read | R::exec, "text"))
                return false;
        return true;
    }
    const std::uint64_t pages = (seg.page_end - seg.page_begin) / page;
    const std::uint64_t copy = s.system.pool.take(pages);
    if (copy == 0) {
        say("{}: init's pool has no {} pages left for a segment; not started\n", s.spec.name, pages);
        return false;
    }
    for (std::uint64_t i = 0; i < pages; ++i) {
        const std::uint64_t va = seg.page_begin + i * page;
        const PageFill fill = page_fill(seg, va);
        if (fill.length != 0)
            memcpy(reinterpret_cast<void*>(copy + i * page + fill.page_offset),
                   module.bytes + fill.file_offset, fill.length);
        if (!map_page(s, copy + i * page, va, seg.rights, "data")) return false;
    }
    return true;
}

bool map_pool(const Start& s) {
    const std::uint64_t pages = s.spec.memory / page;
    if (pages == 0) return true;
    const std::uint64_t first = s.system.pool.take(pages);
    if (first == 0) {
        say("{}: init's pool has no {} pages left for its memory; not started\n", s.spec.name, pages);
        return false;
    }
    for (std::uint64_t i = 0; i < pages; ++i)
        if (!map_page(s, first + i * page, layout::pool + i * page, R::read | R::write, "pool")) return false;
    return true;
}

/// Creates (io_ports, irq) or names (endpoints) each configured capability and copies it into the component.
bool give_caps(const Start& s, component::Env& env) {
    const Sel pd = sel::pd(s.index);
    for (std::size_t k = 0; k < s.spec.cap_count; ++k) {
        const CapSpec& c = s.spec.caps[k];
        const Word dest = component_sel::first_cap + k;
        component::Cap& out = env.caps[k];
        memcpy(out.name, c.name, sizeof out.name);
        out.sel = dest;
        Error e = Error::ok;
        switch (c.kind) {
        case CapKind::serve:
            out.kind = static_cast<std::uint64_t>(component::CapKind::endpoint_serve);
            e = sys::cap_copy(sel::endpoint(c.endpoint), pd, Sel{dest}, R::read | R::write | R::grant, 0)
                    .error;
            break;
        case CapKind::use:
            out.kind = static_cast<std::uint64_t>(component::CapKind::endpoint_use);
            e = sys::cap_copy(sel::endpoint(c.endpoint), pd, Sel{dest}, R::write, s.number).error;
            break;
        case CapKind::io_ports:
            out.kind = static_cast<std::uint64_t>(component::CapKind::io_ports);
            out.a = c.a;
            out.b = c.b;
            e = sys::io_create(sel::original(s.index, k), Sel{abi::root_sel::io_control}, c.a, c.b).error;
            if (e != Error::ok) return failed(s, "io_create", e);
            e = sys::cap_copy(sel::original(s.index, k), pd, Sel{dest}, abi::io_use_rights, 0).error;
            break;
        case CapKind::irq:
            out.kind = static_cast<std::uint64_t>(component::CapKind::irq);
            out.a = c.a;
            e = sys::irq_create(sel::original(s.index, k), root::irq_control, c.a).error;
            if (e != Error::ok) return failed(s, "irq_create", e);
            e = sys::cap_copy(sel::original(s.index, k), pd, Sel{dest}, R::control, 0).error;
            break;
        }
        if (e != Error::ok) {
            say("{}: giving it capability '{}' failed: {}; not started\n", s.spec.name, c.name, e);
            return false;
        }
    }
    env.cap_count = s.spec.cap_count;
    return true;
}

bool start(const Start& s) {
    System& system = s.system;
    const ComponentSpec& spec = s.spec;
    const std::size_t m = find_elf_module(system.modules, system.module_count, spec.elf);
    if (m == no_module) {
        say("{}: no boot module named {}; not started\n", spec.name, spec.elf);
        return false;
    }
    const BootModule& module = system.modules[m];
    ElfRefusal why;
    if (!check_elf(module.bytes, module.size, program, why)) {
        say("{}: {} refused: {}; not started\n", spec.name, spec.elf, why.message);
        return false;
    }
    if (spec.cpu >= system.cpu_count) {
        say("{}: cpu {} does not exist (this machine runs {} CPUs); not started\n", spec.name, spec.cpu,
            system.cpu_count);
        return false;
    }

    Error e = sys::pd_create(sel::pd(s.index), spec.quota, component_cap_order).error;
    if (e != Error::ok) return failed(s, "pd_create", e);
    for (std::size_t i = 0; i < program.count; ++i)
        if (!map_segment(s, module, program.segments[i])) return false;
    if (!map_pool(s)) return false;

    const std::uint64_t env_page = system.pool.take(1);
    if (env_page == 0) {
        say("{}: init's pool has no page left for its environment; not started\n", spec.name);
        return false;
    }
    auto& env = *reinterpret_cast<component::Env*>(env_page);
    env.magic = component::env_magic;
    memcpy(env.name, spec.name, sizeof env.name);
    env.number = s.number;
    env.pd_sel = component_sel::pd;
    env.thread_sel = component_sel::thread;
    env.pool = spec.memory ? layout::pool : 0;
    env.pool_bytes = spec.memory;
    env.cpu = spec.cpu;
    env.cpu_count = system.cpu_count;
    env.free_sel = component_sel::first_cap + spec.cap_count;
    if (!give_caps(s, env)) return false;
    if (!map_page(s, env_page, layout::env, R::read, "environment")) return false;
    if (!map_page(s, reinterpret_cast<std::uint64_t>(init_exit_probe), layout::probe, R::read | R::exec,
                  "exit probe"))
        return false;

    e = sys::thread_create(sel::thread(s.index), sel::pd(s.index), layout::utcb, spec.priority, spec.cpu)
            .error;
    if (e != Error::ok) return failed(s, "thread_create", e);
    e = sys::cap_copy(sel::pd(s.index), sel::pd(s.index), Sel{component_sel::pd}, R::control, 0).error;
    if (e != Error::ok) return failed(s, "copying its own domain capability", e);
    e = sys::cap_copy(sel::thread(s.index), sel::pd(s.index), Sel{component_sel::thread}, R::control, 0)
            .error;
    if (e != Error::ok) return failed(s, "copying its thread capability", e);
    e = sys::cap_copy(Sel{sel::fault_ep}, root::own_pd, sel::fault_badged(s.index), R::write, s.number).error;
    if (e != Error::ok) return failed(s, "badging its exception endpoint", e);
    e = sys::thread_configure(sel::thread(s.index), Sel{0}, sel::fault_badged(s.index)).error;
    if (e != Error::ok) return failed(s, "thread_configure", e);
    // The runtime's _start switches to the program's own stack before it pushes anything; rsp only has to be
    // an address thread_start accepts.
    e = sys::thread_start(sel::thread(s.index), program.entry, layout::env).error;
    if (e != Error::ok) return failed(s, "thread_start", e);
    return true;
}

} // namespace

bool start_component(System& system, std::size_t index) {
    const ComponentSpec& spec = system.config.components[index];
    const Start s{system, index, spec, index + 1};
    Component& c = system.components[index];
    c = Component{};
    c.record.server = false;
    for (std::size_t k = 0; k < spec.cap_count; ++k)
        if (spec.caps[k].kind == CapKind::serve) c.record.server = true;
    if (!start(s)) {
        tear_down(system, index);
        c.record.state = State::not_started;
        return false;
    }
    c.record.state = State::running;
    say("started {} (component {}, {} at {x}, cpu {}, priority {})\n", spec.name, s.number, spec.elf,
        program.entry, spec.cpu, spec.priority);
    return true;
}

void tear_down(System& system, std::size_t index) {
    // Deleting the domain destroys its threads, mappings and everything in its capability space; the
    // originals init kept for it come after, so the io_ports objects and irq lines return too. Empty slots
    // answer bad_selector, which is fine here.
    (void)sys::cap_delete(sel::pd(index));
    (void)sys::cap_delete(sel::thread(index));
    (void)sys::cap_delete(sel::fault_badged(index));
    const ComponentSpec& spec = system.config.components[index];
    for (std::size_t k = 0; k < spec.cap_count; ++k) {
        (void)sys::cap_delete(sel::original(index, k));
        // A server's endpoints go with it: deleting init's capability (the root of their derivation trees)
        // revokes the clients' copies, so a client's call waiting there ends (cancelled) instead of waiting
        // for ever, and later calls fail with bad_selector.
        if (spec.caps[k].kind == CapKind::serve) (void)sys::cap_delete(sel::endpoint(spec.caps[k].endpoint));
    }
}

} // namespace janus::init
