// The uart component: a 16550 at the ports of its `com1` capability, its interrupt through the irq object
// `serial`, serving the console protocol on endpoint `console` (user/components/README.md).
//
// One worker thread does everything: it serves the endpoint, and while a request's bytes do not fit in the
// transmitter it waits for the THR-empty interrupt inside that request. The first thread sets up and parks.
#include "user/components/common/serve.hpp"
#include "user/components/common/worker.hpp"
#include "user/components/uart/console_service.hpp"
#include "user/components/uart/uart16550.hpp"
#include "user/lib/component.hpp"
#include "user/lib/port_io.hpp"
#include "user/lib/start.hpp"
#include "user/lib/syscall.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace component = janus::component;
namespace uart = janus::components::uart;
using janus::components::Answer;
using janus::components::Request;

namespace {

/// The device's registers at base .. base + 7, through the in/out instructions.
struct IoPorts {
    std::uint16_t base;
    std::uint8_t in(unsigned r) { return in8(static_cast<std::uint16_t>(base + r)); }
    void out(unsigned r, std::uint8_t v) { out8(static_cast<std::uint16_t>(base + r), v); }
};

/// The irq bound to a notification of ours: wait for its bit, acknowledge through the irq object.
struct IrqWaiter {
    Sel notification;
    Sel irq;
    /// Long enough for a 16-byte FIFO at any usual rate (9600 baud: 17 ms), short enough that a lost
    /// interrupt costs little: the transmitter rechecks the line status after each wait either way.
    static constexpr Word timeout = 20'000'000;

    uart::Wake wait() {
        return sys::notify_wait(notification, timeout).ok() ? uart::Wake::interrupt : uart::Wake::timeout;
    }
    void acknowledge() { (void)sys::irq_ack(irq); }
};

using Transmitter = uart::Transmitter<IoPorts, IrqWaiter>;

IoPorts ports{0};
IrqWaiter waiter{Sel{0}, Sel{0}};
std::size_t burst = 1;
Sel console_ep{0};

struct ConsoleHandler {
    Transmitter& tx;
    void prepare(janus::abi::Utcb& utcb) { utcb.cap_window = 0; } // the console takes no capabilities
    Answer handle(const Request& q, janus::abi::Utcb&) {
        const auto a = uart::serve_console(tx, q.label(), q.words, q.count);
        return {static_cast<std::uint64_t>(a.status), a.written};
    }
};

alignas(16) char worker_stack[16384];
janus::components::Worker worker{Sel{0}, nullptr};
Sel reply_slot{0};

[[noreturn]] void serve_console() {
    Transmitter tx(ports, waiter, burst);
    ConsoleHandler handler{tx};
    janus::components::serve(console_ep, *worker.utcb, reply_slot, handler);
}

/// The capability `name` of kind `kind`, or nullptr (and a report naming it).
const component::Cap* need(const char* name, component::CapKind kind) {
    const component::Cap* c = component::find_cap(name);
    if (c && c->kind == static_cast<std::uint64_t>(kind)) return c;
    janus::components::report("uart: a capability this component needs is missing: ");
    janus::components::report(name);
    janus::components::report("\n");
    return nullptr;
}

} // namespace

int main(const StartInfo&) {
    if (!component::env()) {
        janus::components::report("uart: no component environment (not started by init)\n");
        return 1;
    }
    const component::Cap* com1 = need("com1", component::CapKind::io_ports);
    const component::Cap* serial = need("serial", component::CapKind::irq);
    const component::Cap* console = need("console", component::CapKind::endpoint_serve);
    if (!com1 || !serial || !console) return 1;
    if (com1->b < uart::reg::count || com1->a + uart::reg::count > 0x10000) {
        janus::components::report("uart: com1 covers fewer than the 8 ports of a 16550\n");
        return 1;
    }
    ports.base = static_cast<std::uint16_t>(com1->a);
    const uart::Programmed setup = uart::program(ports);
    if (!setup.present) janus::components::report("uart: no 16550 answers at com1; writes will stall\n");
    burst = setup.burst;

    waiter = {janus::components::take_selector(), Sel{serial->sel}};
    reply_slot = janus::components::take_selector();
    console_ep = Sel{console->sel};
    constexpr Word irq_bit = 0;
    if (!sys::notification_create(waiter.notification).ok() ||
        !sys::irq_bind(waiter.irq, waiter.notification, irq_bit).ok()) {
        janus::components::report("uart: cannot bind the serial interrupt to a notification\n");
        return 1;
    }
    if (janus::components::start_worker(serve_console, worker_stack + sizeof worker_stack, worker) !=
        Error::ok) {
        janus::components::report("uart: cannot start its worker thread\n");
        return 1;
    }
    janus::components::park();
}
