// The hello component: a client of the console and timer services (user/components/README.md). It prints
// through the console server (never debug_write), takes three signals of a 20 ms periodic timer, one of a
// 30 ms one-shot, and exits with status 0 when everything went as the protocols say.
//
// The work runs on a worker thread (the timer requests carry a capability item, which needs a UTCB whose
// address this thread knows: common/worker.hpp); the first thread waits for it and returns its status.
#include "user/components/common/worker.hpp"
#include "user/lib/component.hpp"
#include "user/lib/console_protocol.hpp"
#include "user/lib/format.hpp"
#include "user/lib/start.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/timer_protocol.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace abi = janus::abi;
namespace component = janus::component;

namespace {

constexpr Word periodic_bit = 1 << 0;
constexpr Word oneshot_bit = 1 << 1;
constexpr Word periodic_ns = 20'000'000;
constexpr Word oneshot_ns = 30'000'000;
/// How long a signal may take before hello gives up: generous, QEMU under a loaded host is slow.
constexpr Word patience = 5'000'000'000;
constexpr Word overall_patience = 60'000'000'000;

Sel console_ep{0}, timer_ep{0}, signals{0}, done{0};
janus::components::Worker worker{Sel{0}, nullptr};
alignas(16) char worker_stack[16384];
volatile int status = 1; // the worker's verdict, read by the first thread after `done`

/// Formats and writes one line through the console server; false if the server did not take all of it.
template <typename... A>
bool say(const char* format, const A&... args) {
    char text[128];
    BufferSink line(text, sizeof text);
    print(line, format, args...);
    return janus::console::write(console_ep, line.data(), line.size(), *worker.utcb).ok();
}

/// Waits until `bit` is signalled (other bits, late ticks of a cancelled timer, are ignored).
bool wait_for(Word bit) {
    for (;;) {
        auto r = sys::notify_wait(signals, patience);
        if (!r.ok()) return false;
        if (r.bits & bit) return true;
    }
}

int run() {
    if (!say("hello: started\n")) return 2;
    auto periodic = janus::timer::periodic(*worker.utcb, timer_ep, signals, periodic_ns, periodic_bit);
    if (!periodic.ok()) {
        say("hello: periodic timer refused: error {} status {}\n", periodic.error, periodic.status);
        return 3;
    }
    for (int n = 1; n <= 3; ++n) {
        if (!wait_for(periodic_bit)) {
            say("hello: tick {} did not come\n", n);
            return 4;
        }
        if (!say("hello: tick {}\n", n)) return 2;
    }
    if (!janus::timer::cancel(timer_ep, periodic.id).ok()) {
        say("hello: cancel refused\n");
        return 5;
    }
    auto oneshot = janus::timer::oneshot(*worker.utcb, timer_ep, signals, oneshot_ns, oneshot_bit);
    if (!oneshot.ok() || !wait_for(oneshot_bit)) {
        say("hello: the one-shot timer did not fire\n");
        return 6;
    }
    if (!say("hello: one-shot\n")) return 2;
    if (!say("hello: done\n")) return 2;
    return 0;
}

[[noreturn]] void work() {
    status = run();
    sys::notify_signal(done, 1);
    janus::components::park();
}

} // namespace

int main(const StartInfo&) {
    if (!component::env()) {
        janus::components::report("hello: no component environment (not started by init)\n");
        return 1;
    }
    console_ep = Sel{component::cap("console")};
    timer_ep = Sel{component::cap("timer")};
    if (raw(console_ep) == 0 || raw(timer_ep) == 0) {
        janus::components::report("hello: needs the capabilities `console` and `timer`\n");
        return 1;
    }
    signals = janus::components::take_selector();
    done = janus::components::take_selector();
    if (!sys::notification_create(signals).ok() || !sys::notification_create(done).ok() ||
        janus::components::start_worker(work, worker_stack + sizeof worker_stack, worker) != Error::ok) {
        janus::components::report("hello: cannot set up its notifications and worker thread\n");
        return 1;
    }
    // Three 20 ms periods and a 30 ms one-shot take well under a second; the worker bounds each of its
    // waits, and this one is bounded too, so a worker that faulted (it has no exception handler) still ends
    // hello with a failure status.
    if (!sys::notify_wait(done, overall_patience).ok()) {
        janus::components::report("hello: the worker did not finish\n");
        return 7;
    }
    if (status != 0) {
        // Said on the kernel's console too: the console server may be what failed.
        char text[64];
        BufferSink line(text, sizeof text - 1);
        print(line, "hello: failed (status {})\n", static_cast<int>(status));
        text[line.size()] = 0;
        janus::components::report(text);
    }
    return status;
}
