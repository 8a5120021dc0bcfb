// The timer component: counts the ticks of interrupt line 0 (its irq object `tick`) and serves the timer
// protocol (user/lib/timer_protocol.hpp) on endpoint `timer` (user/components/README.md).
//
// Two threads, one owner of the state. The worker serves the endpoint and alone touches the timer table. The
// first thread waits for the tick interrupt, acknowledges it and tells the worker with a call on the same
// endpoint through the component's own unbadged capability: badge 0, which no client has (init badges a
// client's capability with its component number, 1 and up). So ticks and requests are handled one at a
// time, in the order they reach the endpoint, without a lock.
#include "user/components/common/serve.hpp"
#include "user/components/common/worker.hpp"
#include "user/components/timer/timers.hpp"
#include "user/lib/component.hpp"
#include "user/lib/start.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/timer_protocol.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace abi = janus::abi;
namespace component = janus::component;
namespace protocol = janus::timer;
using janus::components::Answer;
using janus::components::Request;
using janus::components::timer::Status;
using janus::components::timer::Timers;

namespace {

/// The label of the first thread's tick message (badge 0 only).
constexpr std::uint64_t label_tick = 0x100;

Sel timer_ep{0};
Sel first_slot{0}; ///< Timers::slots consecutive selectors for the clients' notification capabilities

Sel slot_sel(unsigned slot) {
    return Sel{raw(first_slot) + slot};
}

struct SlotEffects {
    bool signal(unsigned slot, std::uint64_t bits) { return sys::notify_signal(slot_sel(slot), bits).ok(); }
    void release(unsigned slot) { (void)sys::cap_delete(slot_sel(slot)); }
};

struct TimerHandler {
    Timers timers;
    SlotEffects effects;
    unsigned landing = 0; ///< the free slot the next request's capability lands in

    void prepare(abi::Utcb& utcb) {
        landing = timers.free_slot();
        // Whatever an earlier request left there (a capability the table did not take) goes now.
        (void)sys::cap_delete(slot_sel(landing));
        utcb.cap_window = abi::window::caps(raw(slot_sel(landing)), 1);
    }

    Answer handle(const Request& q, abi::Utcb&) {
        if (q.badge == 0 && q.label() == label_tick) {
            timers.tick(effects);
            return {0};
        }
        switch (q.label()) {
        case protocol::label_oneshot:
        case protocol::label_periodic:
            return subscribe(q);
        case protocol::label_cancel:
            if (q.count < 1) return status(Status::bad_argument);
            return status(timers.cancel(q.badge, q.word(0), effects));
        default:
            return status(Status::unknown_request);
        }
    }

    Answer subscribe(const Request& q) {
        if (q.count < 2) return status(Status::bad_argument);
        if (q.items() != 1 || !holds_notification(slot_sel(landing))) return status(Status::no_notification);
        const auto added =
            timers.add(q.badge, landing, q.word(0), q.word(1), q.label() == protocol::label_periodic);
        return {static_cast<std::uint64_t>(added.status), added.id};
    }

    static bool holds_notification(Sel sel) {
        auto info = sys::cap_info(sel);
        return info.ok() && info.type == static_cast<std::uint64_t>(abi::ObjectType::notification) &&
               (info.rights & abi::rights::write);
    }
    static Answer status(Status s) { return {static_cast<std::uint64_t>(s)}; }
};

TimerHandler handler;
alignas(16) char worker_stack[16384];
janus::components::Worker worker{Sel{0}, nullptr};
Sel reply_slot{0};

[[noreturn]] void serve_timers() {
    janus::components::serve(timer_ep, *worker.utcb, reply_slot, handler);
}

const component::Cap* need(const char* name, component::CapKind kind) {
    const component::Cap* c = component::find_cap(name);
    if (c && c->kind == static_cast<std::uint64_t>(kind)) return c;
    janus::components::report("timer: a capability this component needs is missing: ");
    janus::components::report(name);
    janus::components::report("\n");
    return nullptr;
}

} // namespace

int main(const StartInfo&) {
    if (!component::env()) {
        janus::components::report("timer: no component environment (not started by init)\n");
        return 1;
    }
    const component::Cap* tick = need("tick", component::CapKind::irq);
    const component::Cap* timer = need("timer", component::CapKind::endpoint_serve);
    if (!tick || !timer) return 1;
    timer_ep = Sel{timer->sel};
    first_slot = janus::components::take_selector();
    for (unsigned s = 1; s < Timers::slots; ++s) (void)janus::components::take_selector();
    reply_slot = janus::components::take_selector();
    const Sel ticks = janus::components::take_selector();
    const Sel irq{tick->sel};
    if (!sys::notification_create(ticks).ok() || !sys::irq_bind(irq, ticks, 0).ok()) {
        janus::components::report("timer: cannot bind the tick interrupt to a notification\n");
        return 1;
    }
    if (janus::components::start_worker(serve_timers, worker_stack + sizeof worker_stack, worker) !=
        Error::ok) {
        janus::components::report("timer: cannot start its worker thread\n");
        return 1;
    }
    // Acknowledge first, then report: a tick that comes while the worker is busy is held in the notification
    // (collapsed with any other), never lost behind an unacknowledged line.
    for (;;) {
        if (!sys::notify_wait(ticks, abi::timeout_never).ok()) {
            janus::components::report("timer: waiting for the tick failed; no more ticks\n");
            janus::components::park();
        }
        (void)sys::irq_ack(irq);
        (void)sys::ipc_call(timer_ep, abi::msg::info(label_tick, 0), abi::timeout_never, 0, 0, 0);
    }
}
