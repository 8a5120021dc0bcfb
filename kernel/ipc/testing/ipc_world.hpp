// IpcWorld: a TestKernel with threads driven as logical actors for IPC tests (host only).
//
// Each "thread" is a real kernel Thread; a test makes it enter the kernel by calling the dispatcher for it
// (exactly what the run loop does after run_user returns), then looks at its saved frame: a syscall that
// waits leaves the frame alone and the outcome appears there when the wait ends. Time is the scheduler's
// clock; advance() moves it and fires due timeouts as the run loop would.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "kernel/abi/ipc.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel::testing {

namespace msg = janus::abi::msg;
using janus::abi::Utcb;

inline constexpr std::uint64_t never = janus::abi::timeout_never;
inline constexpr std::uint64_t poll = janus::abi::timeout_poll;

/// What a receive-type syscall left in a thread's frame (status, info, badge, words 0..2).
struct Received {
    Error status;
    std::uint64_t info, badge, w[3];
};

class IpcWorld {
public:
    explicit IpcWorld(const Options& o = {}) : tk_(o) {}

    // The TestKernel's own interface.
    Kernel& kernel() { return tk_.kernel(); }
    Pd& root() { return tk_.root(); }
    bool clean() const { return tk_.clean(); }
    Object* object_at(Pd& pd, std::uint64_t sel) { return tk_.object_at(pd, sel); }
    template <typename T>
    T& at(Pd& pd, std::uint64_t sel) {
        return tk_.at<T>(pd, sel);
    }
    Outcome call(Thread& t, spec::Syscall s, std::initializer_list<std::uint64_t> args) {
        return tk_.call(t, s, args);
    }
    Outcome call(spec::Syscall s, std::initializer_list<std::uint64_t> args) { return tk_.call(s, args); }
    Outcome ok(spec::Syscall s, std::initializer_list<std::uint64_t> args) { return tk_.ok(s, args); }
    Thread& child_with_thread(std::uint64_t sel, std::uint64_t quota) {
        return tk_.child_with_thread(sel, quota);
    }

    /// A started thread in the root domain at root selector `sel` with its UTCB at `utcb`.
    Thread& thread(std::uint64_t sel, std::uint64_t utcb, std::uint32_t priority = 100,
                   std::uint32_t cpu = 0) {
        ok(spec::Syscall::thread_create, {sel, spec::root_sel::pd, utcb, priority, cpu});
        ok(spec::Syscall::thread_start, {sel, 0x400000, 0x7ff000});
        return at<Thread>(root(), sel);
    }
    static Utcb& utcb(Thread& t) { return *static_cast<Utcb*>(t.utcb_page); }

    /// An endpoint (or notification) at root selector `sel`.
    void endpoint(std::uint64_t sel) { ok(spec::Syscall::endpoint_create, {sel}); }
    void notification(std::uint64_t sel) { ok(spec::Syscall::notification_create, {sel}); }
    /// A copy of root capability `src` at root selector `dest` with `rights` and `badge`.
    void copy(std::uint64_t src, std::uint64_t dest, std::uint64_t rights, std::uint64_t badge = 0) {
        ok(spec::Syscall::cap_copy, {src, spec::root_sel::pd, dest, rights, badge});
    }

    // Syscalls of a thread; the returned status is rax right after (the syscall number while it waits).
    Error send(Thread& t, std::uint64_t ep, std::uint64_t info, std::uint64_t timeout = never,
               std::initializer_list<std::uint64_t> w = {}) {
        return six(t, spec::Syscall::ipc_send, ep, info, timeout, w);
    }
    Error call_ep(Thread& t, std::uint64_t ep, std::uint64_t info, std::uint64_t timeout = never,
                  std::initializer_list<std::uint64_t> w = {}) {
        return six(t, spec::Syscall::ipc_call, ep, info, timeout, w);
    }
    Error reply_recv(Thread& t, std::uint64_t ep, std::uint64_t info, std::uint64_t timeout = never,
                     std::initializer_list<std::uint64_t> w = {}) {
        return six(t, spec::Syscall::ipc_reply_recv, ep, info, timeout, w);
    }
    Error recv(Thread& t, std::uint64_t ep, std::uint64_t timeout = never) {
        return call(t, spec::Syscall::ipc_recv, {ep, timeout}).status;
    }
    Error reply(Thread& t, std::uint64_t reply_sel, std::uint64_t info,
                std::initializer_list<std::uint64_t> w = {}) {
        std::uint64_t a[3] = {};
        std::size_t i = 0;
        for (std::uint64_t v : w) a[i++] = v;
        return call(t, spec::Syscall::ipc_reply, {reply_sel, info, a[0], a[1], a[2]}).status;
    }

    /// The receive registers in `t`'s frame.
    static Received received(const Thread& t) {
        const arch::UserFrame& f = t.frame;
        return Received{static_cast<Error>(f.rax), f.rdi, f.rsi, {f.rdx, f.r10, f.r8}};
    }
    /// Whether `t` is waiting (its syscall has no outcome yet).
    static bool waiting(const Thread& t) { return t.ipc.wait != Wait::none; }

    /// Time passes: the scheduler's clock moves by `ns` and due timeouts fire, as the run loop does.
    void advance(std::uint64_t ns) {
        Kernel& k = kernel();
        SpinGuard guard(k.lock);
        k.sched.set_now(k.sched.now() + ns);
        for (unsigned cpu = 0; cpu < k.sched.cpu_count(); ++cpu)
            while (sched::Entity* e = k.sched.pop_expired(cpu)) ipc::timed_out(k, static_cast<Thread&>(*e));
    }

private:
    TestKernel tk_;

    Error six(Thread& t, spec::Syscall s, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
              std::initializer_list<std::uint64_t> w) {
        std::uint64_t a[3] = {};
        std::size_t i = 0;
        for (std::uint64_t v : w) a[i++] = v;
        return call(t, s, {a0, a1, a2, a[0], a[1], a[2]}).status;
    }
};

} // namespace kernel::testing
