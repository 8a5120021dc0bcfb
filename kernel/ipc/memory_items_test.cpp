// Memory typed items end to end through the memory side: a flexpage sent in a message lands in the receiver's
// memory window (checked through hostsim's independent page walker), a pager's reply maps the faulting page,
// and a grant moves the pages out of the sender.
#include <gtest/gtest.h>

#include "kernel/abi/ipc.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/testing/mem_world.hpp"

namespace kernel::testing {
namespace {

namespace R = spec::rights;
namespace msg = spec::msg;
namespace item = spec::item;
using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t ep = 10, child_pd = 40, child_thread = 41, child_ep = 5;
constexpr std::uint64_t window_va = 0x4000'0000, page = 4096;

spec::Utcb& utcb(Thread& t) {
    return *static_cast<spec::Utcb*>(t.utcb_page);
}

struct MemoryItems : ::testing::Test {
    MemoryItems() {
        m.k.ok(S::endpoint_create, {ep});
        m.k.ok(S::pd_create, {child_pd, 1 << 16, 4});
        m.k.ok(S::thread_create, {child_thread, child_pd, 0x1000, 100, 0});
        m.k.ok(S::thread_start, {child_thread, 0x400000, 0x7ff000});
        m.k.ok(S::cap_copy, {ep, child_pd, child_ep, R::read | R::write, 0});
    }
    Thread& child() { return m.k.at<Thread>(m.k.root(), child_thread); }
    Pd& child_space() { return m.k.at<Pd>(m.k.root(), child_pd); }
    /// The root thread sends its one typed item (w0, w1) through `ep`.
    Error root_sends(std::uint64_t w0, std::uint64_t w1) {
        utcb(m.k.root_thread()).item[0] = w0;
        utcb(m.k.root_thread()).item[1] = w1;
        return m.k.call(S::ipc_send, {ep, msg::info(3, 0, 1), spec::timeout_never}).status;
    }
    MemWorld m;
};

TEST_F(MemoryItems, AFlexpageLandsInTheReceiversWindowAtItsOffset) {
    utcb(child()).mem_window = spec::fpage::make(window_va, 16, 0);
    m.k.call(child(), S::ipc_recv, {child_ep, spec::timeout_never});
    ASSERT_EQ(root_sends(item::memory(0x3000), spec::fpage::make(MemWorld::pool_va, 13, R::read)), E::ok);
    EXPECT_EQ(msg::items(child().frame.rdi), 1u);
    EXPECT_EQ(utcb(child()).item[0], item::memory(0x3000)) << "the receiver gets the item word as sent";
    EXPECT_EQ(utcb(child()).item[1], window_va + 0x3000) << "the receiver learns where it landed";
    EXPECT_EQ(m.mapped_as(child_space(), window_va + 0x3000, MemWorld::pool_pa, false, false), "");
    EXPECT_EQ(m.mapped_as(child_space(), window_va + 0x4000, MemWorld::pool_pa + page, false, false), "");
    EXPECT_TRUE(m.unmapped(child_space(), window_va + 0x2000));
    EXPECT_FALSE(m.unmapped(m.k.root(), MemWorld::pool_va)) << "a map leaves the sender's pages";
    EXPECT_EQ(m.check(), "");
    // The mapping derives from the sender's page: unmapping the source removes it.
    m.k.ok(S::mem_unmap, {spec::fpage::make(MemWorld::pool_va, 13, 0), 0});
    EXPECT_TRUE(m.unmapped(child_space(), window_va + 0x3000));
    EXPECT_EQ(m.check(), "");
}

/// A memory item is checked with the rest of the message, before anything changes: a source page at the
/// deepest level of its derivation tree (set by hand, the checker off meanwhile) fails the send with
/// refused (as a capability item that cannot be derived), and the receiver still waits with nothing mapped.
TEST_F(MemoryItems, AnItemThatCannotBeCopiedFailsTheSendWithNothingChanged) {
    utcb(child()).mem_window = spec::fpage::make(window_va, 16, 0);
    m.k.call(child(), S::ipc_recv, {child_ep, spec::timeout_never});
    mapdb::Node& source = *m.k.root().memory.index.find(MemWorld::pool_va);
    m.k.set_checking(false);
    source.depth = mapdb::max_depth;
    const std::uint64_t used = child_space().quota.used;
    EXPECT_EQ(root_sends(item::memory(0x3000), spec::fpage::make(MemWorld::pool_va, 12, R::read)),
              E::refused);
    EXPECT_NE(child().ipc.wait, Wait::none) << "the receiver still waits";
    EXPECT_TRUE(m.unmapped(child_space(), window_va + 0x3000));
    EXPECT_EQ(child_space().quota.used, used);
    source.depth = 0;
    m.k.set_checking(true);
    EXPECT_EQ(root_sends(item::memory(0x3000), spec::fpage::make(MemWorld::pool_va, 12, R::read)), E::ok);
    EXPECT_EQ(m.mapped_as(child_space(), window_va + 0x3000, MemWorld::pool_pa, false, false), "");
    EXPECT_EQ(m.check(), "");
}

TEST_F(MemoryItems, AGrantItemMovesThePagesAndAWindowThatCannotTakeItRefuses) {
    m.k.call(child(), S::ipc_recv, {child_ep, spec::timeout_never}); // no window yet
    EXPECT_EQ(root_sends(item::memory(0, true), spec::fpage::make(MemWorld::pool_va, 12, R::read | R::write)),
              E::refused);
    EXPECT_NE(child().ipc.wait, Wait::none);
    utcb(child()).mem_window = spec::fpage::make(window_va, 12, 0);
    EXPECT_EQ(root_sends(item::memory(0, true), spec::fpage::make(MemWorld::pool_va, 13, R::read)),
              E::refused)
        << "8 KiB do not fit a 4 KiB window";
    ASSERT_EQ(root_sends(item::memory(0, true), spec::fpage::make(MemWorld::pool_va, 12, R::read | R::write)),
              E::ok);
    EXPECT_EQ(m.mapped_as(child_space(), window_va, MemWorld::pool_pa, true, false), "");
    EXPECT_TRUE(m.unmapped(m.k.root(), MemWorld::pool_va)) << "granted away";
    EXPECT_EQ(m.check(), "");
}

// A receive window that is not a well-formed flexpage takes nothing, whatever it would cover if its fields
// were read as they stand: a base not aligned to the window's size, reserved bits, an order outside the page
// sizes.
TEST_F(MemoryItems, AMalformedWindowTakesNoItem) {
    m.k.call(child(), S::ipc_recv, {child_ep, spec::timeout_never});
    const std::uint64_t malformed[] = {
        spec::fpage::make(window_va + 0x1000, 16, 0),                // base not aligned to 64 KiB
        spec::fpage::make(window_va, 16, 0) | 0x200,                 // a reserved bit
        spec::fpage::make(window_va, 11, 0),                         // below the smallest page
        spec::fpage::make(window_va, spec::fpage::max_order + 1, 0), // above the largest mapping
    };
    for (std::uint64_t window : malformed) {
        utcb(child()).mem_window = window;
        EXPECT_EQ(root_sends(item::memory(0), spec::fpage::make(MemWorld::pool_va, 12, R::read)), E::refused)
            << std::hex << "window " << window;
        EXPECT_NE(child().ipc.wait, Wait::none) << "the receiver still waits";
        for (std::uint64_t va = window_va; va < window_va + 0x20000; va += page)
            EXPECT_TRUE(m.unmapped(child_space(), va)) << std::hex << va;
    }
    EXPECT_EQ(m.check(), "");
}

TEST_F(MemoryItems, APagersReplyMapsTheFaultingPageAndTheThreadRetries) {
    // The child faults at 0x5000'2345; the root's thread is its pager and answers with a pool page there.
    m.k.ok(S::cap_copy, {ep, child_pd, 6, R::write, 0x77});
    m.k.ok(S::thread_configure, {child_thread, ep, 0});
    utcb(m.k.root_thread()).reply_sel = 60;
    m.k.call(S::ipc_recv, {ep, spec::timeout_never});
    {
        SpinGuard g(m.k.kernel().lock);
        ipc::exception(m.k.kernel(), child(),
                       arch::UserExit{arch::UserExit::Kind::exception, 14, 0x4, 0x5000'2345});
    }
    Thread& root = m.k.root_thread();
    ASSERT_EQ(msg::label(root.frame.rdi), spec::label::page_fault);
    ASSERT_EQ(root.frame.rdx, 0x5000'2345u);
    const std::uint64_t fault_page = root.frame.rdx & ~(page - 1);
    utcb(root).item[0] = item::memory(fault_page);
    utcb(root).item[1] = spec::fpage::make(MemWorld::pool_va + page, 12, R::read | R::write);
    ASSERT_EQ(m.k.call(S::ipc_reply, {60, msg::info(0, 0, 1)}).status, E::ok);
    EXPECT_EQ(child().ipc.wait, Wait::none);
    EXPECT_EQ(child().run_state(), sched::RunState::ready);
    EXPECT_EQ(m.mapped_as(child_space(), fault_page, MemWorld::pool_pa + page, true, false), "");
    EXPECT_EQ(m.check(), "");
}

} // namespace
} // namespace kernel::testing
