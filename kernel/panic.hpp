// Kernel panic: an internal invariant broke. Never reachable from user input (see docs/abi.md).
#pragma once

#include "arch/cpu.hpp"
#include "kernel/lib/print.hpp"

namespace kernel {

[[noreturn]] void panic_stop();

template <typename... Args>
[[noreturn]] void panic(const Args&... args) {
    println("PANIC: ", args...);
    panic_stop();
}

} // namespace kernel

/// Check a kernel invariant; on failure print the expression and location and stop.
#define JANUS_ASSERT(cond)                                                                                   \
    do {                                                                                                     \
        if (!(cond)) [[unlikely]]                                                                            \
            ::kernel::panic("assertion failed: " #cond " at " __FILE__ ":",                                  \
                            static_cast<unsigned>(__LINE__));                                                \
    } while (0)
