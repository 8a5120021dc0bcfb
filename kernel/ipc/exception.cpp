// CPU exceptions of user threads become messages: a page fault to the thread's pager, anything else (and a
// page fault without pager) to its exception handler. Both are calls on the thread's behalf with a
// kernel-made message; the answer resumes the thread. Without a handler, or when the message cannot be
// delivered, the thread stops and the kernel goes on.
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel::ipc {

using namespace detail;
namespace spec = janus::abi;

namespace {

constexpr arch::Vector page_fault_vector = 14;

} // namespace

void exception(Kernel& kernel, Thread& t, const arch::UserExit& exit) {
    const bool page_fault = exit.vector == page_fault_vector && t.pager.target();
    WeakRef& handler = page_fault ? t.pager : t.exception_handler;
    auto* ep = static_cast<Endpoint*>(handler.target());
    if (!ep) {
        println("janus: thread ", hex(reinterpret_cast<std::uintptr_t>(&t)), " stopped: exception ",
                static_cast<unsigned>(exit.vector), " at ip ", hex(arch::user_ip(t.frame)), " error ",
                hex(exit.error_code), " address ", hex(exit.fault_address), " and no handler");
        stop(kernel, t);
        return;
    }
    if (page_fault) {
        t.ipc.origin = Origin::page_fault;
        t.ipc.info = spec::msg::info(spec::label::page_fault, 3);
        t.ipc.words[0] = exit.fault_address;
        t.ipc.words[1] = exit.error_code;
        t.ipc.words[2] = arch::user_ip(t.frame);
        t.ipc.words[3] = 0;
    } else {
        t.ipc.origin = Origin::exception;
        t.ipc.info = spec::msg::info(spec::label::exception, 4);
        t.ipc.words[0] = exit.vector;
        t.ipc.words[1] = exit.error_code;
        t.ipc.words[2] = arch::user_ip(t.frame);
        t.ipc.words[3] = arch::user_sp(t.frame);
    }
    // A call without timeout: it waits for a receiver and then for the answer. `cancelled` (no reply
    // capability could be given) already stopped the thread in complete().
    Error e = send(kernel, t, *ep, handler.tag(), true, spec::timeout_never);
    (void)e;
}

} // namespace kernel::ipc
