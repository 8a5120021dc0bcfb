#include "kernel/syscall/dispatch.hpp"

#include "kernel/abi/abi.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
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

} // namespace

void syscall(Thread& caller, SyscallRegs& regs) {
    Pd& pd = *caller.pd;
    Kernel& kernel = *pd.kernel;
    SpinGuard guard(kernel.lock);

#if JANUS_HOSTED
    const SyscallRegs in = regs;
#endif
    Call call{kernel, caller, pd, {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9}};
    std::size_t results = 0;
    Error status = dispatch(call, regs.rax, results);

    regs.rax = static_cast<std::uint64_t>(status);
    if (status == Error::ok) {
        std::uint64_t* out[spec::max_results] = {&regs.rdi, &regs.rsi, &regs.rdx};
        for (std::size_t i = 0; i < results; ++i) *out[i] = call.result[i];
    }
#if JANUS_HOSTED
    if (kernel.observer) kernel.observer->after_syscall(kernel, caller, in, regs, status);
#endif
}

bool status_allowed(std::uint64_t number, Error status) {
    const spec::SyscallSpec* s = spec::find(number);
    if (!s) return status == Error::bad_syscall;
    if (status == Error::ok) return true;
    auto bit = static_cast<std::uint64_t>(status);
    return bit < 64 && (s->error_mask >> bit & 1);
}

} // namespace kernel
