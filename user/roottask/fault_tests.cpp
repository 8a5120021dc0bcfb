// CPU exceptions of ring-3 threads (docs/ipc.md "Faults"): delivered as messages to the exception handler,
// answered with a new ip; without a handler the thread stops and everything else runs on. And the console
// syscall's refusals (docs/abi.md, debug_write).
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
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Vaddr thread_utcb = 0x1100'0000;
constexpr Word child_quota = 256 * 1024;
volatile Word progress = 0;

[[noreturn]] void invalid_opcode() {
    progress = 1;
    asm volatile("ud2");
    for (;;) sys::thread_yield();
}

[[noreturn]] void divide_by_zero() {
    progress = 2;
    volatile Word zero = 0;
    volatile Word quotient = 10 / zero;
    (void)quotient;
    for (;;) sys::thread_yield();
}

bool inside(Word ip, void (*f)()) {
    return ip >= reinterpret_cast<Vaddr>(f) && ip < reinterpret_cast<Vaddr>(f) + 64;
}

/// Thread scratch(2) in a new child domain scratch(0), exception handler `handler` (0: none), started at
/// `entry` on a fresh stack; returns the stack top (0 on failure).
Vaddr faulting_thread(test::Context& t, Sel handler, void (*entry)()) {
    const Sel pd = scratch(0), thread = scratch(2);
    const Vaddr stack = roottask::take_pages(1);
    if (!CHECK_NE(stack, Vaddr{0}) || !roottask::make_child(t, pd, child_quota)) return 0;
    if (!CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok) ||
        !CHECK_EQ(sys::thread_create(thread, pd, thread_utcb, 100, roottask::next_cpu()).error, Error::ok) ||
        !CHECK_EQ(sys::thread_configure(thread, Sel{0}, handler).error, Error::ok) ||
        !CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(entry), stack + 4096).error, Error::ok))
        return 0;
    return stack + 4096;
}

} // namespace

JANUS_TEST(exceptions_reach_the_handler_which_may_resume_elsewhere) {
    REQUIRE_BOOT();
    const Sel ep = scratch(1), handler = scratch(3), reply = scratch(4);
    progress = 0;
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, handler, R::all, 0x66).error, Error::ok);
    const Vaddr stack = faulting_thread(t, handler, invalid_opcode);
    auto& u = roottask::root_utcb();
    u.reply_sel = raw(reply);
    if (stack) {
        auto r = sys::ipc_recv(ep, second);
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(msg::label(r.info), label::exception);
            CHECK(r.info & msg::call_flag);
            CHECK_EQ(r.badge, Word{0x66}); // the badge of the capability the handler was set from
            CHECK_EQ(r.w0, Word{6});       // #UD
            CHECK(inside(r.w2, invalid_opcode));
            CHECK_EQ(progress, Word{1});
            // Resume it at another function: word 0 is the new ip, word 1 the new sp.
            CHECK_EQ(
                sys::ipc_reply(reply, msg::info(0, 2), reinterpret_cast<Vaddr>(&divide_by_zero), stack, 0)
                    .error,
                Error::ok);
            r = sys::ipc_recv(ep, second);
            if (CHECK_EQ(r.error, Error::ok)) {
                CHECK_EQ(r.w0, Word{0}); // #DE
                CHECK(inside(r.w2, divide_by_zero));
                CHECK_EQ(progress, Word{2});
            }
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(5);
}

JANUS_TEST(an_exception_without_handler_stops_only_that_thread) {
    REQUIRE_BOOT();
    const Sel pause = scratch(1), thread = scratch(2);
    progress = 0;
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (const Vaddr stack = faulting_thread(t, Sel{0}, invalid_opcode)) {
        CHECK(roottask::eventually(pause, [] { return progress == 1; }));
        // Stopped, not dead: thread_start accepts only a new or stopped thread (it refuses until the thread
        // has reached its ud2).
        CHECK(roottask::eventually(pause, [&] {
            return sys::thread_start(thread, reinterpret_cast<Vaddr>(&divide_by_zero), stack).error ==
                   Error::ok;
        }));
        // It ran again (and stopped again at its #DE).
        CHECK(roottask::eventually(pause, [] { return progress == 2; }));
    }
    roottask::clear_scratch(3);
}

JANUS_TEST(debug_write_refuses_what_is_not_the_callers_memory) {
    static const char text[] = "x";
    CHECK_EQ(sys::debug_write(0xffff'ffff'8000'0000, 1).error, Error::bad_address);
    CHECK_EQ(sys::debug_write(janus::abi::user_end - 1, 2).error, Error::bad_address);
    CHECK_EQ(sys::debug_write(reinterpret_cast<Word>(text), janus::abi::debug_write_max + 1).error,
             Error::invalid_argument);
    CHECK_EQ(sys::debug_write(0x10, 1).error, Error::not_mapped); // page 0 is never mapped
}
