#include "kernel/boot_root/run_root.hpp"

#include "kernel/entry/kernel_host.hpp"
#include "kernel/lib/print.hpp"

namespace kernel {

arch::ExitStatus run_root(Kernel& kernel, RootSession& session) {
    run_cpu(kernel, session);
    if (session.end() == RootSession::End::exited) {
        const bool passed = session.status() == 0;
        println("Janus: the root task exited with status ", session.status(),
                passed ? " (success)" : " (failure)");
        return passed ? arch::ExitStatus::success : arch::ExitStatus::failure;
    }
    println("Janus: the root task failed");
    return arch::ExitStatus::failure;
}

void join_root(Kernel& kernel, RootSession& session) {
    run_cpu(kernel, session);
}

} // namespace kernel
