// Child protection domains and threads for the ring-3 tests.
//
// A child domain shares the root task's image: every page of it is mapped into the child at the same address
// with the page's own rights (text r-x, rodata r--, data and bss rw-), so any function of this program can
// run as a thread there, with the child's capability space. Child code must not rely on anything else of the
// root (its stack, its UTCB); results it wants to show the root go through IPC or shared globals (volatile).
#pragma once

#include <cstdint>

#include "kernel/abi/ipc.hpp"
#include "user/lib/abi_types.hpp"
#include "user/lib/test.hpp"

namespace roottask {

using janus::user::Sel;
using janus::user::Vaddr;
using janus::user::Word;

/// Creates domain `pd` (in the root's space) with `quota` bytes and 2^6 slots, sharing the root's image.
bool make_child(janus::user::test::Context& t, Sel pd, Word quota);

/// Creates thread `thread` (in the root's space) in domain `pd` with its UTCB at `utcb` and priority `prio`
/// on the CPU next_cpu() picks (env.hpp), and starts it at `entry` on a fresh pool page as stack (mapped into
/// `pd` at the pool address). Threads of tests run below the root task's priority (128), so a test thread
/// that spins never starves the suite.
bool start_thread(janus::user::test::Context& t, Sel thread, Sel pd, Vaddr utcb, void (*entry)(),
                  Word prio = 100);
/// The same on CPU `cpu` (< cpus()).
bool start_thread_on(janus::user::test::Context& t, Sel thread, Sel pd, Vaddr utcb, void (*entry)(),
                     Word prio, Word cpu);

/// The UTCB of the calling thread, given where it was put.
inline janus::abi::Utcb& utcb_at(Vaddr va) {
    return *reinterpret_cast<janus::abi::Utcb*>(va);
}

/// The root task's first thread's UTCB (docs/abi.md).
inline janus::abi::Utcb& root_utcb() {
    return utcb_at(janus::abi::root_mem::utcb);
}

/// One second and one millisecond, in the ABI's timeout unit.
inline constexpr Word second = 1'000'000'000;
inline constexpr Word millisecond = 1'000'000;

} // namespace roottask
