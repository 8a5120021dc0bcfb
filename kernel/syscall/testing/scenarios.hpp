// The table of error scenarios the syscall tests run (host only). Each scenario sets up a fresh TestKernel,
// makes one syscall and names the status docs/abi.md says it must return. kernel/syscall/errors_test.cpp runs
// every scenario as its own test (Errors/Scenarios.Returns/<name>) and checks, in one process, that every
// (syscall, error) pair the spec lists is reached by some scenario.
//
// Parts of the kernel with syscalls of their own (IPC, memory) add their scenarios from a source linked into
// kernel_syscall_tests:
//     static const bool registered = kernel::testing::add_scenarios(&my_scenarios);
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel::testing {

struct Invocation {
    Thread* thread = nullptr; ///< the caller; nullptr: the root thread
    std::vector<std::uint64_t> args;
};

struct Scenario {
    std::string name; ///< <syscall>_<error>_<variant>: letters, digits, underscores
    std::uint64_t number;
    Error expected;
    std::function<Invocation(TestKernel&)> setup;
    Options options{};
};

/// GoogleTest prints a scenario by its name.
inline void PrintTo(const Scenario& s, std::ostream* os) {
    *os << s.name;
}

using ScenarioList = std::vector<Scenario>;

/// Registers a function making scenarios; returns true (for a static initialiser).
bool add_scenarios(ScenarioList (*make)());
/// Every registered scenario.
ScenarioList all_scenarios();

/// Declares that (syscall, error) cannot be reached yet and why: the coverage test skips the pair, and
/// fails once some scenario reaches it (then the declaration must go).
bool add_pending(janus::abi::Syscall syscall, Error error, const char* reason);
struct Pending {
    std::uint64_t number;
    Error error;
    const char* reason;
};
const std::vector<Pending>& pending();

} // namespace kernel::testing
