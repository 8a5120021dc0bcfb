// The crasher component: a client of the console server that dies in the middle of its calls, so a system
// boot shows the server surviving it (user/system/faults.config, docs/init.md "Starting the system").
//
// Its worker thread calls the console server again and again (console::write carries the bytes in registers
// and waits for the answer); once the worker has been answered a few times and is inside a
// call again, the first thread faults on purpose. init, its exception handler, reports the fault and deletes
// the domain: the worker goes with it while the server holds or is about to receive its call, and the server
// must go on serving the other clients.
#include "user/components/common/worker.hpp"
#include "user/lib/component.hpp"
#include "user/lib/console_protocol.hpp"
#include "user/lib/format.hpp"
#include "user/lib/start.hpp"
#include "user/lib/syscall.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace component = janus::component;

namespace {

Sel console_ep{0}, pause{0};
janus::components::Worker worker{Sel{0}, nullptr};
alignas(16) char worker_stack[8192];
volatile Word answered = 0; ///< calls the server has answered
volatile bool in_call = false;

/// One line, then calls that carry no bytes (the server takes and answers them like any other; they keep the
/// console free of a flood of lines while the first thread waits to catch the worker inside a call).
[[noreturn]] void write_forever() {
    static const char line[] = "crasher: alive\n";
    for (std::size_t length = sizeof line - 1;; length = 0) {
        in_call = true;
        if (janus::console::write(console_ep, line, length).ok()) answered = answered + 1;
        in_call = false;
    }
}

} // namespace

int main(const StartInfo&) {
    if (!component::env()) {
        janus::components::report("crasher: no component environment (not started by init)\n");
        return 1;
    }
    console_ep = Sel{component::cap("console")};
    pause = janus::components::take_selector();
    if (raw(console_ep) == 0 || !sys::notification_create(pause).ok() ||
        janus::components::start_worker(write_forever, worker_stack + sizeof worker_stack, worker) !=
            Error::ok) {
        janus::components::report("crasher: cannot set up (needs `console`)\n");
        return 1;
    }
    // Until the worker was answered three times and has started its next call: yield to it (same priority),
    // napping 1 ms only when that does not get it going (it runs on another CPU, or the server is busy).
    for (int turns = 0; turns < 100'000 && !(answered >= 3 && in_call); ++turns) {
        (void)sys::thread_yield();
        if (turns % 64 == 63) (void)sys::notify_wait(pause, 1'000'000);
    }
    char note[96];
    BufferSink line(note, sizeof note - 1);
    print(line, "crasher: faulting after {} answered calls, {}\n", static_cast<Word>(answered),
          in_call ? "the worker in a call" : "the worker between calls");
    note[line.size()] = 0;
    janus::components::report(note);
    // Die: a write to the null page is a #PF that reaches init.
    *reinterpret_cast<volatile Word*>(0x10) = 1;
    return 2; // not reached
}
