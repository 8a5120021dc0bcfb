// The thread a component creates to do its work.
//
// init starts a component's first thread without saying where its UTCB is (user/lib/component.hpp names the
// domain, its pool and capabilities, not the UTCB), and a thread cannot ask the kernel. Anything that needs
// the UTCB (message words beyond three, typed items, reply_sel, the capability window) therefore runs on a
// thread the component creates itself, with its UTCB at an address it chose: the worker. The first thread
// keeps to syscalls whose arguments all travel in registers.
//
// A worker has no exception handler (the component holds no capability to init's exception endpoint): if it
// faults it stops, and the kernel prints a line. The component's first thread stays alive meanwhile, so init
// does not take a component whose worker runs for one that exited.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/abi/ipc.hpp"
#include "user/lib/abi_types.hpp"

namespace janus::components {

/// Where a component puts its workers' UTCBs: pages from here up, the first free one (mapping_conflict makes
/// thread_create try the next). init maps nothing here (the environment page is 0x30'0000'0000; ELFs load at
/// 0x400000).
inline constexpr user::Vaddr worker_utcb_base = 0x0000'0031'0000'0000;
/// Pages after worker_utcb_base tried before giving up.
inline constexpr unsigned worker_utcb_tries = 16;
/// The environment does not say the component's priority; workers take the configuration's default.
inline constexpr user::Word worker_priority = 100;

struct Worker {
    user::Sel thread;
    abi::Utcb* utcb; ///< the worker's UTCB, valid once it started
};

/// A selector of the component's own capability space that init left empty, never the same one twice
/// (counting up from the environment's free_sel; safe from several threads), or Sel{0} without an
/// environment.
user::Sel take_selector();

/// Creates a thread in the component's own domain, on its CPU, with its UTCB at the first free page from
/// worker_utcb_base, and starts it at `entry` on the stack that ends at `stack_top` (16-byte aligned).
abi::Error start_worker(void (*entry)(), void* stack_top, Worker& out);

/// Writes `text` to the kernel's debug console (debug_write), for what a component must say even when the
/// console server is not there: its setup failing.
void report(const char* text);

/// Blocks the calling thread for good (a thread that has nothing left to do but must not end its component).
[[noreturn]] void park();

} // namespace janus::components
