// Memory items seen from both domains (docs/ipc.md "Typed items", docs/abi.md mem_unmap): what the sender
// does to its page afterwards reaches the receiver's mapping (unmap revokes it, a grant leaves the sender
// without authority), and an item the receiver's window cannot take changes nothing.
//
// The receiver is a reader thread in a child domain: it receives one memory item, then reads a word of the
// page it landed on each time the root says "go", reporting the value through volatile globals (the child
// shares the root's image, child.hpp) and a "done" notification. Its pager and exception handler are an
// endpoint only the root receives on, so a read of a page that has gone becomes a message the root sees. The
// reader runs on another CPU than the root where there is one: what the root revokes must leave that CPU's
// TLB too (a missing shootdown is a stale access under hostsim, usermode.planted_lost_shootdown).
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
namespace msg = janus::abi::msg;
namespace item = janus::abi::item;
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
using janus::abi::timeout_never;
using roottask::scratch;
using roottask::second;

namespace {

// The reader's capability space.
constexpr Sel reader_ep{1};   // receives the memory item (read right on the root's endpoint)
constexpr Sel reader_done{2}; // signalled after each read
constexpr Sel reader_go{3};   // waited on before each further read

constexpr Vaddr reader_utcb = 0x1200'0000;
constexpr Vaddr window = 0x3100'0000; // 64 KiB memory window of the reader
constexpr Word window_order = 16;
constexpr Word landing_offset = 0x1000; // where the root's items land inside the window
constexpr Vaddr read_address = window + landing_offset + 8;
constexpr Word child_quota = 256 * 1024;

volatile Word reader_deliveries = 0; // messages the reader received
volatile Word reader_landed = 0;     // where its memory item landed (UTCB item word 1)
volatile Word reader_reads = 0;      // completed reads
volatile Word reader_value = 0;      // the word the latest read saw

[[noreturn]] void reader() {
    auto& u = roottask::utcb_at(reader_utcb);
    u.mem_window = fpage::make(window, window_order, R::read);
    for (;;) {
        if (sys::ipc_recv(reader_ep, timeout_never).error == Error::ok) break;
    }
    reader_deliveries = reader_deliveries + 1;
    reader_landed = u.item[1];
    for (;;) {
        reader_value = *reinterpret_cast<volatile Word*>(read_address);
        reader_reads = reader_reads + 1;
        sys::notify_signal(reader_done, 1);
        sys::notify_wait(reader_go, timeout_never);
    }
}

/// The reader in child domain scratch(0), thread scratch(1); the root sends on scratch(2), takes faults on
/// scratch(3) (reply capabilities at scratch(4)), and waits on done scratch(5) / signals go scratch(6).
struct ReaderWorld {
    explicit ReaderWorld(test::Context& t) {
        reader_deliveries = 0;
        reader_landed = 0;
        reader_reads = 0;
        reader_value = 0;
        const Vaddr stack = roottask::take_pages(1);
        ok = CHECK_NE(stack, Vaddr{0}) && CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
             CHECK_EQ(sys::endpoint_create(pager).error, Error::ok) &&
             CHECK_EQ(sys::notification_create(done).error, Error::ok) &&
             CHECK_EQ(sys::notification_create(go).error, Error::ok) &&
             roottask::make_child(t, pd, child_quota) &&
             CHECK_EQ(sys::cap_copy(ep, pd, reader_ep, R::read, 0).error, Error::ok) &&
             CHECK_EQ(sys::cap_copy(done, pd, reader_done, R::write, 0).error, Error::ok) &&
             CHECK_EQ(sys::cap_copy(go, pd, reader_go, R::read, 0).error, Error::ok) &&
             CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error,
                      Error::ok) &&
             CHECK_EQ(sys::thread_create(thread, pd, reader_utcb, 100, roottask::other_cpu()).error,
                      Error::ok) &&
             CHECK_EQ(sys::thread_configure(thread, pager, pager).error, Error::ok) &&
             CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&reader), stack + 4096).error,
                      Error::ok);
        roottask::root_utcb().reply_sel = raw(reply);
    }
    ~ReaderWorld() {
        roottask::root_utcb().reply_sel = 0;
        roottask::clear_scratch(7);
    }

    /// Sends the memory item {offset, grant} naming `page` (read-only) to the reader, waiting for it.
    Error send(Vaddr page, Word offset, bool grant = false) {
        auto& u = roottask::root_utcb();
        u.item[0] = item::memory(offset, grant);
        u.item[1] = fpage::make(page, 12, R::read);
        return sys::ipc_send(ep, msg::info(0, 0, 1), second, 0, 0, 0).error;
    }
    /// Waits until the reader finished read number `n`.
    bool read_done(test::Context& t, Word n) {
        while (reader_reads < n)
            if (!CHECK_EQ(sys::notify_wait(done, second).error, Error::ok)) return false;
        return true;
    }
    /// Lets the reader read again.
    void go_on() { (void)sys::notify_signal(go, 1); }

    Sel pd = scratch(0), thread = scratch(1), ep = scratch(2), pager = scratch(3), reply = scratch(4),
        done = scratch(5), go = scratch(6);
    bool ok = false;
};

/// A fresh pool page whose word 1 (the reader reads it) holds `value`; 0 if the pool is empty.
Vaddr page_holding(Word value) {
    const Vaddr page = roottask::take_pages(1);
    if (page) reinterpret_cast<volatile Word*>(page)[1] = value;
    return page;
}

} // namespace

JANUS_TEST(memory_item_unmapped_by_the_sender_faults_in_the_receiver_to_its_pager) {
    REQUIRE_BOOT();
    ReaderWorld w(t);
    const Vaddr page = page_holding(0x1111), replacement = page_holding(0x2222);
    if (!CHECK(w.ok) || !CHECK_NE(page, Vaddr{0}) || !CHECK_NE(replacement, Vaddr{0})) return;
    CHECK_EQ(w.send(page, landing_offset), Error::ok);
    if (!w.read_done(t, 1)) return;
    CHECK_EQ(reader_landed, window + landing_offset);
    CHECK_EQ(reader_value, Word{0x1111});

    // Revoke what derives from the root's page, not the page itself: the reader's mapping goes.
    CHECK_EQ(sys::mem_unmap(fpage::make(page, 12, 0), 0).error, Error::ok);
    CHECK_EQ(reinterpret_cast<volatile Word*>(page)[1], Word{0x1111}); // the root's own stays
    w.go_on();
    auto r = sys::ipc_recv(w.pager, second);
    if (!CHECK_EQ(r.error, Error::ok)) return;
    CHECK_EQ(msg::label(r.info), label::page_fault);
    CHECK_EQ(r.w0, read_address);
    CHECK_EQ(r.w1 & 0x7, Word{0x4}); // #PF error code: not present, read, user mode
    CHECK_EQ(reader_reads, Word{1}); // the second read has not completed
    // The pager answers with another page at the fault address; the reader's retried read sees it.
    auto& u = roottask::root_utcb();
    u.item[0] = item::memory(read_address);
    u.item[1] = fpage::make(replacement, 12, R::read);
    CHECK_EQ(sys::ipc_reply(w.reply, msg::info(0, 0, 1), 0, 0, 0).error, Error::ok);
    if (!w.read_done(t, 2)) return;
    CHECK_EQ(reader_value, Word{0x2222});
}

JANUS_TEST(memory_item_granted_leaves_the_sender) {
    REQUIRE_BOOT();
    ReaderWorld w(t);
    const Vaddr page = page_holding(0x3333);
    if (!CHECK(w.ok) || !CHECK_NE(page, Vaddr{0})) return;
    CHECK_EQ(w.send(page, landing_offset, true), Error::ok);
    if (!w.read_done(t, 1)) return;
    CHECK_EQ(reader_value, Word{0x3333});
    // The page moved: the root can no longer map it anywhere (it must not touch it either: that would fault),
    // and its unmap no longer reaches the reader, whose next read needs no pager.
    CHECK_EQ(sys::mem_map(fpage::make(page, 12, R::read), w.pd, 0x3200'0000, 0).error, Error::not_mapped);
    CHECK_EQ(sys::mem_unmap(fpage::make(page, 12, 0), 0).error, Error::ok);
    w.go_on();
    if (!w.read_done(t, 2)) return;
    CHECK_EQ(reader_value, Word{0x3333});
}

JANUS_TEST(memory_item_outside_the_window_is_refused_and_the_receiver_waits_on) {
    REQUIRE_BOOT();
    ReaderWorld w(t);
    const Vaddr page = page_holding(0x4444);
    if (!CHECK(w.ok) || !CHECK_NE(page, Vaddr{0})) return;
    // One page past the 64 KiB window: the reader is there to receive (the send waits for it), but the item
    // does not fit, so nothing is delivered and the sender learns why.
    CHECK_EQ(w.send(page, Word{1} << window_order), Error::refused);
    CHECK_EQ(reader_deliveries, Word{0});
    // The reader still waits: an item that fits is the first message it gets.
    CHECK_EQ(w.send(page, landing_offset), Error::ok);
    if (!w.read_done(t, 1)) return;
    CHECK_EQ(reader_deliveries, Word{1});
    CHECK_EQ(reader_value, Word{0x4444});
}
