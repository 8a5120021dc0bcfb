// Error scenarios of the IPC, notification and thread syscalls for the syscall tests' scenario registry
// (kernel/syscall/testing/scenarios.hpp): each makes one call that must fail at once with the documented
// error and change nothing. Errors that end a wait later (timeout; cancelled but for a call) cannot be one
// call's immediate result: they are declared pending here and reached by ipc.WaitEndings.*
// (ipc_wait_test.cpp).
#include <gtest/gtest.h>

#include "kernel/abi/ipc.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/scenarios.hpp"

namespace kernel::testing {
namespace {

namespace R = spec::rights;
namespace msg = spec::msg;
namespace item = spec::item;
using S = spec::Syscall;
using E = spec::Error;
using Args = std::vector<std::uint64_t>;

constexpr std::uint64_t ep = 10, ep_read = 11, ep_write = 12, ntf = 13, ntf_read = 14, ntf_write = 15;
constexpr std::uint64_t server_sel = 20, thread_no_control = 21, irq = 22, irq_no_control = 23, spare = 30;
constexpr std::uint64_t reply_slot = 50;
constexpr std::uint64_t never = spec::timeout_never, poll = spec::timeout_poll;
constexpr std::uint64_t kernel_address = 0xffff'8000'0000'0000;
constexpr std::uint64_t pool = spec::root_mem::pool, frames = 0x0000'0100'0000'0000, page = 4096;
constexpr std::uint64_t window_va = 0x4000'0000;

std::uint64_t num(S s) {
    return static_cast<std::uint64_t>(s);
}
spec::Utcb& utcb(Thread& t) {
    return *static_cast<spec::Utcb*>(t.utcb_page);
}

/// Endpoint, notification and irq with restricted copies, a started server thread.
Thread& world(TestKernel& k) {
    auto copy = [&](std::uint64_t src, std::uint64_t dest, std::uint64_t rights) {
        k.ok(S::cap_copy, {src, spec::root_sel::pd, dest, rights, 0});
    };
    k.ok(S::endpoint_create, {ep});
    copy(ep, ep_read, R::read);
    copy(ep, ep_write, R::write);
    k.ok(S::notification_create, {ntf});
    copy(ntf, ntf_read, R::read);
    copy(ntf, ntf_write, R::write);
    k.ok(S::irq_create, {irq, spec::root_sel::irq_control, 7});
    copy(irq, irq_no_control, R::read);
    k.ok(S::thread_create, {server_sel, spec::root_sel::pd, 0x20000, 100, 0});
    k.ok(S::thread_start, {server_sel, 0x400000, 0x7ff000});
    copy(server_sel, thread_no_control, R::read);
    return k.at<Thread>(k.root(), server_sel);
}

/// The server waits to receive on `ep` (reply_sel 0, no windows).
Thread& waiting_server(TestKernel& k) {
    Thread& s = world(k);
    k.call(s, S::ipc_recv, {ep, never});
    return s;
}

/// The root owns pool pages 0..7 with every right and 8..11 without grant (frames are numbers, never
/// touched).
void pool_of_the_root(TestKernel& k) {
    EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool, frames, 8, R::read | R::write | R::grant),
              Error::ok);
    EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool + 8 * page, frames + 8 * page, 4,
                                R::read | R::write),
              Error::ok);
}

/// A thread of a child domain with `quota` (its UTCB's page tables take 3 pages of it) that waits to receive
/// on its copy of `ep` with a memory window of 64 KiB at window_va; returns it. If `calls`, it calls instead.
Thread& child_receiver(TestKernel& k, std::uint64_t quota, bool calls = false) {
    k.ok(S::pd_create, {40, quota, 4});
    k.ok(S::thread_create, {41, 40, 0x1000, 100, 0});
    k.ok(S::thread_start, {41, 0x400000, 0x7ff000});
    k.ok(S::cap_copy, {ep, 40, 5, R::read | R::write, 0});
    Thread& t = k.at<Thread>(k.root(), 41);
    utcb(t).mem_window = spec::fpage::make(window_va, 16, 0);
    if (calls)
        k.call(t, S::ipc_call, {5, msg::info(0, 0), never, 0, 0, 0});
    else
        k.call(t, S::ipc_recv, {5, never});
    return t;
}

/// One typed item in the root thread's UTCB.
void root_item(TestKernel& k, std::uint64_t w0, std::uint64_t w1) {
    utcb(k.root_thread()).item[0] = w0;
    utcb(k.root_thread()).item[1] = w1;
}

/// The root holds a reply capability at reply_slot: the server called it and waits for the answer.
void root_holds_reply(TestKernel& k) {
    Thread& s = world(k);
    k.call(s, S::ipc_call, {ep, msg::info(0, 0), never, 0, 0, 0});
    utcb(k.root_thread()).reply_sel = reply_slot;
    k.call(k.root_thread(), S::ipc_recv, {ep, never});
}

ScenarioList ipc_scenarios() {
    ScenarioList v;
    auto add = [&](std::string name, S s, E e, std::function<Invocation(TestKernel&)> setup) {
        v.push_back(Scenario{std::move(name), num(s), e, std::move(setup), Options{}});
    };
    auto in_world = [](Args a) {
        return [a](TestKernel& k) {
            world(k);
            return Invocation{nullptr, a};
        };
    };
    auto to_waiting_server = [](Args a) {
        return [a](TestKernel& k) {
            waiting_server(k);
            return Invocation{nullptr, a};
        };
    };
    auto with_item = [](Args a, std::uint64_t w0, std::uint64_t w1, bool server_waits) {
        return [a, w0, w1, server_waits](TestKernel& k) {
            if (server_waits)
                waiting_server(k);
            else
                world(k);
            root_item(k, w0, w1);
            return Invocation{nullptr, a};
        };
    };
    const std::uint64_t one_item = msg::info(1, 0, 1);
    const std::uint64_t good_fpage = spec::fpage::make(0x100000, 12, R::read);

    // ipc_call and ipc_send share their checks.
    for (S s : {S::ipc_call, S::ipc_send}) {
        std::string n = s == S::ipc_call ? "ipc_call" : "ipc_send";
        add(n + "_bad_selector_zero", s, E::bad_selector, in_world({0, msg::info(1, 0), never}));
        add(n + "_bad_selector_empty", s, E::bad_selector, in_world({spare, msg::info(1, 0), never}));
        add(n + "_wrong_type_notification", s, E::wrong_type, in_world({ntf, msg::info(1, 0), never}));
        add(n + "_missing_rights_read_only", s, E::missing_rights,
            in_world({ep_read, msg::info(1, 0), never}));
        add(n + "_bad_message_words", s, E::bad_message, in_world({ep, msg::info(1, 65), never}));
        add(n + "_bad_message_items", s, E::bad_message, in_world({ep, msg::info(1, 0, 9), never}));
        add(n + "_bad_message_reserved", s, E::bad_message, in_world({ep, msg::info(1, 0) | 0x1000, never}));
        add(n + "_bad_message_item_kind", s, E::bad_message, with_item({ep, one_item, never}, 3, ep, false));
        add(n + "_would_block_poll", s, E::would_block, in_world({ep, msg::info(1, 0), poll}));
        add(n + "_refused_no_window", s, E::refused,
            with_item({ep, one_item, never}, item::cap(R::read), ep, true));
        add(n + "_bad_flexpage_order", s, E::bad_flexpage,
            with_item({ep, one_item, never}, item::memory(0), spec::fpage::make(0x100000, 5, R::read),
                      false));
        add(n + "_bad_address_kernel", s, E::bad_address,
            with_item({ep, one_item, never}, item::memory(0), spec::fpage::make(kernel_address, 12, R::read),
                      false));
        auto to_window = [](Args a, std::uint64_t w0, std::uint64_t w1, std::uint64_t window) {
            return [a, w0, w1, window](TestKernel& k) {
                pool_of_the_root(k);
                utcb(waiting_server(k)).mem_window = window;
                root_item(k, w0, w1);
                return Invocation{nullptr, a};
            };
        };
        const std::uint64_t window = spec::fpage::make(window_va, 16, 0);
        add(n + "_not_mapped", s, E::not_mapped,
            to_window({ep, one_item, never}, item::memory(0), good_fpage, window));
        add(n + "_missing_rights_page_without_grant", s, E::missing_rights,
            to_window({ep, one_item, never}, item::memory(0), spec::fpage::make(pool + 8 * page, 12, R::read),
                      window));
        add(n + "_mapping_conflict_window_on_the_pool", s, E::mapping_conflict,
            to_window({ep, one_item, never}, item::memory(0), spec::fpage::make(pool, 12, R::read),
                      spec::fpage::make(pool, 16, 0)));
        add(n + "_refused_no_memory_window", s, E::refused,
            to_window({ep, one_item, never}, item::memory(0), spec::fpage::make(pool, 12, R::read), 0));
        add(n + "_refused_item_beyond_the_window", s, E::refused,
            to_window({ep, one_item, never}, item::memory(0x10000), spec::fpage::make(pool, 12, R::read),
                      window));
        add(n + "_bad_message_two_memory_items", s, E::bad_message, [](TestKernel& k) {
            world(k);
            root_item(k, item::memory(0), spec::fpage::make(pool, 12, R::read));
            utcb(k.root_thread()).item[2] = item::memory(0x1000);
            utcb(k.root_thread()).item[3] = spec::fpage::make(pool + page, 12, R::read);
            return Invocation{nullptr, {ep, msg::info(1, 0, 2), never}};
        });
        add(n + "_quota_exhausted_receiver_cannot_pay", s, E::quota_exhausted, [](TestKernel& k) {
            world(k);
            pool_of_the_root(k);
            child_receiver(k, 3 * 4096); // exactly its UTCB's tables: nothing for a node or tables
            root_item(k, item::memory(0), spec::fpage::make(pool, 12, R::read));
            return Invocation{nullptr, {ep, msg::info(1, 0, 1), never}};
        });
        add(n + "_missing_rights_item_without_grant", s, E::missing_rights,
            with_item({ep, one_item, never}, item::cap(R::read), ep_read, false));
        add(n + "_bad_selector_item", s, E::bad_selector,
            with_item({ep, one_item, never}, item::cap(R::read), spare, false));
    }
    add("ipc_call_cancelled_no_reply_slot", S::ipc_call, E::cancelled,
        to_waiting_server({ep, msg::info(1, 0), never}));

    add("ipc_recv_bad_selector", S::ipc_recv, E::bad_selector, in_world({spare, never}));
    add("ipc_recv_wrong_type", S::ipc_recv, E::wrong_type, in_world({ntf, never}));
    add("ipc_recv_missing_rights_write_only", S::ipc_recv, E::missing_rights, in_world({ep_write, never}));
    add("ipc_recv_would_block_poll", S::ipc_recv, E::would_block, in_world({ep, poll}));
    add("ipc_recv_slot_occupied_reply_sel", S::ipc_recv, E::slot_occupied, [](TestKernel& k) {
        world(k);
        utcb(k.root_thread()).reply_sel = ep_read;
        return Invocation{nullptr, {ep, never}};
    });

    const S rr = S::ipc_reply_recv;
    add("ipc_reply_recv_bad_selector", rr, E::bad_selector, in_world({spare, 0, never}));
    add("ipc_reply_recv_wrong_type", rr, E::wrong_type, in_world({ntf, 0, never}));
    add("ipc_reply_recv_missing_rights", rr, E::missing_rights, in_world({ep_write, 0, never}));
    add("ipc_reply_recv_bad_message", rr, E::bad_message, in_world({ep, msg::info(0, 70), never}));
    add("ipc_reply_recv_would_block", rr, E::would_block, in_world({ep, 0, poll}));
    add("ipc_reply_recv_slot_occupied", rr, E::slot_occupied, [](TestKernel& k) {
        world(k);
        utcb(k.root_thread()).reply_sel = ep_read; // not a reply capability: no reply, and not free
        return Invocation{nullptr, {ep, 0, never}};
    });
    auto replying = [](std::uint64_t w0, std::uint64_t w1, Args a) {
        return [w0, w1, a](TestKernel& k) {
            root_holds_reply(k);
            root_item(k, w0, w1);
            return Invocation{nullptr, a};
        };
    };
    add("ipc_reply_recv_refused", rr, E::refused, replying(item::cap(R::read), ep, {ep, one_item, never}));
    add("ipc_reply_recv_bad_flexpage", rr, E::bad_flexpage,
        replying(item::memory(0), spec::fpage::make(0x100000, 22, R::read), {ep, one_item, never}));
    add("ipc_reply_recv_bad_address", rr, E::bad_address,
        replying(item::memory(0), spec::fpage::make(kernel_address, 12, 0), {ep, one_item, never}));

    add("ipc_reply_bad_selector", S::ipc_reply, E::bad_selector, in_world({reply_slot, 0}));
    add("ipc_reply_wrong_type", S::ipc_reply, E::wrong_type, in_world({ep, 0}));
    add("ipc_reply_bad_message", S::ipc_reply, E::bad_message,
        replying(0, 0, {reply_slot, msg::info(0, 99)}));
    add("ipc_reply_refused", S::ipc_reply, E::refused,
        replying(item::cap(R::read), ep, {reply_slot, one_item}));
    add("ipc_reply_bad_flexpage", S::ipc_reply, E::bad_flexpage,
        replying(item::memory(0), spec::fpage::make(0x100800, 12, 0), {reply_slot, one_item}));
    add("ipc_reply_bad_address", S::ipc_reply, E::bad_address,
        replying(item::memory(0), spec::fpage::make(kernel_address, 21, 0), {reply_slot, one_item}));
    auto replying_to_window = [](std::uint64_t w0, std::uint64_t w1, Args a) {
        return [w0, w1, a](TestKernel& k) {
            pool_of_the_root(k);
            root_holds_reply(k);
            utcb(k.at<Thread>(k.root(), server_sel)).mem_window = spec::fpage::make(window_va, 16, 0);
            root_item(k, w0, w1);
            return Invocation{nullptr, a};
        };
    };
    for (S s : {S::ipc_reply, S::ipc_reply_recv}) {
        std::string n = s == S::ipc_reply ? "ipc_reply" : "ipc_reply_recv";
        Args a = s == S::ipc_reply ? Args{reply_slot, one_item} : Args{ep, one_item, never};
        add(n + "_not_mapped", s, E::not_mapped, replying_to_window(item::memory(0), good_fpage, a));
        add(n + "_missing_rights_page_without_grant", s, E::missing_rights,
            replying_to_window(item::memory(0), spec::fpage::make(pool + 8 * page, 12, R::read), a));
        add(n + "_mapping_conflict", s, E::mapping_conflict, [a](TestKernel& k) {
            pool_of_the_root(k);
            root_holds_reply(k);
            utcb(k.at<Thread>(k.root(), server_sel)).mem_window = spec::fpage::make(pool, 16, 0);
            root_item(k, item::memory(0x2000), spec::fpage::make(pool, 12, R::read));
            return Invocation{nullptr, a};
        });
        add(n + "_quota_exhausted_caller_cannot_pay", s, E::quota_exhausted, [a](TestKernel& k) {
            world(k);
            pool_of_the_root(k);
            child_receiver(k, 3 * 4096, true); // the child calls the root's endpoint
            utcb(k.root_thread()).reply_sel = reply_slot;
            k.call(k.root_thread(), S::ipc_recv, {ep, never});
            root_item(k, item::memory(0), spec::fpage::make(pool, 12, R::read));
            return Invocation{nullptr, a};
        });
    }

    add("notify_signal_bad_selector", S::notify_signal, E::bad_selector, in_world({spare, 1}));
    add("notify_signal_wrong_type", S::notify_signal, E::wrong_type, in_world({ep, 1}));
    add("notify_signal_missing_rights", S::notify_signal, E::missing_rights, in_world({ntf_read, 1}));
    add("notify_wait_bad_selector", S::notify_wait, E::bad_selector, in_world({spare, never}));
    add("notify_wait_wrong_type", S::notify_wait, E::wrong_type, in_world({ep, never}));
    add("notify_wait_missing_rights", S::notify_wait, E::missing_rights, in_world({ntf_write, never}));
    add("notify_wait_would_block", S::notify_wait, E::would_block, in_world({ntf, poll}));

    add("irq_ack_bad_selector", S::irq_ack, E::bad_selector, in_world({spare}));
    add("irq_ack_wrong_type", S::irq_ack, E::wrong_type, in_world({ntf}));
    add("irq_ack_missing_rights", S::irq_ack, E::missing_rights, in_world({irq_no_control}));

    add("thread_start_bad_selector", S::thread_start, E::bad_selector, in_world({spare, 0x1000, 0x2000}));
    add("thread_start_wrong_type", S::thread_start, E::wrong_type, in_world({ep, 0x1000, 0x2000}));
    add("thread_start_missing_rights", S::thread_start, E::missing_rights,
        in_world({thread_no_control, 0x1000, 0x2000}));
    add("thread_start_invalid_argument_running", S::thread_start, E::invalid_argument,
        in_world({server_sel, 0x1000, 0x2000}));
    add("thread_start_bad_address_ip", S::thread_start, E::bad_address, [](TestKernel& k) {
        world(k);
        k.ok(S::thread_stop, {server_sel});
        return Invocation{nullptr, {server_sel, kernel_address, 0x2000}};
    });
    add("thread_stop_bad_selector", S::thread_stop, E::bad_selector, in_world({spare}));
    add("thread_stop_wrong_type", S::thread_stop, E::wrong_type, in_world({ntf}));
    add("thread_stop_missing_rights", S::thread_stop, E::missing_rights, in_world({thread_no_control}));
    add("thread_set_sched_bad_selector", S::thread_set_sched, E::bad_selector, in_world({spare, 1, 0}));
    add("thread_set_sched_wrong_type", S::thread_set_sched, E::wrong_type, in_world({ep, 1, 0}));
    add("thread_set_sched_missing_rights", S::thread_set_sched, E::missing_rights,
        in_world({thread_no_control, 1, 0}));
    add("thread_set_sched_invalid_argument_priority", S::thread_set_sched, E::invalid_argument,
        in_world({server_sel, 256, 0}));
    add("thread_set_sched_invalid_argument_cpu", S::thread_set_sched, E::invalid_argument,
        in_world({server_sel, 1, 64}));
    return v;
}

[[maybe_unused]] const bool registered = add_scenarios(&ipc_scenarios);

constexpr const char* later =
    "ends a wait later, not one call's immediate result: reached by ipc.WaitEndings.*";
[[maybe_unused]] const bool pending_declared =
    add_pending(S::ipc_call, E::timeout, later) && add_pending(S::ipc_send, E::timeout, later) &&
    add_pending(S::ipc_send, E::cancelled, later) && add_pending(S::ipc_recv, E::timeout, later) &&
    add_pending(S::ipc_recv, E::cancelled, later) && add_pending(S::ipc_reply_recv, E::timeout, later) &&
    add_pending(S::ipc_reply_recv, E::cancelled, later) && add_pending(S::notify_wait, E::timeout, later) &&
    add_pending(S::notify_wait, E::cancelled, later);

} // namespace
} // namespace kernel::testing
