// Objects dying while in use, seen from ring 3 (docs/ipc.md "Deletion racing with IPC", docs/abi.md
// "Lifetimes"): deleting an endpoint or notification with several waiters, a reply capability or a calling
// thread, a domain whose threads run or wait, a capability whose copies live in other domains, the exception
// endpoint of a thread about to fault; revoking a mapping a thread of another domain is reading. Every waiter
// ends with the documented status, nothing is left on a queue, and the quota comes back.
//
// Waiting threads run above the root on its CPU (CPU 0), so each has reached its wait before thread_start
// returns to the root; their statuses are read through eventually() all the same.
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/checks.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace fpage = janus::abi::fpage;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::millisecond;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Word above_root = 200;
constexpr Word child_quota = 256 * 1024;
constexpr Vaddr utcbs = 0x2900'0000; // worker i's UTCB at utcbs + i pages

// A worker's space (a child domain's or, for the root's own threads, nothing of it is used).
constexpr Sel w_ep{1};   // the endpoint it uses
constexpr Sel w_ntf{2};  // the notification it waits on
constexpr Sel w_park{3}; // where it parks for good

volatile Word status[4]; // status + 1 of worker i's wait
volatile Word report[4]; // what worker i saw afterwards

[[noreturn]] void park() {
    for (;;) sys::notify_wait(w_park, timeout_never);
}

template <int I>
[[noreturn]] void sender() {
    status[I] = static_cast<Word>(sys::ipc_send(w_ep, msg::info(1, 0), timeout_never, 0, 0, 0).error) + 1;
    park();
}
template <int I>
[[noreturn]] void caller() {
    status[I] = static_cast<Word>(sys::ipc_call(w_ep, msg::info(1, 1), timeout_never, 0x42, 0, 0).error) + 1;
    park();
}
template <int I>
[[noreturn]] void receiver() {
    status[I] = static_cast<Word>(sys::ipc_recv(w_ep, timeout_never).error) + 1;
    report[I] = static_cast<Word>(sys::cap_info(w_ep).error) + 1;
    park();
}
template <int I>
[[noreturn]] void reply_receiver() {
    // Nothing at its reply_sel (0): no answer to give, only the receive.
    status[I] =
        static_cast<Word>(sys::ipc_reply_recv(w_ep, msg::info(0, 0), timeout_never, 0, 0, 0).error) + 1;
    park();
}
template <int I>
[[noreturn]] void waiter() {
    status[I] = static_cast<Word>(sys::notify_wait(w_ntf, timeout_never).error) + 1;
    park();
}
/// Waits for a signal on w_ntf, then reports whether its w_ep slot still holds a capability.
template <int I>
[[noreturn]] void inspector() {
    status[I] = static_cast<Word>(sys::notify_wait(w_ntf, timeout_never).error) + 1;
    report[I] = static_cast<Word>(sys::cap_info(w_ep).error) + 1;
    park();
}

void reset() {
    for (unsigned i = 0; i < 4; ++i) {
        status[i] = 0;
        report[i] = 0;
    }
}

constexpr Word st(Error e) {
    return static_cast<Word>(e) + 1;
}

/// Child domain `pd` with copies of `ep` (if any), `ntf` (if any) and `park` in its slots 1..3.
bool child_with(test::Context& t, Sel pd, Sel ep, Sel ntf, Sel park_ntf) {
    if (!roottask::make_child(t, pd, child_quota)) return false;
    if (raw(ep) && !CHECK_EQ(sys::cap_copy(ep, pd, w_ep, R::read | R::write, 0).error, Error::ok))
        return false;
    if (raw(ntf) && !CHECK_EQ(sys::cap_copy(ntf, pd, w_ntf, R::read | R::write, 0).error, Error::ok))
        return false;
    return CHECK_EQ(sys::cap_copy(park_ntf, pd, w_park, R::read, 0).error, Error::ok);
}

bool start_worker(test::Context& t, Sel thread, Sel pd, unsigned i, void (*entry)(), Word prio = above_root,
                  Word cpu = 0) {
    return roottask::start_thread_on(t, thread, pd, utcbs + i * 4096, entry, prio, cpu);
}

} // namespace

JANUS_TEST(deleting_an_endpoint_cancels_every_queued_sender_and_caller) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, scratch(4), pd, 0, sender<0>) &&
        start_worker(t, scratch(5), pd, 1, caller<1>) && start_worker(t, scratch(6), pd, 2, sender<2>)) {
        CHECK_EQ(status[0] + status[1] + status[2], Word{0}); // all queued
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[0] && status[1] && status[2]; }));
        for (unsigned i = 0; i < 3; ++i) CHECK_EQ(status[i], st(Error::cancelled));
    }
    roottask::clear_scratch(7);
}

JANUS_TEST(deleting_an_endpoint_cancels_every_queued_receiver) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, scratch(4), pd, 0, receiver<0>) &&
        start_worker(t, scratch(5), pd, 1, receiver<1>)) {
        CHECK_EQ(status[0] + status[1], Word{0});
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return report[0] && report[1]; }));
        for (unsigned i = 0; i < 2; ++i) {
            CHECK_EQ(status[i], st(Error::cancelled));
            CHECK_EQ(report[i], st(Error::bad_selector)); // their copies went with the object
        }
    }
    roottask::clear_scratch(7);
}

JANUS_TEST(deleting_an_endpoint_cancels_servers_waiting_in_reply_recv) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, scratch(4), pd, 0, reply_receiver<0>) &&
        start_worker(t, scratch(5), pd, 1, reply_receiver<1>)) {
        CHECK_EQ(status[0] + status[1], Word{0});
        // Both wait as receivers: a send reaches the first, and the second still waits.
        CHECK_EQ(sys::ipc_send(ep, msg::info(1, 0), timeout_poll, 0, 0, 0).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[0] != 0; }));
        CHECK_EQ(status[0], st(Error::ok));
        CHECK_EQ(status[1], Word{0});
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[1] != 0; }));
        CHECK_EQ(status[1], st(Error::cancelled));
    }
    roottask::clear_scratch(7);
}

JANUS_TEST(deleting_a_notification_cancels_every_waiter) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ntf = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    reset();
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, Sel{0}, ntf, park_ntf) && start_worker(t, scratch(4), pd, 0, waiter<0>) &&
        start_worker(t, scratch(5), pd, 1, waiter<1>) && start_worker(t, scratch(6), pd, 2, waiter<2>)) {
        CHECK_EQ(status[0] + status[1] + status[2], Word{0});
        CHECK_EQ(sys::cap_delete(ntf).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[0] && status[1] && status[2]; }));
        for (unsigned i = 0; i < 3; ++i) CHECK_EQ(status[i], st(Error::cancelled));
    }
    roottask::clear_scratch(7);
}

JANUS_TEST(only_the_first_waiter_takes_the_bits_of_a_signal) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ntf = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    reset();
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, Sel{0}, ntf, park_ntf) && start_worker(t, scratch(4), pd, 0, waiter<0>) &&
        start_worker(t, scratch(5), pd, 1, waiter<1>)) {
        CHECK_EQ(sys::notify_signal(ntf, 3).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[0] != 0; }));
        CHECK_EQ(status[0], st(Error::ok)); // FIFO: the first one
        CHECK_EQ(status[1], Word{0});       // the second still waits: the bits were taken
        CHECK_EQ(sys::notify_wait(ntf, timeout_poll).error, Error::would_block);
        CHECK_EQ(sys::notify_signal(ntf, 4).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return status[1] != 0; }));
        CHECK_EQ(status[1], st(Error::ok));
    }
    roottask::clear_scratch(7);
}

JANUS_TEST(deleting_the_reply_capability_cancels_the_caller) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), pause = scratch(3), reply = scratch(4);
    auto& u = roottask::root_utcb();
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, scratch(5), pd, 0, caller<0>)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(r.w0, Word{0x42});
            CHECK_EQ(status[0], Word{0}); // waits for its answer
            CHECK_EQ(sys::cap_delete(reply).error, Error::ok);
            CHECK(roottask::eventually(pause, [] { return status[0] != 0; }));
            CHECK_EQ(status[0], st(Error::cancelled));
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(6);
}

JANUS_TEST(deleting_a_calling_thread_empties_the_servers_reply_capability) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), thread = scratch(3),
              reply = scratch(4);
    auto& u = roottask::root_utcb();
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, thread, pd, 0, caller<0>)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(sys::cap_delete(thread).error, Error::ok);
            CHECK_EMPTY(reply);
            CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 0), 0, 0, 0).error, Error::bad_selector);
            CHECK_EQ(status[0], Word{0}); // it never saw an answer
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(5);
}

JANUS_TEST(stopping_or_deleting_queued_senders_leaves_the_endpoint_empty) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2), a = scratch(3), b = scratch(4);
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, a, pd, 0, sender<0>) &&
        start_worker(t, b, pd, 1, caller<1>)) {
        CHECK_EQ(sys::thread_stop(a).error, Error::ok);
        CHECK_EQ(sys::cap_delete(b).error, Error::ok);
        CHECK_EQ(sys::ipc_recv(ep, timeout_poll).error, Error::would_block);
        CHECK_EQ(status[0], Word{0}); // stopped threads do not run on to record anything
        CHECK_EQ(status[1], Word{0});
    }
    roottask::clear_scratch(5);
}

JANUS_TEST(deleting_a_domain_whose_threads_wait_on_the_roots_endpoint_empties_its_queue) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), park_ntf = scratch(2);
    const Word spare = roottask::spare_quota();
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    const Word spare_with_objects = roottask::spare_quota();
    if (child_with(t, pd, ep, Sel{0}, park_ntf) && start_worker(t, scratch(3), pd, 0, sender<0>) &&
        start_worker(t, scratch(4), pd, 1, caller<1>)) {
        CHECK_EQ(sys::cap_delete(pd).error, Error::ok);
        CHECK_EMPTY(scratch(3)); // its threads went with it
        CHECK_EMPTY(scratch(4));
        CHECK_EQ(sys::ipc_recv(ep, timeout_poll).error, Error::would_block);
        CHECK_EQ(roottask::spare_quota(),
                 spare_with_objects); // threads, domain and the image mapping paid back
    }
    roottask::clear_scratch(5);
    CHECK_EQ(roottask::spare_quota(), spare);
}

namespace {

volatile Word spun[2];
template <int I>
[[noreturn]] void spinner() {
    for (;;) spun[I] = spun[I] + 1;
}

} // namespace

JANUS_TEST(deleting_a_domain_with_running_threads_stops_them) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), park_ntf = scratch(1), pause = scratch(2);
    spun[0] = 0;
    spun[1] = 0;
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    const Word spare = roottask::spare_quota();
    if (child_with(t, pd, Sel{0}, Sel{0}, park_ntf) &&
        start_worker(t, scratch(3), pd, 0, spinner<0>, 100, roottask::next_cpu()) &&
        start_worker(t, scratch(4), pd, 1, spinner<1>, 100, roottask::next_cpu())) {
        CHECK(roottask::eventually(pause, [] { return spun[0] != 0 && spun[1] != 0; }));
        CHECK_EQ(sys::cap_delete(pd).error, Error::ok);
        // A spinner on another CPU stops when that CPU takes the kernel's IPI: count from a moment after.
        CHECK_EQ(sys::notify_wait(pause, 10 * millisecond).error, Error::timeout);
        const Word a = spun[0], b = spun[1];
        CHECK_EQ(sys::notify_wait(pause, 20 * millisecond).error, Error::timeout);
        CHECK_EQ(spun[0], a);
        CHECK_EQ(spun[1], b);
        CHECK_EQ(roottask::spare_quota(), spare);
    }
    roottask::clear_scratch(5);
}

JANUS_TEST(deleting_a_capability_whose_copies_live_in_other_domains) {
    REQUIRE_BOOT();
    // The root's endpoint is copied into domain A, where a thread waits on it, and (through a copy of a copy)
    // into domain B. Deleting the root's original destroys the endpoint: A's wait ends cancelled and B's
    // copy is gone when B looks.
    const Sel a = scratch(0), b = scratch(1), ep = scratch(2), mid = scratch(3), go = scratch(4),
              park_ntf = scratch(5), pause = scratch(6);
    reset();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, mid, R::all, 0).error, Error::ok);
    CHECK_EQ(sys::notification_create(go).error, Error::ok);
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, a, ep, Sel{0}, park_ntf) && roottask::make_child(t, b, child_quota) &&
        CHECK_EQ(sys::cap_copy(mid, b, w_ep, R::read, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(go, b, w_ntf, R::read, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(park_ntf, b, w_park, R::read, 0).error, Error::ok) &&
        start_worker(t, scratch(7), a, 0, receiver<0>) && start_worker(t, scratch(8), b, 1, inspector<1>)) {
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok);
        CHECK_EMPTY(mid); // the root's own copy went too
        CHECK(roottask::eventually(pause, [] { return report[0] != 0; }));
        CHECK_EQ(status[0], st(Error::cancelled));
        CHECK_EQ(report[0], st(Error::bad_selector));
        CHECK_EQ(sys::notify_signal(go, 1).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return report[1] != 0; }));
        CHECK_EQ(report[1], st(Error::bad_selector));
    }
    roottask::clear_scratch(9);
}

JANUS_TEST(revoking_a_domain_capability_copy_keeps_the_domain_running) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), copy = scratch(1), park_ntf = scratch(2), pause = scratch(3);
    spun[0] = 0;
    CHECK_EQ(sys::notification_create(park_ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (child_with(t, pd, Sel{0}, Sel{0}, park_ntf) &&
        CHECK_EQ(sys::cap_copy(pd, root::own_pd, copy, R::all, 0).error, Error::ok) &&
        start_worker(t, scratch(4), pd, 0, spinner<0>, 100, roottask::next_cpu())) {
        CHECK_EQ(sys::cap_revoke(pd).error, Error::ok);
        CHECK_EMPTY(copy);
        const Word before = spun[0];
        CHECK(roottask::eventually(pause, [before] { return spun[0] > before; })); // still runs
        CHECK_EQ(sys::thread_stop(scratch(4)).error, Error::ok);
    }
    roottask::clear_scratch(5);
}

namespace {

constexpr Vaddr shared_at = 0x2a00'0000;
volatile Word reads = 0;

[[noreturn]] void page_reader() {
    for (;;) {
        (void)*reinterpret_cast<volatile Word*>(shared_at);
        reads = reads + 1;
    }
}

} // namespace

JANUS_TEST(revoking_a_mapping_while_another_domain_reads_it_faults_the_reader) {
    REQUIRE_BOOT();
    // No pager: the reader's page fault goes to its exception handler, the root.
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3), pause = scratch(4);
    const Vaddr p = roottask::take_pages(1);
    auto& u = roottask::root_utcb();
    reads = 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::mem_map(fpage::make(p, 12, R::read), pd, shared_at, 0).error, Error::ok) &&
        CHECK_EQ(sys::thread_create(thread, pd, utcbs, 100, roottask::next_cpu()).error, Error::ok) &&
        CHECK_EQ(sys::thread_configure(thread, Sel{0}, ep).error, Error::ok)) {
        const Vaddr stack = roottask::take_pages(1);
        CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok);
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&page_reader), stack + 4096).error,
                 Error::ok);
        CHECK(roottask::eventually(pause, [] { return reads > 100; }));
        CHECK_EQ(sys::mem_unmap(fpage::make(p, 12, 0), 0).error, Error::ok);
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(r.w0, Word{14});    // #PF
            CHECK_EQ(r.w1 & 5, Word{4}); // a user read of a page not present
        }
        const Word frozen = reads;
        CHECK_EQ(sys::notify_wait(pause, 5 * millisecond).error, Error::timeout);
        CHECK_EQ(reads, frozen);                                 // it waits for its handler
        CHECK_EQ(*reinterpret_cast<volatile Word*>(p), Word{0}); // the root keeps its page
    }
    u.reply_sel = 0;
    roottask::clear_scratch(5);
}

namespace {
volatile Word before_fault = 0;
[[noreturn]] void faults_soon() {
    before_fault = 1;
    asm volatile("ud2");
    for (;;) {
    }
}
} // namespace

JANUS_TEST(deleting_the_exception_endpoint_leaves_a_faulting_thread_stopped) {
    REQUIRE_BOOT();
    // The thread's reference to its handler does not keep the endpoint alive (docs/abi.md thread_configure):
    // once it is gone, the fault has nowhere to go and the thread stops (thread_start takes it again).
    const Sel ep = scratch(0), thread = scratch(1), pause = scratch(2);
    before_fault = 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    const Vaddr stack = roottask::take_pages(1) + 4096;
    if (CHECK_EQ(sys::thread_create(thread, root::own_pd, utcbs, 100, roottask::next_cpu()).error,
                 Error::ok) &&
        CHECK_EQ(sys::thread_configure(thread, Sel{0}, ep).error, Error::ok)) {
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok);
        CHECK_EQ(sys::endpoint_create(ep).error, Error::ok); // a new endpoint in the same slot is not it
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&faults_soon), stack).error, Error::ok);
        CHECK(roottask::eventually(pause, [] { return before_fault == 1; }));
        CHECK(roottask::eventually(pause, [&] {
            return sys::thread_start(thread, reinterpret_cast<Vaddr>(&faults_soon), stack).error == Error::ok;
        }));
        CHECK_EQ(sys::ipc_recv(ep, timeout_poll).error, Error::would_block); // nothing came to the new one
        CHECK_EQ(sys::thread_stop(thread).error, Error::ok);
    }
    roottask::clear_scratch(3);
}

namespace {
volatile Word late = 0;
[[noreturn]] void short_waiter() {
    late = static_cast<Word>(sys::notify_wait(w_ntf, 50 * millisecond).error) + 1;
    for (;;) sys::notify_wait(w_ntf, timeout_never);
}
} // namespace

JANUS_TEST(a_thread_deleted_during_a_finite_wait_never_wakes) {
    REQUIRE_BOOT();
    // Its timeout leaves the CPU's timeout queue with it: nothing fires for a dead thread.
    const Sel thread = scratch(0), pause = scratch(1), ntf = scratch(2);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    const Sel pd = scratch(3);
    // The deletion must come while the 50 ms wait runs. Under QEMU TCG on a loaded host the guest's clock
    // runs on while QEMU is descheduled, so the wait may be over before the root gets to delete: then the
    // precondition failed, not the kernel, and the attempt is made again (at most three times).
    bool deleted_during_wait = false;
    for (int attempt = 0; attempt < 3 && !deleted_during_wait; ++attempt) {
        late = 0;
        if (!child_with(t, pd, Sel{0}, ntf, pause) || !start_worker(t, thread, pd, 0, short_waiter)) break;
        CHECK_EQ(sys::cap_delete(thread).error, Error::ok);
        deleted_during_wait = late == 0;
        if (!deleted_during_wait) {
            t.note("attempt {}: the wait ended before the deletion (host load); again", attempt + 1);
            CHECK_EQ(sys::cap_delete(pd).error, Error::ok);
        }
    }
    if (CHECK(deleted_during_wait)) {
        CHECK_EQ(sys::notify_wait(pause, 100 * millisecond).error, Error::timeout);
        CHECK_EQ(late, Word{0});
        // And the notification has no waiter left: a signal stays set.
        CHECK_EQ(sys::notify_signal(ntf, 8).error, Error::ok);
        CHECK_EQ(sys::notify_wait(ntf, timeout_poll).bits, Word{8});
    }
    roottask::clear_scratch(4);
}
