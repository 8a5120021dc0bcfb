// What the kernel gave the root task at start (docs/abi.md "At boot"), for tests that need more than
// syscalls on the root's own capabilities: the pool of free memory, and with it child domains and threads.
//
// The same ELF also runs in Unicorn against a fake kernel and against the kernel's dispatcher without a
// scheduler (user/runtime_test.cpp); there the start words do not name the pool, and tests that need other
// threads say so and stop at once (REQUIRE_BOOT), passing with a note instead of waiting forever.
#pragma once

#include <cstdint>

#include "user/lib/abi_types.hpp"
#include "user/lib/start.hpp"

namespace roottask {

using janus::user::Vaddr;

void set_start(const janus::user::StartInfo& start);

/// Whether the kernel booted this root task: its start words name the pool where docs/abi.md puts it.
bool booted();

/// The CPUs the kernel runs on (the third start word), at least 1.
std::uint64_t cpus();

/// A CPU for the next thread a test starts: round robin over every CPU, the last first, so that on a machine
/// with several CPUs test threads run beside the root task's first thread (CPU 0) and their IPC, faults and
/// revocations cross CPUs; on one CPU always 0.
std::uint64_t next_cpu();

/// The last CPU: another one than the root task's first thread's (CPU 0) wherever there are two.
inline std::uint64_t other_cpu() {
    return cpus() - 1;
}

/// `pages` fresh, zeroed pages of the pool (mapped read/write with grant in the root's space; never handed
/// out twice), or 0 if the pool is exhausted or absent.
Vaddr take_pages(std::uint64_t pages);

} // namespace roottask

/// First statement of a test that needs the kernel's boot environment (other threads, the pool).
#define REQUIRE_BOOT()                                                                                       \
    do {                                                                                                     \
        if (!::roottask::booted()) {                                                                         \
            t.note("not run: needs the kernel's boot environment (pool, other threads)");                    \
            return;                                                                                          \
        }                                                                                                    \
    } while (0)
