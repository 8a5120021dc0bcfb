// Supervising the components (docs/init.md "What init does"): every component's first thread has init's
// exception endpoint as its handler, badged with the component's number. A fault ends the component; a #UD
// goes through the exit probe (exit_probe.S) first, which tells an exit (and its status) from a genuine #UD.
#include "kernel/abi/ipc.hpp"
#include "user/init/layout.hpp"
#include "user/init/system.hpp"
#include "user/lib/syscall.hpp"

extern "C" char init_exit_probe[], init_exit_probe_status[], init_exit_probe_other[]; // exit_probe.S

namespace janus::init {

namespace {

using namespace janus::user;
using abi::Error;
namespace msg = abi::msg;

constexpr std::uint64_t invalid_opcode = 6;

/// An address in the probe page as the component sees it.
std::uint64_t in_probe(const char* symbol) {
    return layout::probe + static_cast<std::uint64_t>(symbol - init_exit_probe);
}

const char* exception_name(std::uint64_t vector) {
    switch (vector) {
    case 0:
        return "#DE divide error";
    case 1:
        return "#DB debug";
    case 2:
        return "NMI";
    case 3:
        return "#BP breakpoint";
    case 4:
        return "#OF overflow";
    case 5:
        return "#BR bound range exceeded";
    case 6:
        return "#UD invalid opcode";
    case 7:
        return "#NM device not available";
    case 8:
        return "#DF double fault";
    case 10:
        return "#TS invalid TSS";
    case 11:
        return "#NP segment not present";
    case 12:
        return "#SS stack fault";
    case 13:
        return "#GP general protection";
    case 14:
        return "#PF page fault";
    case 16:
        return "#MF x87 floating point";
    case 17:
        return "#AC alignment check";
    case 18:
        return "#MC machine check";
    case 19:
        return "#XM SIMD floating point";
    case 20:
        return "#VE virtualization";
    case 21:
        return "#CP control protection";
    default:
        return "exception";
    }
}

/// The component's domain goes first, with the thread whose fault message init holds; only then the reply
/// capability (deleting it first would make the kernel stop the thread with a console line of its own).
void end_component(System& system, std::size_t index, State state, std::int64_t status) {
    Component& c = system.components[index];
    tear_down(system, index);
    (void)sys::cap_delete(Sel{sel::fault_reply});
    c.record.state = state;
    c.record.exit_status = status;
    c.probing = false;
}

/// The components' exception messages until the run ends. Returns after the verdict says so.
void serve_faults(System& system) {
    auto& utcb = *reinterpret_cast<abi::Utcb*>(abi::root_mem::utcb);
    const std::uint64_t n = system.config.component_count;
    while (!judge_all(system).ended) {
        utcb.reply_sel = sel::fault_reply;
        const auto r = sys::ipc_recv(Sel{sel::fault_ep}, abi::timeout_never);
        if (!r.ok()) {
            say("receiving on the exception endpoint failed: {}\n", r.error);
            continue;
        }
        const bool replyable = (r.info & msg::call_flag) != 0;
        if (r.badge == 0 || r.badge > n || system.components[r.badge - 1].record.state != State::running ||
            msg::label(r.info) != abi::label::exception) {
            say("ignoring a message with badge {} label {x}\n", r.badge, msg::label(r.info));
            if (replyable) (void)sys::cap_delete(Sel{sel::fault_reply});
            continue;
        }
        const std::size_t index = r.badge - 1;
        Component& c = system.components[index];
        const char* name = system.config.components[index].name;
        const std::uint64_t vector = r.w0, ip = r.w2, sp = utcb.mr[3];

        if (c.probing && vector == invalid_opcode && ip == in_probe(init_exit_probe_status)) {
            const auto status = static_cast<std::int64_t>(sp);
            end_component(system, index, State::exited, status);
            say("{} exited with status {}\n", name, status);
            continue;
        }
        if (!c.probing && vector == invalid_opcode && replyable) {
            // Perhaps the exit convention: resume the thread at the probe, which answers with a second #UD.
            c.probing = true;
            c.ud_ip = ip;
            const Error e =
                sys::ipc_reply(Sel{sel::fault_reply}, msg::info(0, 1), in_probe(init_exit_probe), 0, 0).error;
            if (e == Error::ok) continue;
            say("{}: answering its #UD failed: {}\n", name, e);
        }
        const std::uint64_t at = c.probing && ip == in_probe(init_exit_probe_other) ? c.ud_ip : ip;
        end_component(system, index, State::faulted, 0);
        say("{} faulted: {} at {x}\n", name, exception_name(vector), at);
    }
}

} // namespace

Verdict judge_all(const System& system) {
    Record records[max_components];
    for (std::size_t i = 0; i < system.config.component_count; ++i) records[i] = system.components[i].record;
    return judge(records, system.config.component_count);
}

int supervise(System& system) {
    serve_faults(system);
    std::size_t exited = 0, faulted = 0, not_started = 0, stopped = 0;
    for (std::size_t i = 0; i < system.config.component_count; ++i) {
        switch (system.components[i].record.state) {
        case State::running:
            tear_down(system, i);
            say("stopped {}\n", system.config.components[i].name);
            ++stopped;
            break;
        case State::exited:
            ++exited;
            break;
        case State::faulted:
            ++faulted;
            break;
        case State::not_started:
            ++not_started;
            break;
        }
    }
    const Verdict v = judge_all(system);
    say("done: {} exited, {} faulted, {} not started, {} stopped; status {}\n", exited, faulted, not_started,
        stopped, v.status);
    return v.status;
}

} // namespace janus::init
