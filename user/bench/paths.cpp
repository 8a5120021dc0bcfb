#include "user/bench/paths.hpp"

#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

namespace bench {

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace item = janus::abi::item;
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
using janus::abi::timeout_never;
using roottask::scratch;

namespace {

constexpr Sel child_ep{1};    // the endpoint the child thread serves (or faults to: it is the root's)
constexpr Sel child_reply{2}; // where the server takes reply capabilities
constexpr Vaddr child_utcb = 0x1000'0000;
constexpr Word child_quota = 1 << 20; // mappings of the page-fault run: 64 bytes each, plus page tables
constexpr Word page = 4096;

constexpr Plan syscall_plan{1'000, 10'000, 110'000};
constexpr Plan ipc_plan{1'000, 2'000, 22'000};
constexpr Plan fault_plan{16, 200, 2'200};

// ---- call + reply

/// Answers w0 + 1 with as many words as it got (1 or 4; word 3 is the UTCB's, left as it came).
[[noreturn]] void echo_server() {
    roottask::utcb_at(child_utcb).reply_sel = raw(child_reply);
    auto first = sys::ipc_recv(child_ep, timeout_never);
    Word w0 = first.w0, words = msg::words(first.info);
    for (;;) {
        auto r = sys::ipc_reply_recv(child_ep, msg::info(0, static_cast<unsigned>(words)), timeout_never,
                                     w0 + 1, 0, 0);
        w0 = r.w0, words = msg::words(r.info);
    }
}

// ---- page faults

constexpr Vaddr fault_area = 0x6000'0000; // nothing mapped here until the pager maps page after page
volatile Word fault_cost = 0;             // the faulting thread's result (it shares the image, child.hpp)

[[noreturn]] void faulter() {
    Vaddr next = fault_area;
    fault_cost = per_iteration(fault_plan, [&next](Word n) {
        for (Word i = 0; i < n; ++i, next += page) (void)*reinterpret_cast<volatile Word*>(next);
    });
    asm volatile("ud2"); // done: an exception message tells the pager to stop
    for (;;) sys::thread_yield();
}

/// Thread `thread` in domain `pd` at `entry` on a fresh stack, on CPU 0 beside the root task's thread: every
/// figure is a same-CPU one, whatever CPUs the machine has. `pager` (0: none) takes its faults and
/// exceptions.
bool start_on_cpu0(test::Context& t, Sel thread, Sel pd, void (*entry)(), Sel pager = Sel{0}) {
    const Vaddr stack = roottask::take_pages(1);
    return CHECK_NE(stack, Vaddr{0}) &&
           CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error,
                    Error::ok) &&
           CHECK_EQ(sys::thread_create(thread, pd, child_utcb, 100, 0).error, Error::ok) &&
           CHECK_EQ(sys::thread_configure(thread, pager, pager).error, Error::ok) &&
           CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(entry), stack + page).error, Error::ok);
}

} // namespace

Word calibration() {
    return per_iteration(syscall_plan, [](Word n) {
        if (n) asm volatile("1: dec %0; jnz 1b" : "+r"(n));
    });
}

Word null_syscall(test::Context& t) {
    bool ok = true;
    Word cost = per_iteration(syscall_plan, [&ok](Word n) {
        for (Word i = 0; i < n; ++i) ok &= sys::pd_quota().error == Error::ok;
    });
    return CHECK(ok) ? cost : 0;
}

Word yield(test::Context& t) {
    bool ok = true;
    Word cost = per_iteration(syscall_plan, [&ok](Word n) {
        for (Word i = 0; i < n; ++i) ok &= sys::thread_yield().error == Error::ok;
    });
    return CHECK(ok) ? cost : 0;
}

namespace {

/// ipc_call with `words` words to the echo server in a child domain, answered with as many.
Word call_reply(test::Context& t, unsigned words) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2);
    Word cost = 0;
    if (CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) && roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::read, 0).error, Error::ok) &&
        start_on_cpu0(t, thread, pd, echo_server)) {
        bool ok = true;
        cost = per_iteration(ipc_plan, [&ok, words](Word n) {
            for (Word i = 0; i < n; ++i) {
                auto r = sys::ipc_call(ep, msg::info(1, words), timeout_never, i, 0, 0);
                ok &= r.error == Error::ok && r.w0 == i + 1 && msg::words(r.info) == words;
            }
        });
        if (!CHECK(ok)) cost = 0;
    }
    roottask::clear_scratch(3);
    return cost;
}

} // namespace

Word call_reply_round_trip(test::Context& t) {
    return call_reply(t, 1);
}

Word call_reply_round_trip_utcb(test::Context& t) {
    return call_reply(t, 4);
}

Word page_fault_round_trip(test::Context& t) {
    const Sel pd = scratch(0), ep = scratch(1), thread = scratch(2), reply = scratch(3);
    const Vaddr source = roottask::take_pages(1);
    fault_cost = 0;
    // Configured before it starts: the first fault cannot come before its pager is set.
    const bool ok = CHECK_NE(source, Vaddr{0}) && CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
                    roottask::make_child(t, pd, child_quota) && start_on_cpu0(t, thread, pd, faulter, ep);
    Word faults = 0;
    if (ok) {
        // The pager: answer each fault with the source page at the faulting page, until the exception.
        auto& u = roottask::root_utcb();
        u.reply_sel = raw(reply);
        auto first = sys::ipc_recv(ep, timeout_never);
        Error error = first.error;
        Word info = first.info, address = first.w0;
        while (error == Error::ok && msg::label(info) == label::page_fault) {
            ++faults;
            u.item[0] = item::memory(address);
            u.item[1] = fpage::make(source, 12, R::read);
            auto r = sys::ipc_reply_recv(ep, msg::info(0, 0, 1), timeout_never, 0, 0, 0);
            error = r.error, info = r.info, address = r.w0;
        }
        u.reply_sel = 0;
        CHECK_EQ(error, Error::ok);
        CHECK_EQ(msg::label(info), label::exception);
        CHECK_EQ(faults, fault_plan.warm_up + fault_plan.small + fault_plan.large);
    }
    roottask::clear_scratch(4);
    return ok && faults == fault_plan.warm_up + fault_plan.small + fault_plan.large ? fault_cost : 0;
}

} // namespace bench
