// Every documented error of the IPC, notification and thread-control syscalls reached from ring 3
// (docs/abi.md, docs/ipc.md "All or nothing"): errors the sender could know alone come before any rendezvous;
// errors of a transfer (refused, not_mapped, mapping_conflict, quota_exhausted, missing_rights of a page)
// come at the rendezvous, are the sender's alone, and leave the receiver waiting for the next sender, which
// is checked by sending it a good message afterwards.
//
// The receiver is a thread of a child domain above the root's priority on the root's CPU (window_server): it
// runs as soon as it is started and waits in receive before thread_start returns to the root.
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
namespace item = janus::abi::item;
namespace fpage = janus::abi::fpage;
namespace window = janus::abi::window;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::millisecond;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Word huge = ~Word{0};
constexpr Word page = 4096;
constexpr Word kernel_address = 0xffff'8000'0000'0000;
constexpr Vaddr server_utcb = 0x2400'0000;
constexpr Vaddr thread_utcb = 0x2401'0000;
constexpr Vaddr window_at = 0x2500'0000; // the receiver's memory window, 64 KiB
constexpr Word above_root = 200;

// The receiver's space.
constexpr Sel srv_ep{1};
constexpr Sel srv_sink{20};

// How the receiver sets its UTCB before each receive, and what it got.
volatile Word srv_mem_window = 0;
volatile Word srv_cap_window = 0;
volatile Word srv_reply_sel = 0;
volatile Word srv_spend = 0; // spend the child's whole quota before the first receive
volatile Word srv_received = 0;
volatile Word srv_last_label = 0;

[[noreturn]] void window_server() {
    auto& u = roottask::utcb_at(server_utcb);
    if (srv_spend) {
        namespace charge = janus::abi::charge;
        auto q = sys::pd_quota();
        (void)sys::pd_create(srv_sink,
                             q.limit - q.used - (charge::pd + 16 * charge::cap_slot + charge::page_table), 4);
    }
    for (;;) {
        u.mem_window = srv_mem_window;
        u.cap_window = srv_cap_window;
        u.reply_sel = srv_reply_sel;
        auto r = sys::ipc_recv(srv_ep, timeout_never);
        if (r.error == Error::ok) {
            srv_last_label = msg::label(r.info);
            srv_received = srv_received + 1;
        }
    }
}

/// A child domain `pd` whose thread `thread` waits in receive on its copy of `ep` with the windows set above.
bool start_receiver(test::Context& t, Sel pd, Sel ep, Sel thread, Word quota = 256 * 1024) {
    srv_received = 0;
    srv_last_label = 0;
    return roottask::make_child(t, pd, quota) &&
           CHECK_EQ(sys::cap_copy(ep, pd, srv_ep, R::read, 0).error, Error::ok) &&
           roottask::start_thread_on(t, thread, pd, server_utcb, window_server, above_root, 0);
}

void reset_receiver() {
    srv_mem_window = 0;
    srv_cap_window = 0;
    srv_reply_sel = 0;
    srv_spend = 0;
}

/// The receiver still waits: a plain message reaches it (label 77).
void receiver_still_waits(test::Context& t, Sel ep) {
    const Word before = srv_received;
    CHECK_EQ(sys::ipc_send(ep, msg::info(77, 0), second, 0, 0, 0).error, Error::ok);
    CHECK_EQ(srv_received, before + 1);
    CHECK_EQ(srv_last_label, Word{77});
}

void set_item(Word w0, Word w1, unsigned i = 0) {
    roottask::root_utcb().item[2 * i] = w0;
    roottask::root_utcb().item[2 * i + 1] = w1;
}

using SendLike = Error (*)(Sel ep, Word info, Word timeout);
Error do_send(Sel ep, Word info, Word timeout) {
    return sys::ipc_send(ep, info, timeout, 1, 2, 3).error;
}
Error do_call(Sel ep, Word info, Word timeout) {
    return sys::ipc_call(ep, info, timeout, 1, 2, 3).error;
}
struct Status {
    Error error;
};

/// The errors ipc_send and ipc_call find without a partner.
void send_errors_without_partner(test::Context& t, SendLike op) {
    const Sel ep = scratch(0), ep_read = scratch(1), ntf = scratch(2), no_grant = scratch(3);
    auto call = [&](Sel e, Word info, Word timeout) { return Status{op(e, info, timeout)}; };
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, ep_read, R::read | R::grant, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, no_grant, R::read | R::write, 0).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    const Word plain = msg::info(1, 0);
    CHECK_FAILS(call(Sel{0}, plain, timeout_poll), Error::bad_selector);
    CHECK_FAILS(call(scratch(9), plain, timeout_poll), Error::bad_selector);
    CHECK_FAILS(call(Sel{huge}, plain, timeout_never), Error::bad_selector);
    CHECK_FAILS(call(ntf, plain, timeout_poll), Error::wrong_type);
    CHECK_FAILS(call(root::own_pd, plain, timeout_poll), Error::wrong_type);
    CHECK_FAILS(call(ep_read, plain, timeout_poll), Error::missing_rights);
    CHECK_FAILS(call(ep, msg::info(1, 65), timeout_never), Error::bad_message);
    CHECK_FAILS(call(ep, msg::info(1, 0, 9), timeout_never), Error::bad_message);
    CHECK_FAILS(call(ep, plain | msg::reserved_mask, timeout_never), Error::bad_message);
    set_item(3, raw(ep)); // unknown kind
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::bad_message);
    set_item(item::cap(R::read) | item::reserved_mask, raw(ep));
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::bad_message);
    set_item(item::cap(R::read), raw(scratch(9)));
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::bad_selector);
    set_item(item::cap(R::read), raw(no_grant));
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::missing_rights);
    // The same capability granted twice in one message.
    set_item(item::cap(R::read, true), raw(ep), 0);
    set_item(item::cap(R::read, true), raw(ep), 1);
    CHECK_FAILS(call(ep, msg::info(1, 0, 2), timeout_never), Error::bad_message);
    // Memory items: a malformed flexpage, a kernel address, two of them.
    set_item(item::memory(0), fpage::make(0x100000, 5, R::read), 0);
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::bad_flexpage);
    set_item(item::memory(0), fpage::make(kernel_address, 12, R::read), 0);
    CHECK_FAILS(call(ep, msg::info(1, 0, 1), timeout_never), Error::bad_address);
    set_item(item::memory(0), fpage::make(0x100000, 12, R::read), 0);
    set_item(item::memory(0x1000), fpage::make(0x101000, 12, R::read), 1);
    CHECK_FAILS(call(ep, msg::info(1, 0, 2), timeout_never), Error::bad_message);
    // Nobody receives: poll and finite timeouts.
    CHECK_FAILS(call(ep, plain, timeout_poll), Error::would_block);
    CHECK_FAILS(call(ep, plain, millisecond), Error::timeout);
    // The failures left no sender queued: a receive finds nobody.
    CHECK_EQ(sys::ipc_recv(ep, timeout_poll).error, Error::would_block);
    CHECK(sys::cap_info(ep).ok() && sys::cap_info(no_grant).ok());
    roottask::root_utcb().item[0] = roottask::root_utcb().item[1] = 0;
    roottask::root_utcb().item[2] = roottask::root_utcb().item[3] = 0;
    roottask::clear_scratch(4);
}

} // namespace

JANUS_TEST(ipc_send_errors_without_a_partner_from_ring3) {
    REQUIRE_BOOT();
    send_errors_without_partner(t, do_send);
}

JANUS_TEST(ipc_call_errors_without_a_partner_from_ring3) {
    REQUIRE_BOOT();
    send_errors_without_partner(t, do_call);
}

// The transfer errors at the rendezvous, the same for ipc_send and ipc_call. The receiver takes no reply
// capability (reply_sel 0), so a call whose message it does receive ends `cancelled` (`delivered`).
namespace {

void refused_by_the_receivers_windows(test::Context& t, SendLike op, Error delivered) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), ntf = scratch(3);
    const Vaddr p = roottask::take_pages(1);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    reset_receiver();
    srv_cap_window = window::caps(1, 1); // its only slot is occupied (its endpoint)
    if (start_receiver(t, pd, ep, thread)) {
        set_item(item::cap(R::read), raw(ntf));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::refused);
        set_item(item::cap(R::read), raw(ntf), 0);
        set_item(item::cap(R::write), raw(ntf), 1);
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 2), second)}, Error::refused); // too few slots
        // No memory window at all.
        set_item(item::memory(0), fpage::make(p, 12, R::read), 0);
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::refused);
        receiver_still_waits(t, ep);
        CHECK_EQ(srv_received, Word{1}); // only the good message arrived
    }
    set_item(0, 0, 0);
    set_item(0, 0, 1);
    reset_receiver();
    roottask::clear_scratch(4);
}

void refused_when_the_memory_item_leaves_the_window(test::Context& t, SendLike op, Error delivered) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    const Vaddr p = roottask::take_pages(1);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    reset_receiver();
    srv_mem_window = fpage::make(window_at, 16, R::read | R::write);
    if (start_receiver(t, pd, ep, thread)) {
        set_item(item::memory(0x10000), fpage::make(p, 12, R::read)); // just past the 64 KiB window
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::refused);
        set_item(item::memory(0x7fff'0000), fpage::make(p, 12, R::read));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::refused);
        receiver_still_waits(t, ep);
        // Within the window it lands.
        set_item(item::memory(0xf000), fpage::make(p, 12, R::read));
        CHECK_EQ(op(ep, msg::info(78, 0, 1), second), delivered);
        CHECK_EQ(srv_last_label, Word{78});
    }
    set_item(0, 0);
    reset_receiver();
    roottask::clear_scratch(3);
}

void memory_item_errors_at_the_rendezvous(test::Context& t, SendLike op, Error delivered) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    const Vaddr p = roottask::take_pages(2);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    reset_receiver();
    srv_mem_window = fpage::make(window_at, 16, R::read | R::write);
    if (start_receiver(t, pd, ep, thread)) {
        // Not mapped in the sender.
        set_item(item::memory(0), fpage::make(0x2600'0000, 12, R::read));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::not_mapped);
        // Not delegable: the root's UTCB has no grant right.
        set_item(item::memory(0), fpage::make(janus::abi::root_mem::utcb, 12, R::read));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::missing_rights);
        // More rights than the source has: text is not writable.
        set_item(item::memory(0),
                 fpage::make(reinterpret_cast<Vaddr>(&roottask::take_pages) & ~(page - 1), 12, R::write));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::missing_rights);
        // A page that landed once occupies its place: the second transfer there conflicts.
        set_item(item::memory(0), fpage::make(p, 12, R::read));
        CHECK_EQ(op(ep, msg::info(2, 0, 1), second), delivered);
        set_item(item::memory(0), fpage::make(p + page, 12, R::read));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::mapping_conflict);
        receiver_still_waits(t, ep);
        CHECK_EQ(srv_received, Word{2});
    }
    set_item(0, 0);
    reset_receiver();
    roottask::clear_scratch(3);
}

void quota_exhausted_when_the_receiver_cannot_pay(test::Context& t, SendLike op, Error delivered) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    const Vaddr p = roottask::take_pages(1);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    reset_receiver();
    srv_mem_window = fpage::make(window_at, 16, R::read | R::write);
    srv_spend = 1; // the receiver's domain keeps nothing for mapping nodes and page tables
    if (start_receiver(t, pd, ep, thread)) {
        set_item(item::memory(0), fpage::make(p, 12, R::read));
        CHECK_FAILS(Status{op(ep, msg::info(1, 0, 1), second)}, Error::quota_exhausted);
        receiver_still_waits(t, ep);
    }
    set_item(0, 0);
    reset_receiver();
    roottask::clear_scratch(3);
}

} // namespace

JANUS_TEST(ipc_send_refused_by_the_receivers_windows) {
    REQUIRE_BOOT();
    refused_by_the_receivers_windows(t, do_send, Error::ok);
}

JANUS_TEST(ipc_call_refused_by_the_receivers_windows) {
    REQUIRE_BOOT();
    refused_by_the_receivers_windows(t, do_call, Error::cancelled);
}

JANUS_TEST(ipc_send_refused_when_the_memory_item_leaves_the_window) {
    REQUIRE_BOOT();
    refused_when_the_memory_item_leaves_the_window(t, do_send, Error::ok);
}

JANUS_TEST(ipc_call_refused_when_the_memory_item_leaves_the_window) {
    REQUIRE_BOOT();
    refused_when_the_memory_item_leaves_the_window(t, do_call, Error::cancelled);
}

JANUS_TEST(ipc_send_memory_item_errors_at_the_rendezvous) {
    REQUIRE_BOOT();
    memory_item_errors_at_the_rendezvous(t, do_send, Error::ok);
}

JANUS_TEST(ipc_call_memory_item_errors_at_the_rendezvous) {
    REQUIRE_BOOT();
    memory_item_errors_at_the_rendezvous(t, do_call, Error::cancelled);
}

JANUS_TEST(ipc_send_quota_exhausted_when_the_receiver_cannot_pay) {
    REQUIRE_BOOT();
    quota_exhausted_when_the_receiver_cannot_pay(t, do_send, Error::ok);
}

JANUS_TEST(ipc_call_quota_exhausted_when_the_receiver_cannot_pay) {
    REQUIRE_BOOT();
    quota_exhausted_when_the_receiver_cannot_pay(t, do_call, Error::cancelled);
}

JANUS_TEST(ipc_call_is_cancelled_when_the_receiver_takes_no_reply_capability) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    reset_receiver(); // reply_sel 0: no reply capability accepted
    if (start_receiver(t, pd, ep, thread)) {
        CHECK_EQ(sys::ipc_call(ep, msg::info(5, 0), second, 0, 0, 0).error, Error::cancelled);
        CHECK_EQ(srv_received, Word{1}); // delivered all the same, without the call flag
        CHECK_EQ(srv_last_label, Word{5});
    }
    roottask::clear_scratch(3);
}

JANUS_TEST(ipc_recv_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel ep = scratch(0), ep_write = scratch(1), ntf = scratch(2);
    auto& u = roottask::root_utcb();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, ep_write, R::write, 0).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_FAILS(sys::ipc_recv(Sel{0}, timeout_poll), Error::bad_selector);
    CHECK_FAILS(sys::ipc_recv(scratch(9), timeout_never), Error::bad_selector);
    CHECK_FAILS(sys::ipc_recv(ntf, timeout_never), Error::wrong_type);
    CHECK_FAILS(sys::ipc_recv(root::own_thread, timeout_never), Error::wrong_type);
    CHECK_FAILS(sys::ipc_recv(ep_write, timeout_never), Error::missing_rights);
    CHECK_FAILS(sys::ipc_recv(ep, timeout_poll), Error::would_block);
    CHECK_FAILS(sys::ipc_recv(ep, millisecond), Error::timeout);
    // reply_sel is checked before the receive: it must be 0 or an empty slot.
    u.reply_sel = raw(ntf);
    CHECK_FAILS(sys::ipc_recv(ep, timeout_never), Error::slot_occupied);
    CHECK_EQ(sys::cap_info(ntf).type, static_cast<Word>(janus::abi::ObjectType::notification));
    u.reply_sel = 4096;
    CHECK_FAILS(sys::ipc_recv(ep, timeout_never), Error::bad_selector);
    u.reply_sel = huge;
    CHECK_FAILS(sys::ipc_recv(ep, timeout_never), Error::bad_selector);
    u.reply_sel = 0;
    roottask::clear_scratch(3);
}

JANUS_TEST(ipc_reply_recv_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel ep = scratch(0), ep_write = scratch(1), ntf = scratch(2);
    auto& u = roottask::root_utcb();
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, ep_write, R::write, 0).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_FAILS(sys::ipc_reply_recv(scratch(9), 0, timeout_never, 0, 0, 0), Error::bad_selector);
    CHECK_FAILS(sys::ipc_reply_recv(ntf, 0, timeout_never, 0, 0, 0), Error::wrong_type);
    CHECK_FAILS(sys::ipc_reply_recv(ep_write, 0, timeout_never, 0, 0, 0), Error::missing_rights);
    CHECK_FAILS(sys::ipc_reply_recv(ep, msg::info(0, 70), timeout_never, 0, 0, 0), Error::bad_message);
    CHECK_FAILS(sys::ipc_reply_recv(ep, msg::info(0, 0) | msg::reserved_mask, timeout_never, 0, 0, 0),
                Error::bad_message);
    CHECK_FAILS(sys::ipc_reply_recv(ep, 0, timeout_poll, 0, 0, 0), Error::would_block);
    CHECK_FAILS(sys::ipc_reply_recv(ep, 0, millisecond, 0, 0, 0), Error::timeout);
    u.reply_sel = raw(ntf); // not a reply capability: nothing to answer, and not a free slot
    CHECK_FAILS(sys::ipc_reply_recv(ep, 0, timeout_never, 0, 0, 0), Error::slot_occupied);
    CHECK_EQ(sys::cap_info(ntf).type, static_cast<Word>(janus::abi::ObjectType::notification));
    u.reply_sel = 0;
    roottask::clear_scratch(3);
}

namespace {

constexpr Sel caller_ep{1};
volatile Word call_status = 0; // status + 1 of the caller's call
volatile Word call_answer = 0;

[[noreturn]] void one_caller() {
    auto r = sys::ipc_call(caller_ep, msg::info(3, 1), timeout_never, 0x77, 0, 0);
    call_answer = r.w0;
    call_status = static_cast<Word>(r.error) + 1;
    for (;;) sys::notify_wait(Sel{2}, timeout_never);
}

} // namespace

JANUS_TEST(ipc_reply_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3), ntf = scratch(4),
              park = scratch(5);
    auto& u = roottask::root_utcb();
    call_status = 0;
    call_answer = 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(park).error, Error::ok);
    CHECK_FAILS(sys::ipc_reply(Sel{0}, 0, 0, 0, 0), Error::bad_selector);
    CHECK_FAILS(sys::ipc_reply(scratch(9), 0, 0, 0, 0), Error::bad_selector);
    CHECK_FAILS(sys::ipc_reply(ep, 0, 0, 0, 0), Error::wrong_type);
    CHECK_FAILS(sys::ipc_reply(ntf, 0, 0, 0, 0), Error::wrong_type);
    if (roottask::make_child(t, pd, 256 * 1024) &&
        CHECK_EQ(sys::cap_copy(ep, pd, caller_ep, R::write, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(park, pd, Sel{2}, R::read, 0).error, Error::ok) &&
        roottask::start_thread(t, thread, pd, thread_utcb, one_caller)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(r.w0, Word{0x77});
            // A reply capability carries exactly write and cannot be copied or granted.
            auto info = sys::cap_info(reply);
            CHECK_EQ(info.type, static_cast<Word>(janus::abi::ObjectType::reply));
            CHECK_EQ(info.rights, R::write);
            CHECK_FAILS(sys::cap_copy(reply, root::own_pd, scratch(6), R::write, 0), Error::missing_rights);
            CHECK_FAILS(sys::cap_grant(reply, root::own_pd, scratch(6), R::write), Error::missing_rights);
            CHECK_EMPTY(scratch(6));
            // Malformed answers fail and leave the capability, and the caller waiting.
            CHECK_FAILS(sys::ipc_reply(reply, msg::info(0, 65), 0, 0, 0), Error::bad_message);
            set_item(item::cap(R::read), raw(ntf));
            CHECK_FAILS(sys::ipc_reply(reply, msg::info(0, 0, 1), 0, 0, 0), Error::refused); // no window
            set_item(item::memory(0), fpage::make(0x100800, 12, 0));
            CHECK_FAILS(sys::ipc_reply(reply, msg::info(0, 0, 1), 0, 0, 0), Error::bad_flexpage);
            set_item(item::memory(0), fpage::make(kernel_address, 21, 0));
            CHECK_FAILS(sys::ipc_reply(reply, msg::info(0, 0, 1), 0, 0, 0), Error::bad_address);
            set_item(0, 0);
            CHECK_EQ(sys::cap_info(reply).type, static_cast<Word>(janus::abi::ObjectType::reply));
            CHECK_EQ(call_status, Word{0});
            CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 1), 0x99, 0, 0).error, Error::ok);
            CHECK_EMPTY(reply); // used up
            CHECK_FAILS(sys::ipc_reply(reply, msg::info(0, 1), 0x99, 0, 0), Error::bad_selector);
            CHECK(roottask::eventually(park, [] { return call_status != 0; }));
            CHECK_EQ(call_status, static_cast<Word>(Error::ok) + 1);
            CHECK_EQ(call_answer, Word{0x99});
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(7);
}

JANUS_TEST(notify_signal_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel ntf = scratch(0), read_only = scratch(1), ep = scratch(2);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ntf, root::own_pd, read_only, R::read, 0).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_FAILS(sys::notify_signal(Sel{0}, 1), Error::bad_selector);
    CHECK_FAILS(sys::notify_signal(scratch(9), 1), Error::bad_selector);
    CHECK_FAILS(sys::notify_signal(ep, 1), Error::wrong_type);
    CHECK_FAILS(sys::notify_signal(root::irq_control, 1), Error::wrong_type);
    CHECK_FAILS(sys::notify_signal(read_only, 1), Error::missing_rights);
    // The refused signals set nothing.
    CHECK_EQ(sys::notify_wait(ntf, timeout_poll).error, Error::would_block);
    // Bits OR together until taken, all at once; signalling 0 bits is fine and sets nothing.
    CHECK_EQ(sys::notify_signal(ntf, 0).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, timeout_poll).error, Error::would_block);
    CHECK_EQ(sys::notify_signal(ntf, Word{1} << 63).error, Error::ok);
    CHECK_EQ(sys::notify_signal(ntf, 5).error, Error::ok);
    auto r = sys::notify_wait(ntf, timeout_poll);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.bits, (Word{1} << 63) | 5);
    roottask::clear_scratch(3);
}

JANUS_TEST(notify_wait_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel ntf = scratch(0), write_only = scratch(1), ep = scratch(2);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ntf, root::own_pd, write_only, R::write, 0).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_FAILS(sys::notify_wait(Sel{0}, timeout_never), Error::bad_selector);
    CHECK_FAILS(sys::notify_wait(scratch(9), timeout_never), Error::bad_selector);
    CHECK_FAILS(sys::notify_wait(ep, timeout_never), Error::wrong_type);
    CHECK_FAILS(sys::notify_wait(root::own_pd, timeout_never), Error::wrong_type);
    CHECK_FAILS(sys::notify_wait(write_only, timeout_never), Error::missing_rights);
    CHECK_FAILS(sys::notify_wait(ntf, timeout_poll), Error::would_block);
    CHECK_FAILS(sys::notify_wait(ntf, millisecond), Error::timeout);
    // A bit signalled through the write-only copy is there for the reader.
    CHECK_EQ(sys::notify_signal(write_only, 2).error, Error::ok);
    CHECK_EQ(sys::notify_wait(ntf, timeout_never).bits, Word{2});
    roottask::clear_scratch(3);
}

namespace {

volatile Word spin_count = 0;
[[noreturn]] void spin_forever() {
    for (;;) spin_count = spin_count + 1;
}

} // namespace

JANUS_TEST(thread_start_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel thread = scratch(0), no_control = scratch(1), ep = scratch(2);
    const Vaddr stack = roottask::take_pages(1) + page;
    const Vaddr ip = reinterpret_cast<Vaddr>(&spin_forever);
    CHECK_EQ(sys::thread_create(thread, root::own_pd, thread_utcb, 10, roottask::other_cpu()).error,
             Error::ok);
    CHECK_EQ(sys::cap_copy(thread, root::own_pd, no_control, R::all & ~R::control, 0).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_FAILS(sys::thread_start(Sel{0}, ip, stack), Error::bad_selector);
    CHECK_FAILS(sys::thread_start(scratch(9), ip, stack), Error::bad_selector);
    CHECK_FAILS(sys::thread_start(ep, ip, stack), Error::wrong_type);
    CHECK_FAILS(sys::thread_start(root::own_pd, ip, stack), Error::wrong_type);
    CHECK_FAILS(sys::thread_start(no_control, ip, stack), Error::missing_rights);
    for (Word bad : {kernel_address, Word{0x0000'9000'0000'0000}, janus::abi::user_end, huge,
                     Word{0xffff'ffff'8000'0000}}) {
        CHECK_FAILS(sys::thread_start(thread, bad, stack), Error::bad_address);
        CHECK_FAILS(sys::thread_start(thread, ip, bad), Error::bad_address);
    }
    CHECK_EQ(spin_count, Word{0}); // none of them started it
    CHECK_EQ(sys::thread_start(thread, ip, stack).error, Error::ok);
    // Running: not new, not stopped.
    CHECK_FAILS(sys::thread_start(thread, ip, stack), Error::invalid_argument);
    CHECK_EQ(sys::thread_stop(thread).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(thread_stop_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel thread = scratch(0), no_control = scratch(1), ntf = scratch(2);
    CHECK_EQ(sys::thread_create(thread, root::own_pd, thread_utcb, 10, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(thread, root::own_pd, no_control, R::read | R::write | R::grant, 0).error,
             Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_FAILS(sys::thread_stop(Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::thread_stop(scratch(9)), Error::bad_selector);
    CHECK_FAILS(sys::thread_stop(ntf), Error::wrong_type);
    CHECK_FAILS(sys::thread_stop(root::own_pd), Error::wrong_type);
    CHECK_FAILS(sys::thread_stop(no_control), Error::missing_rights);
    // Stopping a new (never started) thread, or one already stopped, is fine.
    CHECK_EQ(sys::thread_stop(thread).error, Error::ok);
    CHECK_EQ(sys::thread_stop(thread).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(thread_set_sched_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel thread = scratch(0), no_control = scratch(1), ntf = scratch(2);
    CHECK_EQ(sys::thread_create(thread, root::own_pd, thread_utcb, 10, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(thread, root::own_pd, no_control, R::read | R::grant, 0).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_FAILS(sys::thread_set_sched(Sel{0}, 1, 0), Error::bad_selector);
    CHECK_FAILS(sys::thread_set_sched(scratch(9), 1, 0), Error::bad_selector);
    CHECK_FAILS(sys::thread_set_sched(ntf, 1, 0), Error::wrong_type);
    CHECK_FAILS(sys::thread_set_sched(no_control, 1, 0), Error::missing_rights);
    CHECK_FAILS(sys::thread_set_sched(thread, 256, 0), Error::invalid_argument);
    CHECK_FAILS(sys::thread_set_sched(thread, huge, 0), Error::invalid_argument);
    CHECK_FAILS(sys::thread_set_sched(thread, 1, roottask::cpus()), Error::invalid_argument);
    CHECK_FAILS(sys::thread_set_sched(thread, 1, 64), Error::invalid_argument);
    CHECK_FAILS(sys::thread_set_sched(thread, 1, huge), Error::invalid_argument);
    CHECK_EQ(sys::thread_set_sched(thread, 255, roottask::other_cpu()).error, Error::ok);
    CHECK_EQ(sys::thread_set_sched(thread, 0, 0).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(thread_yield_ignores_its_argument_registers) {
    REQUIRE_BOOT();
    for (Word junk : {Word{0}, huge, kernel_address}) {
        RawReply r = raw_syscall(static_cast<Word>(janus::abi::Syscall::thread_yield),
                                 ArgWords{{junk, junk, junk, junk, junk, junk}});
        CHECK_EQ(r.status, Word{0});
        for (Word w : r.r) CHECK_EQ(w, junk); // no results: every register as it was
    }
}

namespace {

constexpr Vaddr caller_utcb = 0x2402'0000;
volatile Word windowed_spend = 0;  // the caller's domain spends its whole quota before calling
volatile Word windowed_status = 0; // status + 1 of its call
volatile Word windowed_answer = 0;

/// Calls the root with a 64 KiB memory window for the answer's memory item.
[[noreturn]] void windowed_caller() {
    auto& u = roottask::utcb_at(caller_utcb);
    u.mem_window = fpage::make(window_at, 16, R::read | R::write);
    if (windowed_spend) {
        namespace charge = janus::abi::charge;
        auto q = sys::pd_quota();
        (void)sys::pd_create(srv_sink,
                             q.limit - q.used - (charge::pd + 16 * charge::cap_slot + charge::page_table), 4);
    }
    auto r = sys::ipc_call(caller_ep, msg::info(3, 1), timeout_never, 0x77, 0, 0);
    windowed_answer = r.w0;
    windowed_status = static_cast<Word>(r.error) + 1;
    for (;;) sys::notify_wait(Sel{2}, timeout_never);
}

using ReplyLike = Error (*)(Sel reply, Sel ep, Word info);
Error reply_only(Sel reply, Sel, Word info) {
    return sys::ipc_reply(reply, info, 0x99, 0, 0).error;
}
Error reply_then_poll(Sel reply, Sel ep, Word info) {
    roottask::root_utcb().reply_sel = raw(reply);
    Error e = sys::ipc_reply_recv(ep, info, timeout_poll, 0x99, 0, 0).error;
    roottask::root_utcb().reply_sel = 0;
    return e;
}

/// A caller in a child domain waits for its answer with a memory window; every answer whose memory item
/// cannot land fails for the replier with the item's error, leaving the reply capability and the caller
/// waiting; then a plain answer reaches it. `reply_recv` answers through ipc_reply_recv (polling after).
void reply_item_errors(test::Context& t, ReplyLike answer, bool spend) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3), park = scratch(4);
    const Vaddr p = roottask::take_pages(2);
    auto& u = roottask::root_utcb();
    windowed_status = 0;
    windowed_answer = 0;
    windowed_spend = spend ? 1 : 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(park).error, Error::ok);
    if (roottask::make_child(t, pd, 256 * 1024) &&
        CHECK_EQ(sys::cap_copy(ep, pd, caller_ep, R::write, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(park, pd, Sel{2}, R::read, 0).error, Error::ok) &&
        // The window's last page is taken already: an item landing there conflicts.
        CHECK_EQ(sys::mem_map(fpage::make(p + page, 12, R::read), pd, window_at + 0xf000, 0).error,
                 Error::ok) &&
        roottask::start_thread_on(t, thread, pd, caller_utcb, windowed_caller, above_root, 0)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            const Word one = msg::info(0, 1, 1);
            if (spend) {
                set_item(item::memory(0), fpage::make(p, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::quota_exhausted);
            } else {
                set_item(item::memory(0), fpage::make(0x2600'0000, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::not_mapped);
                set_item(item::memory(0), fpage::make(janus::abi::root_mem::utcb, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::missing_rights);
                set_item(item::memory(0xf000), fpage::make(p, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::mapping_conflict);
                set_item(item::memory(0x10000), fpage::make(p, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::refused);
                set_item(item::memory(0), fpage::make(p + 0x800, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::bad_flexpage);
                set_item(item::memory(0), fpage::make(kernel_address, 12, R::read));
                CHECK_FAILS(Status{answer(reply, ep, one)}, Error::bad_address);
            }
            set_item(0, 0);
            CHECK_EQ(sys::cap_info(reply).type, static_cast<Word>(janus::abi::ObjectType::reply));
            CHECK_EQ(windowed_status, Word{0}); // still waiting
            const Error last = answer(reply, ep, msg::info(0, 1));
            CHECK(last == Error::ok || last == Error::would_block); // reply_recv: answered, then nobody came
            CHECK_EMPTY(reply);
            CHECK(roottask::eventually(park, [] { return windowed_status != 0; }));
            CHECK_EQ(windowed_status, static_cast<Word>(Error::ok) + 1);
            CHECK_EQ(windowed_answer, Word{0x99});
        }
    }
    set_item(0, 0);
    u.reply_sel = 0;
    windowed_spend = 0;
    roottask::clear_scratch(5);
}

} // namespace

JANUS_TEST(ipc_reply_memory_item_errors_from_ring3) {
    REQUIRE_BOOT();
    reply_item_errors(t, reply_only, false);
}

JANUS_TEST(ipc_reply_recv_memory_item_errors_from_ring3) {
    REQUIRE_BOOT();
    reply_item_errors(t, reply_then_poll, false);
}

JANUS_TEST(ipc_reply_quota_exhausted_when_the_caller_cannot_pay) {
    REQUIRE_BOOT();
    reply_item_errors(t, reply_only, true);
}

JANUS_TEST(ipc_reply_recv_quota_exhausted_when_the_caller_cannot_pay) {
    REQUIRE_BOOT();
    reply_item_errors(t, reply_then_poll, true);
}
