// IPC seen from ring 3, between the root task and threads in child domains (docs/ipc.md): ping-pong, badges,
// capability transfer with grant and recursive revoke, memory transfer, notifications, timeouts, faults to a
// pager and an exception handler, and deleting an endpoint a thread waits on.
//
// Child threads run functions of this program in a child domain that shares its image (child.hpp); they talk
// to the root through capabilities copied into their own space and report through volatile globals.
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
namespace item = janus::abi::item;
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
namespace window = janus::abi::window;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::scratch;
using roottask::second;

namespace {

// Selectors in a child's capability space.
constexpr Sel child_ep{1};                     // the endpoint the child serves or calls
constexpr Sel child_reply{2};                  // where it takes reply capabilities
constexpr Sel child_ntf{3};                    // a notification it signals
constexpr std::uint64_t child_window_base = 8; // capabilities sent to it land at 8..11

constexpr Vaddr server_utcb = 0x1000'0000;
constexpr Vaddr memory_window = 0x3000'0000; // 64 KiB where memory items land in the child
constexpr Word child_quota = 256 * 1024;

// Labels of the test server's requests.
constexpr Word echo = 1;          // reply w0 + 1, the badge, w2
constexpr Word describe_item = 2; // reply cap_info of the received capability: type, rights, its selector
constexpr Word describe_sel = 3;  // reply cap_info(w0): error, type
constexpr Word read_memory = 4;   // reply the word at the received memory item's address
constexpr Word read_at = 5;       // reply the word at address w0

/// The test server: answers requests on child_ep until its domain goes.
[[noreturn]] void server() {
    auto& u = roottask::utcb_at(server_utcb);
    u.reply_sel = raw(child_reply);
    u.cap_window = window::caps(child_window_base, 4);
    u.mem_window = fpage::make(memory_window, 16, R::read | R::write);
    struct Message {
        Error error;
        Word info, badge, w0, w1, w2;
    };
    auto take = [](const auto& m) { return Message{m.error, m.info, m.badge, m.w0, m.w1, m.w2}; };
    Message r = take(sys::ipc_recv(child_ep, timeout_never));
    for (;;) {
        if (r.error != Error::ok) {
            r = take(sys::ipc_recv(child_ep, timeout_never));
            continue;
        }
        Word w0 = 0, w1 = 0, w2 = 0;
        switch (msg::label(r.info)) {
        case echo:
            w0 = r.w0 + 1, w1 = r.badge, w2 = r.w2;
            break;
        case describe_item: {
            auto d = sys::cap_info(Sel{u.item[1]});
            w0 = d.type, w1 = d.rights, w2 = u.item[1];
            break;
        }
        case describe_sel: {
            auto d = sys::cap_info(Sel{r.w0});
            w0 = static_cast<Word>(d.error), w1 = d.type;
            break;
        }
        case read_memory:
            w0 = *reinterpret_cast<volatile Word*>(u.item[1]);
            w1 = u.item[1];
            break;
        case read_at:
            w0 = *reinterpret_cast<volatile Word*>(r.w0);
            break;
        default:
            w0 = ~Word{0};
        }
        r = take(sys::ipc_reply_recv(child_ep, msg::info(0, 3), timeout_never, w0, w1, w2));
    }
}

/// A child domain at scratch(0) running server() on endpoint scratch(1) (a receive copy at child_ep); its
/// thread at scratch(2). The root calls through scratch(1).
struct ServerWorld {
    explicit ServerWorld(test::Context& t) {
        ok = CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
             roottask::make_child(t, pd, child_quota) &&
             CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::read, 0).error, Error::ok) &&
             roottask::start_thread(t, thread, pd, server_utcb, server);
    }
    ~ServerWorld() { roottask::clear_scratch(8); }

    sys::ipc_call_result call(Word label_, Word w0 = 0, Word w1 = 0, Word w2 = 0, Sel via = scratch(1)) {
        return sys::ipc_call(via, msg::info(label_, 3), second, w0, w1, w2);
    }

    Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    bool ok = false;
};

} // namespace

JANUS_TEST(ipc_ping_pong_between_domains) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    for (Word i = 0; i < 16; ++i) {
        auto r = w.call(echo, 1000 + i, 0, i * 7);
        CHECK_EQ(r.error, Error::ok);
        CHECK_EQ(r.w0, 1001 + i);
        CHECK_EQ(r.w2, i * 7);
        CHECK_EQ(r.badge, Word{0}); // the answer to a call carries no badge
    }
}

JANUS_TEST(ipc_badges_tell_the_server_who_called) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    CHECK_EQ(sys::cap_copy(w.ep, root::own_pd, scratch(3), R::write, 0x11).error, Error::ok);
    CHECK_EQ(sys::cap_copy(w.ep, root::own_pd, scratch(4), R::write, 0x22).error, Error::ok);
    CHECK_EQ(w.call(echo, 0, 0, 0, scratch(3)).w1, Word{0x11});
    CHECK_EQ(w.call(echo, 0, 0, 0, scratch(4)).w1, Word{0x22});
    CHECK_EQ(w.call(echo).w1, Word{0}); // the unbadged original
}

JANUS_TEST(ipc_capability_transfer_and_recursive_revoke_seen_from_the_child) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    const Sel ntf = scratch(3);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    auto& u = roottask::root_utcb();
    u.item[0] = item::cap(R::read | R::write);
    u.item[1] = raw(ntf);
    auto r = sys::ipc_call(w.ep, msg::info(describe_item, 0, 1), second, 0, 0, 0);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.w0, static_cast<Word>(janus::abi::ObjectType::notification));
    CHECK_EQ(r.w1, R::read | R::write); // the rights the item asked for
    CHECK_EQ(r.w2, child_window_base);  // the first slot of the child's window
    // The child's copy derives from the root's: revoking the root's removes it in the other domain.
    CHECK_EQ(sys::cap_revoke(ntf).error, Error::ok);
    r = w.call(describe_sel, child_window_base);
    CHECK_EQ(r.w0, static_cast<Word>(Error::bad_selector));
    CHECK_EQ(sys::cap_info(ntf).error, Error::ok); // the root's own stays
}

JANUS_TEST(ipc_capability_grant_moves_it_to_the_child) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    const Sel ep2 = scratch(3);
    CHECK_EQ(sys::endpoint_create(ep2).error, Error::ok);
    auto& u = roottask::root_utcb();
    u.item[0] = item::cap(R::write | R::grant, true);
    u.item[1] = raw(ep2);
    auto r = sys::ipc_call(w.ep, msg::info(describe_item, 0, 1), second, 0, 0, 0);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.w0, static_cast<Word>(janus::abi::ObjectType::endpoint));
    CHECK_EQ(r.w1, R::write | R::grant);
    CHECK_EQ(sys::cap_info(ep2).error, Error::bad_selector); // moved: the root's slot is empty
}

JANUS_TEST(ipc_memory_item_maps_a_page_into_the_child) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    const Vaddr page = roottask::take_pages(1);
    if (!CHECK_NE(page, Vaddr{0})) return;
    *reinterpret_cast<volatile Word*>(page) = 0x5eed'f00d'cafe'0001;
    auto& u = roottask::root_utcb();
    u.item[0] = item::memory(0x2000);
    u.item[1] = fpage::make(page, 12, R::read);
    auto r = sys::ipc_call(w.ep, msg::info(read_memory, 0, 1), second, 0, 0, 0);
    if (!CHECK_EQ(r.error, Error::ok)) return; // the server would fault reading an unmapped window
    CHECK_EQ(r.w0, Word{0x5eed'f00d'cafe'0001});
    CHECK_EQ(r.w1, memory_window + 0x2000);
    // The child maps the same frame, not a copy: a later store by the root is visible there.
    *reinterpret_cast<volatile Word*>(page) = 0x5eed'f00d'cafe'0002;
    CHECK_EQ(w.call(read_at, memory_window + 0x2000).w0, Word{0x5eed'f00d'cafe'0002});
}

JANUS_TEST(ipc_oversized_and_malformed_messages_are_refused) {
    REQUIRE_BOOT();
    ServerWorld w(t);
    if (!CHECK(w.ok)) return;
    CHECK_EQ(sys::ipc_call(w.ep, msg::info(echo, msg::max_words + 1), second, 0, 0, 0).error,
             Error::bad_message);
    CHECK_EQ(sys::ipc_call(w.ep, msg::info(echo, 0, msg::max_items + 1), second, 0, 0, 0).error,
             Error::bad_message);
    CHECK_EQ(sys::ipc_call(w.ep, msg::info(echo, 0) | msg::reserved_mask, second, 0, 0, 0).error,
             Error::bad_message);
    // A capability item naming a forged selector.
    auto& u = roottask::root_utcb();
    u.item[0] = item::cap(R::read);
    u.item[1] = 1 << 20;
    CHECK_EQ(sys::ipc_call(w.ep, msg::info(echo, 0, 1), second, 0, 0, 0).error, Error::bad_selector);
    // A memory item whose flexpage lies in the kernel half.
    u.item[0] = item::memory(0);
    u.item[1] = fpage::make(0xffff'8000'0000'0000, 12, R::read);
    Error e = sys::ipc_call(w.ep, msg::info(echo, 0, 1), second, 0, 0, 0).error;
    CHECK(e == Error::bad_address || e == Error::bad_flexpage);
    // The server still answers: none of these reached it.
    CHECK_EQ(w.call(echo, 41).w0, Word{42});
}

JANUS_TEST(ipc_timeouts_zero_and_finite) {
    REQUIRE_BOOT();
    const Sel ep = scratch(0), ntf = scratch(1);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::ipc_recv(ep, timeout_poll).error, Error::would_block);
    CHECK_EQ(sys::ipc_send(ep, msg::info(0, 0), timeout_poll, 0, 0, 0).error, Error::would_block);
    CHECK_EQ(sys::ipc_recv(ep, 2 * roottask::millisecond).error, Error::timeout);
    CHECK_EQ(sys::ipc_call(ep, msg::info(0, 0), 2 * roottask::millisecond, 0, 0, 0).error, Error::timeout);
    CHECK_EQ(sys::notify_wait(ntf, 2 * roottask::millisecond).error, Error::timeout);
    roottask::clear_scratch(2);
}

JANUS_TEST(notification_bits_accumulate_and_are_taken_at_once) {
    const Sel ntf = scratch(0);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notify_signal(ntf, 0b0001).error, Error::ok);
    CHECK_EQ(sys::notify_signal(ntf, 0b0100).error, Error::ok);
    CHECK_EQ(sys::notify_signal(ntf, 0b0001).error, Error::ok);
    auto r = sys::notify_wait(ntf, timeout_poll);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.bits, Word{0b0101});
    CHECK_EQ(sys::notify_wait(ntf, timeout_poll).error, Error::would_block);
    roottask::clear_scratch(1);
}

namespace {

volatile Word signaller_rounds = 0;

/// Signals bit (round) of child_ntf, one round per yield, for 8 rounds; then waits forever.
[[noreturn]] void signaller() {
    for (Word i = 0; i < 8; ++i) {
        signaller_rounds = i + 1; // before the signal: the root runs at once when it wakes
        sys::notify_signal(child_ntf, Word{1} << i);
        sys::thread_yield();
    }
    for (;;) sys::notify_wait(child_ntf, timeout_never);
}

} // namespace

JANUS_TEST(notification_signalled_from_another_domain_wakes_the_root) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ntf = scratch(1), thread = scratch(2);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    if (!roottask::make_child(t, pd, child_quota)) return roottask::clear_scratch(3);
    CHECK_EQ(sys::cap_copy(ntf, pd, child_ntf, R::write, 0).error, Error::ok);
    signaller_rounds = 0;
    Word seen = 0;
    if (roottask::start_thread(t, thread, pd, server_utcb, signaller)) {
        while (seen != 0xff) {
            auto r = sys::notify_wait(ntf, second);
            if (!CHECK_EQ(r.error, Error::ok)) break;
            CHECK_EQ(r.bits & seen, Word{0}); // each bit comes once: taken bits are cleared
            seen |= r.bits;
        }
    }
    CHECK_EQ(seen, Word{0xff});
    CHECK_EQ(signaller_rounds, Word{8});
    roottask::clear_scratch(3);
}

namespace {

constexpr Vaddr fault_address = 0x5000'0000; // mapped in no domain until the pager maps it
volatile Word fault_value = 0;

/// Reads an unmapped page (the pager maps it), reports the value, then executes ud2 (the exception handler).
[[noreturn]] void faulter() {
    fault_value = *reinterpret_cast<volatile Word*>(fault_address + 8);
    asm volatile("ud2");
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(page_fault_goes_to_the_pager_whose_reply_maps_memory) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), pager = scratch(2), thread = scratch(3), reply = scratch(4);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, pager, R::all, 0x77).error, Error::ok);
    const Vaddr page = roottask::take_pages(1);
    if (!CHECK_NE(page, Vaddr{0}) || !roottask::make_child(t, pd, child_quota))
        return roottask::clear_scratch(5);
    reinterpret_cast<volatile Word*>(page)[1] = 0xfa17'0000'0000'0042;
    fault_value = 0;
    // Threads are configured before they start: the fault cannot come before its pager is set.
    CHECK_EQ(sys::thread_create(thread, pd, server_utcb, 100, roottask::next_cpu()).error, Error::ok);
    CHECK_EQ(sys::thread_configure(thread, pager, pager).error, Error::ok);
    const Vaddr stack = roottask::take_pages(1);
    CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok);
    CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&faulter), stack + 4096).error, Error::ok);

    auto& u = roottask::root_utcb();
    u.reply_sel = raw(reply);
    auto r = sys::ipc_recv(ep, second);
    if (CHECK_EQ(r.error, Error::ok)) {
        CHECK_EQ(msg::label(r.info), label::page_fault);
        CHECK_EQ(r.badge, Word{0x77});
        CHECK_EQ(r.w0, fault_address + 8);
        CHECK_EQ(r.w1 & 0x6, Word{0x4}); // #PF error code: a read (bit 1 clear) from user mode (bit 2)
        CHECK(r.w2 >= reinterpret_cast<Vaddr>(&faulter) && r.w2 < reinterpret_cast<Vaddr>(&faulter) + 64);
        // Answer with the page at the fault address; the thread retries its read.
        u.item[0] = item::memory(fault_address);
        u.item[1] = fpage::make(page, 12, R::read);
        CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 0, 1), 0, 0, 0).error, Error::ok);
        // Then it executes ud2: an exception message to its handler.
        r = sys::ipc_recv(ep, second);
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(msg::label(r.info), label::exception);
            CHECK_EQ(r.w0, Word{6}); // #UD
            CHECK(r.w2 > reinterpret_cast<Vaddr>(&faulter) && r.w2 < reinterpret_cast<Vaddr>(&faulter) + 64);
            CHECK_EQ(fault_value, Word{0xfa17'0000'0000'0042});
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(5);
}

namespace {

volatile Word waiter_ready = 0;
volatile Word waiter_status = 0;

/// Receives on child_ep, records the outcome, then waits on nothing forever.
[[noreturn]] void waiter() {
    auto& u = roottask::utcb_at(server_utcb);
    u.reply_sel = raw(child_reply);
    waiter_ready = 1; // a few instructions before its receive
    waiter_status = static_cast<Word>(sys::ipc_recv(child_ep, timeout_never).error) + 1;
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(deleting_an_endpoint_in_use_cancels_the_waiting_thread) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), pause = scratch(3);
    waiter_ready = 0;
    waiter_status = 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (!roottask::make_child(t, pd, child_quota)) return roottask::clear_scratch(4);
    CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::read, 0).error, Error::ok);
    if (roottask::start_thread(t, thread, pd, server_utcb, waiter)) {
        // The waiter runs below the root's priority: it reaches its receive while the root waits.
        CHECK(roottask::eventually(pause, [] { return waiter_ready == 1; }));
        CHECK_EQ(sys::notify_wait(pause, 5 * roottask::millisecond).error, Error::timeout);
        CHECK_EQ(waiter_status, Word{0});
        CHECK_EQ(sys::cap_delete(ep).error, Error::ok); // the root's is the original: the endpoint dies
        CHECK(roottask::eventually(pause, [] { return waiter_status != 0; }));
        CHECK_EQ(waiter_status, static_cast<Word>(Error::cancelled) + 1);
    }
    roottask::clear_scratch(4);
}
