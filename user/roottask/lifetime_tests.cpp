// Scheduling and lifetimes seen from ring 3 (docs/ipc.md "Scheduling", "Deletion"): the timer takes the CPU
// from threads that never enter the kernel; stopping or destroying a thread in IPC leaves its partners a
// defined state, nothing dangling.
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

constexpr Vaddr utcb_a = 0x1200'0000, utcb_b = 0x1200'1000, utcb_probe = 0x1200'2000;
constexpr Sel child_ep{1};
volatile Word spins[2];

// No syscalls in the loops: only the timer can take the CPU from them.
[[noreturn]] void spinner_a() {
    for (;;) spins[0] = spins[0] + 1;
}
[[noreturn]] void spinner_b() {
    for (;;) spins[1] = spins[1] + 1;
}

volatile Word probe_ran = 0;
[[noreturn]] void probe() {
    probe_ran = 1;
    for (;;) sys::thread_yield();
}

/// Runs a thread on every CPU in turn (thread `slot`, deleted again): once it has run on a CPU, that CPU has
/// been through the kernel since this call began, so no thread stopped before it still runs there. True if
/// every probe ran.
bool every_cpu_passed_the_kernel(janus::user::test::Context& t, Sel slot, Sel pause) {
    bool all = true;
    for (Word cpu = 0; cpu < roottask::cpus(); ++cpu) {
        probe_ran = 0;
        all = roottask::start_thread_on(t, slot, root::own_pd, utcb_probe, probe, 100, cpu) &&
              roottask::eventually(pause, [] { return probe_ran != 0; }) && all;
        (void)sys::cap_delete(slot);
    }
    return all;
}

/// Calls child_ep (the root holds the receiving end) and waits for the answer.
[[noreturn]] void caller() {
    sys::ipc_call(child_ep, msg::info(9, 1), timeout_never, 0x1234, 0, 0);
    for (;;) sys::thread_yield();
}

/// Receives on the root's endpoint scratch(1), in the root's own domain.
[[noreturn]] void receiver() {
    sys::ipc_recv(scratch(1), timeout_never);
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(timer_preemption_shares_the_cpu_between_spinning_threads) {
    REQUIRE_BOOT();
    const Sel a = scratch(0), b = scratch(1), pause = scratch(2);
    spins[0] = 0;
    spins[1] = 0;
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::start_thread(t, a, root::own_pd, utcb_a, spinner_a) &&
        roottask::start_thread(t, b, root::own_pd, utcb_b, spinner_b)) {
        // Equal priorities take 10 ms slices in turn while the root (above them) naps: both get the CPU.
        CHECK(roottask::eventually(pause, [] { return spins[0] != 0 && spins[1] != 0; }));
        const Word a1 = spins[0], b1 = spins[1];
        CHECK(roottask::eventually(pause, [a1, b1] { return spins[0] > a1 && spins[1] > b1; })); // and again
        CHECK_EQ(sys::thread_stop(a).error, Error::ok);
        CHECK_EQ(sys::thread_stop(b).error, Error::ok);
        // A spinner running on another CPU stops when that CPU takes the kernel's IPI, a few instructions
        // later (docs/abi.md, thread_stop): count from when every CPU has been through the kernel since.
        CHECK(every_cpu_passed_the_kernel(t, scratch(3), pause));
        const Word a2 = spins[0], b2 = spins[1];
        CHECK_EQ(sys::notify_wait(pause, 20 * millisecond).error, Error::timeout);
        CHECK_EQ(spins[0], a2); // stopped threads do not run
        CHECK_EQ(spins[1], b2);
    }
    roottask::clear_scratch(4);
}

JANUS_TEST(stopping_a_caller_takes_the_reply_capability_from_its_server) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3);
    auto& u = roottask::root_utcb();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    if (roottask::make_child(t, pd, 256 * 1024) &&
        CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::write, 0).error, Error::ok) &&
        roottask::start_thread(t, thread, pd, utcb_a, caller)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK(r.info & msg::call_flag);
            CHECK_EQ(r.w0, Word{0x1234});
            CHECK_EQ(sys::cap_info(reply).type, static_cast<Word>(janus::abi::ObjectType::reply));
            CHECK_EQ(sys::thread_stop(thread).error, Error::ok);
            CHECK_EQ(sys::cap_info(reply).error, Error::bad_selector);
            CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 0), 0, 0, 0).error, Error::bad_selector);
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(4);
}

JANUS_TEST(destroying_a_domain_with_a_thread_in_a_call_empties_the_reply_capability) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3);
    auto& u = roottask::root_utcb();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    if (roottask::make_child(t, pd, 256 * 1024) &&
        CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::write, 0).error, Error::ok) &&
        roottask::start_thread(t, thread, pd, utcb_a, caller)) {
        u.reply_sel = raw(reply);
        if (CHECK_EQ(sys::ipc_recv(ep, second).error, Error::ok)) {
            CHECK_EQ(sys::cap_delete(pd).error, Error::ok); // the domain, its thread and its reply object go
            CHECK_EQ(sys::cap_info(thread).error, Error::bad_selector);
            CHECK_EQ(sys::cap_info(reply).error, Error::bad_selector);
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(4);
}

JANUS_TEST(deleting_a_thread_blocked_in_receive_leaves_no_receiver_behind) {
    REQUIRE_BOOT();
    const Sel thread = scratch(0), ep = scratch(1), pause = scratch(2);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::start_thread(t, thread, root::own_pd, utcb_a, receiver)) {
        CHECK_EQ(sys::notify_wait(pause, 5 * millisecond).error, Error::timeout); // it reaches its receive
        CHECK_EQ(sys::cap_delete(thread).error, Error::ok);
        CHECK_EQ(sys::ipc_send(ep, msg::info(0, 0), timeout_poll, 0, 0, 0).error, Error::would_block);
    }
    roottask::clear_scratch(3);
}

namespace {

volatile Word quota_outcome[6];

/// In a child domain: spends exactly its remaining quota through pd_create
/// (which moves quota to the new domain and charges its objects, docs/abi.md), then finds nothing left.
[[noreturn]] void quota_spender() {
    namespace charge = janus::abi::charge;
    const Word cost = charge::pd + 16 * charge::cap_slot + charge::page_table; // cap_order 4
    auto before = sys::pd_quota();
    const Word remaining = before.limit - before.used;
    quota_outcome[0] = remaining;
    quota_outcome[1] = static_cast<Word>(sys::pd_create(Sel{8}, remaining - cost + 1, 4).error);
    quota_outcome[2] = sys::pd_quota().used - before.used; // the refusal changed nothing
    quota_outcome[3] = static_cast<Word>(sys::pd_create(Sel{8}, remaining - cost, 4).error);
    quota_outcome[4] = static_cast<Word>(sys::endpoint_create(Sel{9}).error);
    auto after = sys::pd_quota();
    quota_outcome[5] = after.limit - after.used + 1; // 1: nothing left
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(a_child_domain_cannot_spend_more_than_its_quota) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), thread = scratch(1), pause = scratch(2);
    for (volatile Word& w : quota_outcome) w = 0;
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::make_child(t, pd, 256 * 1024) &&
        roottask::start_thread(t, thread, pd, utcb_a, quota_spender)) {
        CHECK(roottask::eventually(pause, [] { return quota_outcome[5] != 0; })); // it is done
        CHECK(quota_outcome[0] > 64 * 1024); // most of its quota was left after mapping the image
        CHECK_EQ(quota_outcome[1], static_cast<Word>(Error::quota_exhausted));
        CHECK_EQ(quota_outcome[2], Word{0});
        CHECK_EQ(quota_outcome[3], static_cast<Word>(Error::ok));
        CHECK_EQ(quota_outcome[4], static_cast<Word>(Error::quota_exhausted));
        CHECK_EQ(quota_outcome[5], Word{1});
    }
    roottask::clear_scratch(3);
}
