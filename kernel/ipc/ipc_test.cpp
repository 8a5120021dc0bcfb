// The IPC state machine through the real dispatcher, threads driven as logical actors
// (testing/ipc_world.hpp). Expected values come from docs/ipc.md and docs/abi.md: register layout, FIFO
// queues, one-shot replies, item transfer and what each deletion does to the parties.
#include <gtest/gtest.h>

#include "kernel/check/check.hpp"
#include "kernel/ipc/testing/ipc_world.hpp"
#include "kernel/obj/endpoint.hpp"

namespace kernel::testing {
namespace {

namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t ep = 10, ep_badged = 11, ep_send_only = 12, ntf = 13;
constexpr std::uint64_t client_sel = 20, server_sel = 21, third_sel = 22;
constexpr std::uint64_t reply_slot = 50, window = 60;

struct Ipc : ::testing::Test {
    Ipc() {
        w.endpoint(ep);
        w.copy(ep, ep_badged, R::read | R::write | R::grant, 0xb0b);
        w.copy(ep, ep_send_only, R::write);
    }
    void expect_sound() {
        CheckResult r = check_kernel(w.kernel());
        EXPECT_TRUE(r.ok) << r.text;
        EXPECT_TRUE(w.clean());
    }
    IpcWorld w;
    Thread& client = w.thread(client_sel, 0x20000);
    Thread& server = w.thread(server_sel, 0x21000);
};

TEST_F(Ipc, ASendMeetsAWaitingReceiverWithLabelWordsAndBadge) {
    EXPECT_EQ(w.recv(server, ep), static_cast<E>(S::ipc_recv)) << "rax unchanged: still waiting";
    EXPECT_TRUE(IpcWorld::waiting(server));
    EXPECT_EQ(w.send(client, ep_badged, msg::info(0x42, 3), never, {7, 8, 9}), E::ok);
    ASSERT_FALSE(IpcWorld::waiting(server));
    Received r = IpcWorld::received(server);
    EXPECT_EQ(r.status, E::ok);
    EXPECT_EQ(msg::label(r.info), 0x42u);
    EXPECT_EQ(msg::words(r.info), 3u);
    EXPECT_EQ(r.info & msg::call_flag, 0u) << "a send gives no reply capability";
    EXPECT_EQ(r.badge, 0xb0bu);
    EXPECT_EQ(r.w[0], 7u);
    EXPECT_EQ(r.w[1], 8u);
    EXPECT_EQ(r.w[2], 9u);
    expect_sound();
}

TEST_F(Ipc, AReceiverTakesAQueuedSenderAtOnceAndUnusedWordsAreZero) {
    server.frame.r8 = 0x5ec7e7; // must not survive as a message word
    EXPECT_EQ(w.send(client, ep_send_only, msg::info(1, 1), never, {77}), static_cast<E>(S::ipc_send));
    EXPECT_TRUE(IpcWorld::waiting(client));
    EXPECT_EQ(w.recv(server, ep), E::ok);
    EXPECT_FALSE(IpcWorld::waiting(client));
    EXPECT_EQ(IpcWorld::received(client).status, E::ok);
    Received r = IpcWorld::received(server);
    EXPECT_EQ(r.badge, 0u) << "unbadged capability";
    EXPECT_EQ(r.w[0], 77u);
    EXPECT_EQ(r.w[1], 0u);
    EXPECT_EQ(r.w[2], 0u);
    expect_sound();
}

TEST_F(Ipc, LongMessagesCarryWordsThreeAndUpInTheUtcb) {
    for (unsigned i = 3; i < 64; ++i) IpcWorld::utcb(client).mr[i] = 1000 + i;
    w.recv(server, ep);
    EXPECT_EQ(w.send(client, ep, msg::info(5, 64), never, {1, 2, 3}), E::ok);
    Received r = IpcWorld::received(server);
    EXPECT_EQ(msg::words(r.info), 64u);
    for (unsigned i = 3; i < 64; ++i) EXPECT_EQ(IpcWorld::utcb(server).mr[i], 1000 + i) << i;
}

TEST_F(Ipc, CallGivesAOneShotReplyCapabilityAndTheReplyReturnsToTheCaller) {
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.recv(server, ep);
    EXPECT_EQ(w.call_ep(client, ep_badged, msg::info(3, 2), never, {10, 20}), static_cast<E>(S::ipc_call));
    EXPECT_EQ(client.ipc.wait, Wait::reply);
    Received r = IpcWorld::received(server);
    EXPECT_NE(r.info & msg::call_flag, 0u);
    EXPECT_EQ(r.badge, 0xb0bu);
    Object* cap = w.object_at(w.root(), reply_slot);
    ASSERT_NE(cap, nullptr);
    EXPECT_EQ(cap->type, ObjectType::reply);
    EXPECT_EQ(w.call(S::cap_info, {reply_slot}).r[1], R::write) << "reply capabilities cannot be passed on";
    expect_sound();

    EXPECT_EQ(w.reply(server, reply_slot, msg::info(4, 3), {30, 40, 50}), E::ok);
    EXPECT_FALSE(IpcWorld::waiting(client));
    Received a = IpcWorld::received(client);
    EXPECT_EQ(a.status, E::ok);
    EXPECT_EQ(msg::label(a.info), 4u);
    EXPECT_EQ(a.badge, 0u);
    EXPECT_EQ(a.w[0], 30u);
    EXPECT_EQ(a.w[2], 50u);
    EXPECT_EQ(w.object_at(w.root(), reply_slot), nullptr) << "used up";
    EXPECT_EQ(w.reply(server, reply_slot, msg::info(4, 0)), E::bad_selector) << "one shot";
    expect_sound();
}

TEST_F(Ipc, ReplyRecvServesClientsInArrivalOrder) {
    Thread& third = w.thread(third_sel, 0x22000);
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.call_ep(client, ep, msg::info(1, 1), never, {1});
    w.call_ep(third, ep, msg::info(2, 1), never, {2});
    EXPECT_EQ(w.recv(server, ep), E::ok);
    EXPECT_EQ(IpcWorld::received(server).w[0], 1u) << "FIFO: the first caller first";
    EXPECT_EQ(w.reply_recv(server, ep, msg::info(0, 1), never, {101}), E::ok);
    EXPECT_EQ(IpcWorld::received(client).w[0], 101u);
    EXPECT_EQ(IpcWorld::received(server).w[0], 2u);
    EXPECT_EQ(w.reply_recv(server, ep, msg::info(0, 1), never, {102}), static_cast<E>(S::ipc_reply_recv));
    EXPECT_EQ(IpcWorld::received(third).w[0], 102u);
    EXPECT_TRUE(IpcWorld::waiting(server)) << "no more callers: it waits";
    expect_sound();
}

TEST_F(Ipc, ZeroTimeoutsPollAndFailWithWouldBlock) {
    w.notification(ntf);
    EXPECT_EQ(w.recv(server, ep, poll), E::would_block);
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0), poll), E::would_block);
    EXPECT_EQ(w.call_ep(client, ep, msg::info(0, 0), poll), E::would_block);
    EXPECT_EQ(w.call(server, S::notify_wait, {ntf, poll}).status, E::would_block);
    EXPECT_FALSE(IpcWorld::waiting(client));
    EXPECT_FALSE(IpcWorld::waiting(server));
    expect_sound();
}

TEST_F(Ipc, FiniteTimeoutsExpireOnTheSchedulersClockAndInfiniteOnesNever) {
    w.endpoint(ep + 100);
    w.recv(server, ep, 1000);
    w.send(client, ep + 100, msg::info(0, 0), never);
    w.advance(999);
    EXPECT_TRUE(IpcWorld::waiting(server)) << "999 ns of 1000";
    w.advance(1);
    EXPECT_FALSE(IpcWorld::waiting(server));
    EXPECT_EQ(IpcWorld::received(server).status, E::timeout);
    EXPECT_TRUE(w.at<Endpoint>(w.root(), ep).receivers.empty()) << "a timed-out receiver leaves the queue";
    EXPECT_EQ(server.run_state(), sched::RunState::ready) << "and runs again";
    w.advance(std::uint64_t{1} << 50);
    EXPECT_TRUE(IpcWorld::waiting(client)) << "an infinite timeout never expires";
    expect_sound();
}

// ---- typed items: capabilities

namespace item = spec::item;

TEST_F(Ipc, ACapabilityItemCopiesIntoTheReceiversWindowWithReducedRightsAndItsBadge) {
    w.copy(ep, 30, R::all, 0);                 // something to pass: a copy of the endpoint with every right
    w.copy(30, 31, R::write | R::grant, 0x77); // badged, grantable
    IpcWorld::utcb(server).cap_window = spec::window::caps(window, 2);
    w.recv(server, ep);
    IpcWorld::utcb(client).item[0] = item::cap(R::write);
    IpcWorld::utcb(client).item[1] = 31;
    ASSERT_EQ(w.send(client, ep, msg::info(9, 0, 1)), E::ok);
    Received r = IpcWorld::received(server);
    EXPECT_EQ(msg::items(r.info), 1u);
    EXPECT_EQ(IpcWorld::utcb(server).item[1], window) << "where it landed";
    auto info = w.call(S::cap_info, {window});
    EXPECT_EQ(info.r[0], static_cast<std::uint64_t>(ObjectType::endpoint));
    EXPECT_EQ(info.r[1], R::write);
    EXPECT_EQ(info.r[2], 0x77u) << "the badge travels with the capability";
    EXPECT_NE(w.object_at(w.root(), 31), nullptr) << "a copy leaves the source";
    w.ok(S::cap_revoke, {31});
    EXPECT_EQ(w.object_at(w.root(), window), nullptr) << "the received copy derives from the sent one";
    expect_sound();
}

TEST_F(Ipc, AGrantItemMovesTheCapability) {
    w.copy(ep, 30, R::all);
    IpcWorld::utcb(server).cap_window = spec::window::caps(window, 1);
    w.recv(server, ep);
    IpcWorld::utcb(client).item[0] = item::cap(R::read | R::grant, true);
    IpcWorld::utcb(client).item[1] = 30;
    ASSERT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::ok);
    EXPECT_EQ(w.object_at(w.root(), 30), nullptr);
    EXPECT_EQ(w.call(S::cap_info, {window}).r[1], R::read | R::grant);
    expect_sound();
}

TEST_F(Ipc, AnItemTheWindowCannotTakeIsRefusedAndTheReceiverWaitsOn) {
    w.copy(ep, 30, R::all);
    IpcWorld::utcb(client).item[0] = item::cap(R::read);
    IpcWorld::utcb(client).item[1] = 30;
    w.recv(server, ep); // no window
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::refused);
    EXPECT_TRUE(IpcWorld::waiting(server));
    IpcWorld::utcb(server).cap_window = spec::window::caps(window, 1);
    w.copy(ep, window, R::read); // the window's slot is taken
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::refused);
    w.ok(S::cap_delete, {window});
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::ok);
    EXPECT_FALSE(IpcWorld::waiting(server));
    expect_sound();
}

TEST_F(Ipc, AQueuedSenderWhoseItemFailsGetsTheErrorAndTheNextSenderIsTaken) {
    Thread& third = w.thread(third_sel, 0x22000);
    w.copy(ep, 30, R::all);
    IpcWorld::utcb(client).item[0] = item::cap(R::read);
    IpcWorld::utcb(client).item[1] = 30;
    w.send(client, ep, msg::info(1, 0, 1));
    w.send(third, ep, msg::info(2, 0));
    EXPECT_EQ(w.recv(server, ep), E::ok) << "server has no window: the first sender cannot be delivered";
    EXPECT_EQ(IpcWorld::received(client).status, E::refused);
    EXPECT_EQ(msg::label(IpcWorld::received(server).info), 2u);
    expect_sound();
}

TEST_F(Ipc, SenderSideItemErrorsComeBeforeAnyRendezvous) {
    w.copy(ep, 30, R::read); // no grant right
    IpcWorld::utcb(client).item[0] = item::cap(R::read);
    IpcWorld::utcb(client).item[1] = 30;
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::missing_rights);
    IpcWorld::utcb(client).item[1] = 99; // empty
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::bad_selector);
    IpcWorld::utcb(client).item[0] = 3; // unknown kind
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 1)), E::bad_message);
    EXPECT_EQ(w.send(client, ep, msg::info(0, 65)), E::bad_message);
    EXPECT_EQ(w.send(client, ep, msg::info(0, 0, 9)), E::bad_message);
    EXPECT_EQ(w.send(client, ep, msg::call_flag), E::bad_message);
    EXPECT_FALSE(IpcWorld::waiting(client));
    expect_sound();
}

// ---- reply capabilities

TEST_F(Ipc, DeletingTheReplyCapabilityCancelsTheCaller) {
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.recv(server, ep);
    w.call_ep(client, ep, msg::info(0, 0));
    ASSERT_EQ(client.ipc.wait, Wait::reply);
    w.ok(S::cap_revoke, {reply_slot}); // nothing derives from it: the caller still waits
    EXPECT_EQ(client.ipc.wait, Wait::reply);
    w.ok(S::cap_delete, {reply_slot});
    EXPECT_FALSE(IpcWorld::waiting(client));
    EXPECT_EQ(IpcWorld::received(client).status, E::cancelled);
    expect_sound();
}

TEST_F(Ipc, ACallToAReceiverWithoutAFreeReplySlotIsCancelled) {
    w.recv(server, ep); // reply_sel 0: takes no reply capability
    EXPECT_EQ(w.call_ep(client, ep, msg::info(0, 1), never, {5}), E::cancelled);
    EXPECT_EQ(IpcWorld::received(server).w[0], 5u) << "the message itself was delivered";
    EXPECT_EQ(IpcWorld::received(server).info & msg::call_flag, 0u);
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.copy(ep, reply_slot, R::read);
    EXPECT_EQ(w.recv(server, ep), E::slot_occupied) << "checked before waiting";
    IpcWorld::utcb(server).reply_sel = 4096;
    EXPECT_EQ(w.recv(server, ep), E::bad_selector);
    expect_sound();
}

TEST_F(Ipc, StoppingACallerWaitingForItsReplyTakesTheReplyCapabilityAway) {
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.recv(server, ep);
    w.call_ep(client, ep, msg::info(0, 0));
    w.ok(S::thread_stop, {client_sel});
    EXPECT_EQ(client.ipc.life, Life::stopped);
    EXPECT_EQ(w.object_at(w.root(), reply_slot), nullptr);
    EXPECT_EQ(w.reply(server, reply_slot, msg::info(0, 0)), E::bad_selector);
    expect_sound();
}

// ---- deletion racing with IPC

TEST_F(Ipc, DeletingAnEndpointCancelsEveryoneQueuedOnIt) {
    Thread& third = w.thread(third_sel, 0x22000);
    w.endpoint(40);
    w.send(client, 40, msg::info(0, 0));
    w.call_ep(third, 40, msg::info(0, 0));
    w.ok(S::cap_delete, {40});
    EXPECT_EQ(IpcWorld::received(client).status, E::cancelled);
    EXPECT_EQ(IpcWorld::received(third).status, E::cancelled);
    EXPECT_EQ(third.reply->cap_count, 0u);
    w.endpoint(40);
    w.recv(server, 40);
    w.ok(S::cap_delete, {40});
    EXPECT_EQ(IpcWorld::received(server).status, E::cancelled);
    expect_sound();
}

TEST_F(Ipc, DeletingAThreadBlockedInCallOrRecvUnqueuesIt) {
    w.call_ep(client, ep, msg::info(0, 0));
    w.ok(S::cap_delete, {client_sel});
    EXPECT_TRUE(w.at<Endpoint>(w.root(), ep).senders.empty());
    w.recv(server, ep);
    w.ok(S::cap_delete, {server_sel});
    EXPECT_TRUE(w.at<Endpoint>(w.root(), ep).receivers.empty());
    expect_sound();
}

TEST_F(Ipc, DeletingACallerWaitingForItsReplyRemovesTheServersReplyCapability) {
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.recv(server, ep);
    w.call_ep(client, ep, msg::info(0, 0));
    ASSERT_NE(w.object_at(w.root(), reply_slot), nullptr);
    w.ok(S::cap_delete, {client_sel});
    EXPECT_EQ(w.object_at(w.root(), reply_slot), nullptr);
    EXPECT_EQ(w.reply(server, reply_slot, msg::info(0, 0)), E::bad_selector);
    expect_sound();
}

TEST_F(Ipc, DestroyingAServerDomainCancelsItsCallersAndAClientDomainLeavesNoQueuedThread) {
    // Server in a child domain, reached through a copy of the root's endpoint.
    Thread& child = w.child_with_thread(70, 1 << 16);
    w.ok(S::thread_start, {71, 0x400000, 0x7ff000});
    w.ok(S::cap_copy, {ep, 70, 5, R::read, 0});
    IpcWorld::utcb(child).reply_sel = 6;
    EXPECT_EQ(w.recv(child, 5), static_cast<E>(S::ipc_recv));
    w.call_ep(client, ep, msg::info(0, 0));
    ASSERT_EQ(client.ipc.wait, Wait::reply);
    w.ok(S::cap_delete, {70});
    EXPECT_EQ(IpcWorld::received(client).status, E::cancelled);
    // Client in a child domain, queued at the root's endpoint; then the domain goes.
    Thread& child2 = w.child_with_thread(72, 1 << 16);
    w.ok(S::thread_start, {73, 0x400000, 0x7ff000});
    w.ok(S::cap_copy, {ep, 72, 5, R::write, 0});
    w.call_ep(child2, 5, msg::info(0, 0));
    EXPECT_FALSE(w.at<Endpoint>(w.root(), ep).senders.empty());
    w.ok(S::cap_delete, {72});
    EXPECT_TRUE(w.at<Endpoint>(w.root(), ep).senders.empty());
    expect_sound();
}

// ---- notifications and interrupts

TEST_F(Ipc, SignalsAccumulateByOrAndAWaitTakesThemAll) {
    w.notification(ntf);
    w.ok(S::notify_signal, {ntf, 0b0101});
    w.ok(S::notify_signal, {ntf, 0b0011});
    auto o = w.call(server, S::notify_wait, {ntf, never});
    EXPECT_EQ(o.status, E::ok);
    EXPECT_EQ(o.r[0], 0b0111u);
    EXPECT_EQ(w.call(server, S::notify_wait, {ntf, poll}).status, E::would_block) << "consumed";
    expect_sound();
}

TEST_F(Ipc, AWaiterWakesWithTheBitsOfTheSignal) {
    w.notification(ntf);
    w.call(server, S::notify_wait, {ntf, never});
    w.call(client, S::notify_wait, {ntf, never});
    EXPECT_TRUE(IpcWorld::waiting(server));
    w.ok(S::notify_signal, {ntf, 0x80});
    EXPECT_FALSE(IpcWorld::waiting(server)) << "the first waiter";
    EXPECT_EQ(server.frame.rax, 0u);
    EXPECT_EQ(server.frame.rdi, 0x80u);
    EXPECT_TRUE(IpcWorld::waiting(client));
    w.ok(S::cap_delete, {ntf});
    EXPECT_EQ(IpcWorld::received(client).status, E::cancelled);
    expect_sound();
}

TEST_F(Ipc, AnInterruptSignalsItsBitOnceUntilAcknowledged) {
    w.notification(ntf);
    w.ok(S::irq_create, {40, spec::root_sel::irq_control, 5});
    w.ok(S::irq_bind, {40, ntf, 3});
    auto fire = [&] {
        SpinGuard g(w.kernel().lock);
        ipc::interrupt(w.kernel(), 5);
    };
    w.call(server, S::notify_wait, {ntf, never});
    fire();
    EXPECT_EQ(server.frame.rdi, 1u << 3);
    fire(); // held back: not acknowledged yet
    fire();
    EXPECT_EQ(w.call(server, S::notify_wait, {ntf, poll}).status, E::would_block);
    w.ok(S::irq_ack, {40});
    auto o = w.call(server, S::notify_wait, {ntf, poll});
    EXPECT_EQ(o.status, E::ok) << "the interrupts that came meanwhile, once";
    EXPECT_EQ(o.r[0], 1u << 3);
    w.ok(S::irq_ack, {40});
    EXPECT_EQ(w.call(server, S::notify_wait, {ntf, poll}).status, E::would_block);
    expect_sound();
}

// ---- faults

arch::UserExit exception_exit(arch::Vector v, std::uint64_t code, std::uint64_t address = 0) {
    return arch::UserExit{arch::UserExit::Kind::exception, v, code, address};
}

void raise(IpcWorld& w, Thread& t, const arch::UserExit& e) {
    SpinGuard g(w.kernel().lock);
    ipc::exception(w.kernel(), t, e);
}

TEST_F(Ipc, APageFaultBecomesACallToThePagerAndItsReplyResumesTheThread) {
    w.ok(S::thread_configure, {client_sel, ep_badged, 0});
    client.frame.rip = 0x401234;
    client.frame.rax = 0xaaaa;
    IpcWorld::utcb(server).reply_sel = reply_slot;
    w.recv(server, ep);
    raise(w, client, exception_exit(14, 0x6, 0x5000));
    EXPECT_EQ(client.ipc.wait, Wait::reply);
    Received r = IpcWorld::received(server);
    EXPECT_EQ(msg::label(r.info), spec::label::page_fault);
    EXPECT_EQ(msg::words(r.info), 3u) << "address, error code, ip (docs/ipc.md)";
    EXPECT_NE(r.info & msg::call_flag, 0u);
    EXPECT_EQ(r.badge, 0xb0bu) << "the badge of the pager capability";
    EXPECT_EQ(r.w[0], 0x5000u);
    EXPECT_EQ(r.w[1], 0x6u);
    EXPECT_EQ(r.w[2], 0x401234u);
    EXPECT_EQ(w.reply(server, reply_slot, msg::info(0, 0)), E::ok);
    EXPECT_FALSE(IpcWorld::waiting(client));
    EXPECT_EQ(client.run_state(), sched::RunState::ready);
    EXPECT_EQ(client.frame.rip, 0x401234u) << "it retries the access";
    EXPECT_EQ(client.frame.rax, 0xaaaau) << "its registers are its own";
    expect_sound();
}

// The checker walks each CPU's timeout queue: a waiter queued under another CPU's number is reported, and the
// state is sound again once it is queued where it says.
TEST_F(Ipc, TheCheckerReportsATimeoutQueuedUnderTheWrongCpu) {
    w.recv(server, ep, 1000);
    ASSERT_TRUE(server.has_timeout());
    expect_sound();
    const int cpu = server.timeout_cpu();
    const std::uint64_t deadline = server.deadline();
    auto& queue =
        const_cast<sched::TimeoutQueue&>(w.kernel().sched.timeouts(static_cast<std::uint32_t>(cpu)));
    queue.remove(server);
    queue.insert(server, deadline, cpu + 1); // planted: in cpu's queue, claiming the next CPU
    CheckResult r = check_kernel(w.kernel());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(std::string(r.text).find("timeout queue is out of order or holds another CPU's timeout"),
              std::string::npos)
        << r.text;
    queue.remove(server);
    queue.insert(server, deadline, cpu);
    expect_sound();
}

TEST_F(Ipc, AnExceptionGoesToTheHandlerWhoseReplyMayMoveTheThread) {
    w.ok(S::thread_configure, {client_sel, 0, ep});
    client.frame.rip = 0x401000;
    client.frame.rsp = 0x7fe000;
    IpcWorld::utcb(server).reply_sel = reply_slot;
    raise(w, client, exception_exit(6, 0)); // #UD, queued: nobody receives yet
    EXPECT_EQ(client.ipc.wait, Wait::send);
    EXPECT_EQ(w.recv(server, ep), E::ok);
    Received r = IpcWorld::received(server);
    EXPECT_EQ(msg::label(r.info), spec::label::exception);
    EXPECT_EQ(msg::words(r.info), 4u);
    EXPECT_EQ(r.w[0], 6u);
    EXPECT_EQ(r.w[2], 0x401000u);
    EXPECT_EQ(IpcWorld::utcb(server).mr[3], 0x7fe000u) << "word 3: the stack pointer";
    EXPECT_EQ(w.reply(server, reply_slot, msg::info(0, 2), {0x402000, 0x7fd000}), E::ok);
    EXPECT_EQ(client.frame.rip, 0x402000u);
    EXPECT_EQ(client.frame.rsp, 0x7fd000u);
    EXPECT_EQ(client.ipc.life, Life::active);
    expect_sound();
}

TEST_F(Ipc, WithoutAHandlerTheThreadStopsAndAStartRevivesIt) {
    raise(w, client, exception_exit(0, 0)); // #DE
    EXPECT_EQ(client.ipc.life, Life::stopped);
    EXPECT_EQ(client.run_state(), sched::RunState::off);
    w.ok(S::thread_configure, {client_sel, ep, 0}); // a pager only handles page faults
    raise(w, client, exception_exit(13, 0));
    EXPECT_EQ(client.ipc.life, Life::stopped);
    EXPECT_EQ(w.call(S::thread_start, {client_sel, 0x1000, 0x2000}).status, E::ok);
    EXPECT_EQ(client.ipc.life, Life::active);
    EXPECT_EQ(client.frame.rip, 0x1000u);
    expect_sound();
}

TEST_F(Ipc, AFaultWhosePagerEndpointDiesStopsTheThread) {
    w.endpoint(40);
    w.ok(S::thread_configure, {client_sel, 40, 0});
    raise(w, client, exception_exit(14, 0x4, 0x9000));
    EXPECT_EQ(client.ipc.wait, Wait::send);
    w.ok(S::cap_delete, {40});
    EXPECT_EQ(client.ipc.life, Life::stopped);
    EXPECT_FALSE(IpcWorld::waiting(client));
    expect_sound();
}

// ---- thread control

TEST_F(Ipc, SchedulingParametersMoveTheThreadBetweenRunQueues) {
    EXPECT_EQ(w.call(S::thread_set_sched, {client_sel, 200, 3}).status, E::ok);
    EXPECT_EQ(client.sched::Entity::priority(), 200u);
    EXPECT_EQ(client.sched::Entity::cpu(), 3u);
    EXPECT_EQ(w.kernel().sched.run_queue(3).top(), &static_cast<sched::Entity&>(client));
    EXPECT_EQ(w.call(S::thread_set_sched, {client_sel, 256, 0}).status, E::invalid_argument);
    EXPECT_EQ(w.call(S::thread_set_sched, {client_sel, 1, 4}).status, E::invalid_argument) << "4 CPUs";
    EXPECT_EQ(w.call(S::thread_start, {client_sel, 0x1000, 0x2000}).status, E::invalid_argument)
        << "already running";
    expect_sound();
}

} // namespace
} // namespace kernel::testing
