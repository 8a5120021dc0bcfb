// Interrupts delivered to user threads (docs/ipc.md "Notifications and interrupts"): device line 0 is the
// legacy periodic timer (100 Hz, docs/abi.md irq_create), so its irq object gives a ring-3 driver real device
// interrupts to count on any machine. An irq bound to a notification signals its bit once per interrupt, then
// holds the line back until irq_ack; a deleted irq delivers nothing, and its line can be taken again.
//
// Time bounds are generous on purpose: under QEMU TCG on a loaded host the guest may be descheduled, so a
// test asks for a few ticks within a long timeout, never for a rate.
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::millisecond;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Word timer_line = 0; // the legacy periodic timer
constexpr Word tick_bit = 5;   // the notification bit the tests bind the line to

// The driver's capability space.
constexpr Sel driver_irq{1};  // the irq (control: bind and acknowledge)
constexpr Sel driver_ntf{2};  // the notification it binds the irq to and waits on (read, write)
constexpr Sel driver_done{3}; // signalled when it has taken its ticks (write)

constexpr Vaddr driver_utcb = 0x1300'0000;
constexpr Word child_quota = 256 * 1024;
constexpr Word driver_goal = 5; // ticks the driver takes, each within a second of the one before

volatile Word driver_bind = 0;  // irq_bind's status + 1 once the driver bound the line
volatile Word driver_ticks = 0; // interrupts it took and acknowledged
volatile Word driver_error = 0; // the first unexpected status or bits + 1, 0 while none

/// A ring-3 driver in a child domain: binds the line to its notification, takes and acknowledges
/// driver_goal interrupts, each within a second (the line ticks every 10 ms), reports and then waits for
/// good.
[[noreturn]] void driver() {
    driver_bind = static_cast<Word>(sys::irq_bind(driver_irq, driver_ntf, tick_bit).error) + 1;
    while (driver_ticks < driver_goal) {
        auto r = sys::notify_wait(driver_ntf, second);
        if (r.error != Error::ok || r.bits != Word{1} << tick_bit) {
            driver_error = r.error != Error::ok ? static_cast<Word>(r.error) + 1 : r.bits + 1;
            break;
        }
        driver_ticks = driver_ticks + 1;
        if (Error e = sys::irq_ack(driver_irq).error; e != Error::ok) {
            driver_error = static_cast<Word>(e) + 1;
            break;
        }
    }
    sys::notify_signal(driver_done, 1);
    for (;;) sys::notify_wait(driver_ntf, timeout_never);
}

} // namespace

JANUS_TEST(irq_timer_ticks_reach_a_driver_in_a_child_domain) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), irq = scratch(1), ntf = scratch(2), thread = scratch(3), done = scratch(4);
    driver_bind = 0;
    driver_ticks = 0;
    driver_error = 0;
    CHECK_EQ(sys::irq_create(irq, root::irq_control, timer_line).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(done).error, Error::ok);
    if (roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::cap_copy(irq, pd, driver_irq, R::control, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(ntf, pd, driver_ntf, R::read | R::write, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(done, pd, driver_done, R::write, 0).error, Error::ok) &&
        roottask::start_thread(t, thread, pd, driver_utcb, driver)) {
        // 5 ticks take 50 ms at 100 Hz; the driver gives up after a second without one.
        CHECK_EQ(sys::notify_wait(done, (driver_goal + 1) * second).error, Error::ok);
        CHECK_EQ(driver_bind, static_cast<Word>(Error::ok) + 1);
        CHECK_EQ(driver_error, Word{0});
        CHECK_EQ(driver_ticks, driver_goal);
    }
    roottask::clear_scratch(5);
}

JANUS_TEST(irq_held_back_until_acknowledged_then_delivered_at_once) {
    REQUIRE_BOOT();
    const Sel irq = scratch(0), ntf = scratch(1);
    CHECK_EQ(sys::irq_create(irq, root::irq_control, timer_line).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::irq_bind(irq, ntf, tick_bit).error, Error::ok);
    auto r = sys::notify_wait(ntf, second);
    if (CHECK_EQ(r.error, Error::ok)) {
        CHECK_EQ(r.bits, Word{1} << tick_bit);
        // Not acknowledged: about thirty ticks come and are held back, collapsed into one (a long hold, so
        // that even a host that stalls QEMU for a while lets at least one tick reach the kernel meanwhile).
        CHECK_EQ(sys::notify_wait(ntf, 300 * millisecond).error, Error::timeout);
        CHECK_EQ(sys::irq_ack(irq).error, Error::ok);
        r = sys::notify_wait(ntf, timeout_poll); // the held-back one, without waiting for the next tick
        CHECK_EQ(r.error, Error::ok);
        CHECK_EQ(r.bits, Word{1} << tick_bit);
    }
    roottask::clear_scratch(2);
}

JANUS_TEST(irq_deleted_delivers_nothing_and_its_line_can_be_taken_again) {
    REQUIRE_BOOT();
    const Sel irq = scratch(0), ntf = scratch(1), again = scratch(2);
    CHECK_EQ(sys::irq_create(irq, root::irq_control, timer_line).error, Error::ok);
    CHECK_EQ(sys::irq_create(again, root::irq_control, timer_line).error, Error::invalid_argument);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::irq_bind(irq, ntf, tick_bit).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, second).error, Error::ok);
    // Not acknowledged, so nothing more was signalled; the only capability goes and the irq object with it.
    CHECK_EQ(sys::cap_delete(irq).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, 100 * millisecond).error, Error::timeout);
    // The line is free again; bound to the same notification it ticks as before.
    CHECK_EQ(sys::irq_create(again, root::irq_control, timer_line).error, Error::ok);
    CHECK_EQ(sys::irq_bind(again, ntf, tick_bit).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, second).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(irq_bound_notification_deleted_unbinds_the_line) {
    REQUIRE_BOOT();
    const Sel irq = scratch(0), ntf = scratch(1), other = scratch(2);
    CHECK_EQ(sys::irq_create(irq, root::irq_control, timer_line).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(other).error, Error::ok);
    CHECK_EQ(sys::irq_bind(irq, ntf, tick_bit).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, second).error, Error::ok);
    CHECK_EQ(sys::irq_ack(irq).error, Error::ok);
    CHECK_EQ(sys::cap_delete(ntf).error, Error::ok); // the binding does not keep it alive
    // Unbound, the irq still acknowledges; bound anew it delivers to the new notification.
    CHECK_EQ(sys::irq_ack(irq).error, Error::ok);
    CHECK_EQ(sys::irq_bind(irq, other, 0).error, Error::ok);
    auto r = sys::notify_wait(other, second);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.bits, Word{1});
    roottask::clear_scratch(3);
}
