#include "kernel/syscall/dispatch.hpp"

#include "kernel/abi/abi.hpp"
#include "kernel/ipc/fastpath.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/panic.hpp"
#include "kernel/syscall/call.hpp"
#include "kernel/syscall/observer.hpp"

namespace kernel {

namespace spec = janus::abi;

namespace {

/// Runs the handler for `number`; `results` gets how many result registers it defines.
Error dispatch(Call& call, std::uint64_t number, std::size_t& results) {
    switch (number) {
#define JANUS_SYSCALL(number, name, meaning, inputs, outputs)                                                \
    case number:                                                                                             \
        results = spec::detail::name##_result_count;                                                         \
        return sys_##name(call);
#include "kernel/abi/abi.def"
    default:
        results = 0;
        return Error::bad_syscall;
    }
}

/// The first `count` results into their registers (r0..r5: rdi, rsi, rdx, r10, r8, r9).
void write_results(arch::UserFrame& f, const std::uint64_t* result, std::size_t count) {
    static_assert(spec::max_results == 6, "the result registers below");
    switch (count) {
    case 6:
        f.r9 = result[5];
        [[fallthrough]];
    case 5:
        f.r8 = result[4];
        [[fallthrough]];
    case 4:
        f.r10 = result[3];
        [[fallthrough]];
    case 3:
        f.rdx = result[2];
        [[fallthrough]];
    case 2:
        f.rsi = result[1];
        [[fallthrough]];
    case 1:
        f.rdi = result[0];
        [[fallthrough]];
    default:
        break;
    }
}

/// The syscall in `caller`'s saved frame, with the kernel lock held. Results go back into the frame; a
/// handler that returns ipc::in_frame has put them there itself, or will when the caller's wait ends.
void run_syscall(Kernel& kernel, Thread& caller) {
    arch::UserFrame& f = caller.frame;
#if JANUS_HOSTED
    const SyscallRegs in{f.rax, f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9};
#endif
    Error status = ipc::in_frame;
    if (!kernel.ipc_fastpath || !ipc::fastpath_candidate(f.rax) || !ipc::fastpath(kernel, caller)) {
        Call call{kernel, caller, *caller.pd, {f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9}};
        std::size_t results = 0;
        status = dispatch(call, f.rax, results);
        if (status != ipc::in_frame) {
            f.rax = static_cast<std::uint64_t>(status);
            if (status == Error::ok) write_results(f, call.result, results);
        }
    }
    if (status == ipc::in_frame && caller.ipc.wait == Wait::none && caller.ipc.life == Life::active)
        status = static_cast<Error>(f.rax); // it finished at once
    io_finish(kernel); // a port capability that went away takes its access from every CPU now
#if JANUS_HOSTED
    if (kernel.observer) {
        const SyscallRegs out{f.rax, f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9};
        kernel.observer->after_syscall(kernel, caller, in, out, status);
    }
#endif
}

} // namespace

void syscall_in_frame(Thread& caller) {
    run_syscall(*caller.pd->kernel, caller);
}

void syscall(Thread& caller, SyscallRegs& regs) {
    Kernel& kernel = *caller.pd->kernel;
    SpinGuard guard(kernel.lock);
    // Only a thread on a CPU enters the kernel; the run loop never runs a waiting one (a test that drives a
    // waiting thread as an actor is broken).
    JANUS_ASSERT(caller.ipc.wait == Wait::none);
    arch::UserFrame& f = caller.frame;
    f.rax = regs.rax;
    f.rdi = regs.rdi;
    f.rsi = regs.rsi;
    f.rdx = regs.rdx;
    f.r10 = regs.r10;
    f.r8 = regs.r8;
    f.r9 = regs.r9;
    run_syscall(kernel, caller);
    regs = SyscallRegs{f.rax, f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9};
}

bool status_allowed(std::uint64_t number, Error status) {
    const spec::SyscallSpec* s = spec::find(number);
    if (!s) return status == Error::bad_syscall;
    if (status == Error::ok) return true;
    auto bit = static_cast<std::uint64_t>(status);
    return bit < 64 && (s->error_mask >> bit & 1);
}

} // namespace kernel
