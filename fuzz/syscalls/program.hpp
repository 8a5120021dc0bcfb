// The syscall program generator: turns fuzzer input into steps on a Sandbox, drawn from the ABI spec table
// (janus::abi::syscalls), so a syscall added to kernel/abi/abi.def is fuzzed without touching this code.
//
// Input: records of `record_bytes` bytes, one step each (a short last record is padded with zeros).
//   [0]      what: syscall index in the spec table, an unknown syscall number, or an event (time passes, an
//            interrupt line fires, user space writes its UTCB)
//   [1]      which actor (among those that can enter the kernel now)
//   [2..13]  six argument choices of two bytes: a mode byte and a value byte
//   [14..15] extra entropy for wide literals (badges, message words, addresses)
// Arguments are typed by the spec (ArgType) and by their names: selectors mostly name live capabilities of
// the type the argument wants, in the space it is looked up in (a `dest` after a `pd` argument is a slot of
// that domain), like syzkaller's resources; sometimes an empty slot, one of another type, or a forged number.
// Rights are subsets of the source's with a bit too many or reserved bits now and then; flexpages and
// addresses sit on the edges (orders 11/12/21/22, misaligned, at the user/kernel boundary, on UTCB pages);
// words come from small numbers, boundary values, powers of two and message info words, and a `quota` now
// and then leaves the caller almost nothing (the way to an exhausted caller).
#pragma once

#include <cstddef>
#include <cstdint>

#include "fuzz/syscalls/sandbox.hpp"

namespace fuzzsys {

inline constexpr std::size_t record_bytes = 16;

/// Decodes one record into a step for the sandbox (whose kernel state picks the selectors) and runs it.
/// `cpu_filter`: only actors whose thread is on that CPU are chosen (the smp target); -1 for any.
void run_record(Sandbox& w, const std::uint8_t (&record)[record_bytes], int cpu_filter = -1);

/// Whether the record's step is made by an actor (a syscall or a UTCB write, not an event), and whether some
/// actor could make it now (on CPU `cpu_filter`, or any for -1).
bool needs_actor(const std::uint8_t (&record)[record_bytes]);
bool actor_available(Sandbox& w, int cpu_filter);

/// Runs every record of `data` on `w` (which the caller has reset) in order.
void run_program(Sandbox& w, const std::uint8_t* data, std::size_t size);

/// How many choices the first byte of a record selects among (spec syscalls, one unknown number, events).
std::size_t step_kinds();

} // namespace fuzzsys
