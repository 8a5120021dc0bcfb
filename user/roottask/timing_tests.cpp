// Timeouts and priorities seen from ring 3 (docs/ipc.md "Timeouts", "Scheduling"): poll, finite and never
// waits on receive, send, call and notify_wait; a higher priority runs first, a lower one only when the root
// blocks; priority changes take effect at the CPU's next decision; equals take turns when they yield; a
// thread spinning below the root never delays the root's own timeouts.
//
// Nothing measures wall-clock time: each test states what must have happened (a status, a flag, an order),
// and waits for other threads with eventually() or with finite timeouts of the root's own.
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::millisecond;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Word above_root = 200, below_root = 100;
constexpr Vaddr utcbs = 0x2b00'0000;

// Threads here run in the root's own domain and use the root's scratch selectors: the endpoint scratch(1),
// the notification scratch(2), a park notification scratch(3).
constexpr Sel ep_sel = scratch(1), ntf_sel = scratch(2), park_sel = scratch(3);

volatile Word flag[4];
volatile Word result[4];

[[noreturn]] void park() {
    for (;;) sys::notify_wait(park_sel, timeout_never);
}

template <int I>
[[noreturn]] void set_flag() {
    flag[I] = 1;
    park();
}

template <int I>
[[noreturn]] void wait_then_flag() {
    result[I] = static_cast<Word>(sys::notify_wait(ntf_sel, timeout_never).error) + 1;
    flag[I] = 1;
    park();
}

[[noreturn]] void late_sender() {
    result[0] = static_cast<Word>(sys::ipc_send(ep_sel, msg::info(4, 2), timeout_never, 11, 22, 0).error) + 1;
    park();
}

[[noreturn]] void late_receiver() {
    auto r = sys::ipc_recv(ep_sel, timeout_never);
    result[1] = r.w0;
    result[0] = static_cast<Word>(r.error) + 1;
    park();
}

[[noreturn]] void late_signaller() {
    result[0] = static_cast<Word>(sys::notify_signal(ntf_sel, 0x30).error) + 1;
    park();
}

/// Receives one call, waits 20 ms on its own (a finite wait that times out), then answers w0 + 1.
[[noreturn]] void slow_server() {
    auto& u = roottask::utcb_at(utcbs);
    u.reply_sel = raw(scratch(4));
    auto r = sys::ipc_recv(ep_sel, timeout_never);
    result[1] = static_cast<Word>(sys::notify_wait(park_sel, 20 * millisecond).error) + 1;
    sys::ipc_reply(scratch(4), msg::info(0, 1), r.w0 + 1, 0, 0);
    park();
}

template <int I>
[[noreturn]] void timed_waiter() {
    result[I] = static_cast<Word>(sys::notify_wait(scratch(5 + I), (I + 1) * millisecond).error) + 1;
    park();
}

volatile Word spins = 0;
[[noreturn]] void spin() {
    for (;;) spins = spins + 1;
}

volatile Word turn_log[64];
volatile Word turns = 0;
template <int I>
[[noreturn]] void taker() {
    for (unsigned k = 0; k < 20; ++k) {
        turn_log[turns] = I;
        turns = turns + 1;
        sys::thread_yield();
    }
    park();
}

constexpr Word st(Error e) {
    return static_cast<Word>(e) + 1;
}

/// The objects every test here uses; false after a failed check.
bool setup(test::Context& t) {
    for (unsigned i = 0; i < 4; ++i) {
        flag[i] = 0;
        result[i] = 0;
    }
    return CHECK_EQ(sys::endpoint_create(ep_sel).error, Error::ok) &&
           CHECK_EQ(sys::notification_create(ntf_sel).error, Error::ok) &&
           CHECK_EQ(sys::notification_create(park_sel).error, Error::ok);
}

/// Threads first: one parked above the root would spin on its vanished park notification and starve it.
void cleanup() {
    for (unsigned i = 8; i < 12; ++i) (void)sys::cap_delete(scratch(i));
    roottask::clear_scratch(12);
}

bool start(test::Context& t, unsigned i, void (*entry)(), Word prio, Word cpu = 0) {
    return roottask::start_thread_on(t, scratch(8 + i), root::own_pd, utcbs + i * 4096, entry, prio, cpu);
}

} // namespace

JANUS_TEST(notify_wait_poll_finite_and_never) {
    REQUIRE_BOOT();
    if (setup(t)) {
        CHECK_EQ(sys::notify_wait(ntf_sel, timeout_poll).error, Error::would_block);
        CHECK_EQ(sys::notify_wait(ntf_sel, millisecond).error, Error::timeout);
        CHECK_EQ(sys::notify_wait(ntf_sel, 1).error, Error::timeout); // 1 ns: finite, not a poll
        // Never: the wait ends when a thread below the root, which runs only while the root waits, signals.
        if (start(t, 0, late_signaller, below_root, roottask::next_cpu())) {
            auto r = sys::notify_wait(ntf_sel, timeout_never);
            CHECK_EQ(r.error, Error::ok);
            CHECK_EQ(r.bits, Word{0x30});
            CHECK(roottask::eventually(park_sel, [] { return result[0] != 0; }));
            CHECK_EQ(result[0], st(Error::ok));
        }
    }
    cleanup();
}

JANUS_TEST(a_finite_receive_takes_a_sender_that_comes_in_time) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, late_sender, below_root, roottask::next_cpu())) {
        auto r = sys::ipc_recv(ep_sel, second);
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(msg::label(r.info), Word{4});
            CHECK_EQ(r.w0, Word{11});
            CHECK_EQ(r.w1, Word{22});
        }
        CHECK(roottask::eventually(scratch(2), [] { return result[0] != 0; }));
        CHECK_EQ(result[0], st(Error::ok));
    }
    cleanup();
}

JANUS_TEST(a_finite_send_reaches_a_receiver_that_comes_in_time) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, late_receiver, below_root, roottask::next_cpu())) {
        CHECK_EQ(sys::ipc_send(ep_sel, msg::info(1, 1), second, 0x5150, 0, 0).error, Error::ok);
        CHECK(roottask::eventually(park_sel, [] { return result[0] != 0; }));
        CHECK_EQ(result[0], st(Error::ok));
        CHECK_EQ(result[1], Word{0x5150});
    }
    cleanup();
}

JANUS_TEST(a_call_timeout_bounds_only_the_wait_for_a_receiver) {
    REQUIRE_BOOT();
    if (setup(t)) {
        CHECK_EQ(sys::ipc_call(ep_sel, msg::info(1, 1), millisecond, 1, 0, 0).error, Error::timeout);
        // The server waits above the root, so the call meets it at once; it answers only after a 20 ms wait
        // of its own, far past the call's 1 ms timeout, and the answer still arrives.
        if (start(t, 0, slow_server, above_root)) {
            auto r = sys::ipc_call(ep_sel, msg::info(1, 1), millisecond, 41, 0, 0);
            CHECK_EQ(r.error, Error::ok);
            CHECK_EQ(r.w0, Word{42});
            CHECK_EQ(result[1], st(Error::timeout)); // the server's own wait ran out before it answered
        }
    }
    cleanup();
}

JANUS_TEST(finite_waits_of_several_threads_all_time_out) {
    REQUIRE_BOOT();
    if (setup(t)) {
        for (unsigned i = 0; i < 3; ++i) CHECK_EQ(sys::notification_create(scratch(5 + i)).error, Error::ok);
        if (start(t, 0, timed_waiter<0>, above_root, roottask::next_cpu()) &&
            start(t, 1, timed_waiter<1>, above_root, roottask::next_cpu()) &&
            start(t, 2, timed_waiter<2>, above_root, roottask::next_cpu())) {
            CHECK(roottask::eventually(park_sel, [] { return result[0] && result[1] && result[2]; }));
            for (unsigned i = 0; i < 3; ++i) CHECK_EQ(result[i], st(Error::timeout));
        }
    }
    cleanup();
}

JANUS_TEST(a_higher_priority_thread_runs_before_thread_start_returns) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, set_flag<0>, above_root, 0)) CHECK_EQ(flag[0], Word{1});
    if (start(t, 1, set_flag<1>, 255, 0)) CHECK_EQ(flag[1], Word{1}); // the highest priority there is
    cleanup();
}

JANUS_TEST(a_lower_priority_thread_runs_only_when_the_root_blocks) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, set_flag<0>, below_root, 0) && start(t, 1, set_flag<1>, 0, 0)) {
        for (unsigned i = 0; i < 20; ++i) (void)sys::pd_quota(); // syscalls that never block
        CHECK_EQ(flag[0], Word{0});
        CHECK_EQ(flag[1], Word{0});
        CHECK(roottask::eventually(park_sel, [] { return flag[0] == 1 && flag[1] == 1; })); // priority 0 too
    }
    cleanup();
}

JANUS_TEST(raising_a_ready_threads_priority_above_the_root_runs_it_at_once) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, set_flag<0>, below_root, 0)) {
        CHECK_EQ(flag[0], Word{0}); // ready, below the root
        CHECK_EQ(sys::thread_set_sched(scratch(8), above_root, 0).error, Error::ok);
        CHECK_EQ(flag[0], Word{1}); // it ran at the CPU's next decision, before the root went on
    }
    cleanup();
}

JANUS_TEST(lowering_a_waiting_threads_priority_defers_it_after_a_signal) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, wait_then_flag<0>, above_root, 0)) {
        CHECK_EQ(flag[0], Word{0}); // waiting
        CHECK_EQ(sys::thread_set_sched(scratch(8), below_root, 0).error, Error::ok);
        CHECK_EQ(sys::notify_signal(ntf_sel, 1).error, Error::ok);
        CHECK_EQ(flag[0], Word{0}); // ready, but below the root now
        CHECK(roottask::eventually(park_sel, [] { return flag[0] == 1; }));
        CHECK_EQ(result[0], st(Error::ok));
    }
    cleanup();
}

JANUS_TEST(a_signal_to_a_higher_priority_waiter_preempts_the_signaller) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, wait_then_flag<0>, below_root, 0)) {
        CHECK(roottask::eventually(
                  park_sel, [] { return false; }, 5 * millisecond) == false); // it reaches its wait
        CHECK_EQ(sys::thread_set_sched(scratch(8), above_root, 0).error, Error::ok);
        CHECK_EQ(flag[0], Word{0});
        CHECK_EQ(sys::notify_signal(ntf_sel, 1).error, Error::ok);
        CHECK_EQ(flag[0], Word{1}); // it ran before notify_signal returned
        CHECK_EQ(result[0], st(Error::ok));
    }
    cleanup();
}

JANUS_TEST(equal_priority_threads_take_turns_when_they_yield) {
    REQUIRE_BOOT();
    turns = 0;
    if (setup(t) && start(t, 0, taker<0>, below_root, 0) && start(t, 1, taker<1>, below_root, 0)) {
        CHECK(roottask::eventually(park_sel, [] { return turns >= 40; }));
        unsigned count[2] = {0, 0}, run = 0, longest = 0;
        for (unsigned k = 0; k < 40; ++k) {
            ++count[turn_log[k] & 1];
            run = k > 0 && turn_log[k] == turn_log[k - 1] ? run + 1 : 1;
            longest = run > longest ? run : longest;
        }
        CHECK_EQ(count[0], 20u);
        CHECK_EQ(count[1], 20u);
        // Each yield hands the CPU to the other; a slice ending between a thread's log entry and its yield
        // can put two entries of one thread in a row, never three.
        CHECK(longest <= 2);
    }
    cleanup();
}

JANUS_TEST(a_spinning_thread_below_the_root_never_delays_its_timeouts) {
    REQUIRE_BOOT();
    spins = 0;
    if (setup(t) && start(t, 0, spin, below_root, 0)) {
        for (unsigned i = 0; i < 5; ++i)
            CHECK_EQ(sys::notify_wait(ntf_sel, millisecond).error, Error::timeout);
        CHECK(spins > 0); // it ran while the root waited, and the root's timeouts took the CPU back
        CHECK_EQ(sys::thread_stop(scratch(8)).error, Error::ok);
    }
    cleanup();
}

JANUS_TEST(thread_yield_without_equals_returns_at_once) {
    REQUIRE_BOOT();
    if (setup(t) && start(t, 0, set_flag<0>, below_root, 0)) {
        // Only threads of the same priority get the CPU from a yield: the lower one does not run.
        for (unsigned i = 0; i < 10; ++i) CHECK_EQ(sys::thread_yield().error, Error::ok);
        CHECK_EQ(flag[0], Word{0});
    }
    cleanup();
}
