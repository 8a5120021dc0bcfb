#include "kernel/syscall/dispatch.hpp"

#include "kernel/abi/abi.hpp"
#include "kernel/ipc/fastpath.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/observer.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/panic.hpp"
#include "kernel/syscall/call.hpp"

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

/// The first `count` results into their registers (r0..r5).
/// (Unrolled: the slow path of every syscall with results runs it.)
void write_results(arch::UserFrame& f, const std::uint64_t* result, std::size_t count) {
    static_assert(spec::max_results == 6, "the cases below");
    switch (count) {
    case 6:
        arch::syscall_result(f, 5) = result[5];
        [[fallthrough]];
    case 5:
        arch::syscall_result(f, 4) = result[4];
        [[fallthrough]];
    case 4:
        arch::syscall_result(f, 3) = result[3];
        [[fallthrough]];
    case 3:
        arch::syscall_result(f, 2) = result[2];
        [[fallthrough]];
    case 2:
        arch::syscall_result(f, 1) = result[1];
        [[fallthrough]];
    case 1:
        arch::syscall_result(f, 0) = result[0];
        [[fallthrough]];
    default:
        break;
    }
}

/// The syscall in `caller`'s saved frame, with the kernel lock held. Results go back into the frame; a
/// handler that returns ipc::in_frame has put them there itself, or will when the caller's wait ends.
void run_syscall(Kernel& kernel, Thread& caller) {
    arch::UserFrame& f = caller.frame;
    SyscallObserver* const observer = syscall_observer(kernel); // never one on bare metal
    const SyscallRegs in = observer ? SyscallRegs::of(f) : SyscallRegs{};
    Error status = ipc::in_frame;
    const std::uint64_t number = arch::syscall_number(f);
    if (!ipc_fastpath_on(kernel) || !ipc::fastpath_candidate(number) || !ipc::fastpath(kernel, caller)) {
        Call call{kernel,
                  caller,
                  *caller.pd,
                  {arch::syscall_arg(f, 0), arch::syscall_arg(f, 1), arch::syscall_arg(f, 2),
                   arch::syscall_arg(f, 3), arch::syscall_arg(f, 4), arch::syscall_arg(f, 5)}};
        std::size_t results = 0;
        status = dispatch(call, number, results);
        if (status != ipc::in_frame) {
            arch::syscall_status(f) = static_cast<std::uint64_t>(status);
            if (status == Error::ok) write_results(f, call.result, results);
        }
    }
    if (status == ipc::in_frame && caller.ipc.wait == Wait::none && caller.ipc.life == Life::active)
        status = static_cast<Error>(arch::syscall_status(f)); // it finished at once
    io_finish(kernel.io); // a port capability that went away takes its access from every CPU now
    if (observer) observer->after_syscall(kernel, caller, in, SyscallRegs::of(f), status);
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
    regs.enter(caller.frame);
    run_syscall(kernel, caller);
    regs = SyscallRegs::of(caller.frame);
}

bool status_allowed(std::uint64_t number, Error status) {
    const spec::SyscallSpec* s = spec::find(number);
    if (!s) return status == Error::bad_syscall;
    if (status == Error::ok) return true;
    auto bit = static_cast<std::uint64_t>(status);
    return bit < 64 && (s->error_mask >> bit & 1);
}

} // namespace kernel
