// The kernel paths the bare-metal benchmark measures (user/bench/README.md). Each returns instructions per
// operation (0: the measurement failed; `t`'s checks say why).
#pragma once

#include "user/bench/measure.hpp"
#include "user/lib/test.hpp"

namespace bench {

/// A loop of exactly two instructions per iteration (dec, jnz): must measure 2 under -icount shift=0.
Word calibration();

/// pd_quota: the cheapest syscall that succeeds (kernel entry, dispatch, two words back, exit).
Word null_syscall(janus::user::test::Context& t);

/// thread_yield with nothing else ready at the caller's priority (entry, the run loop picking it again,
/// exit).
Word yield(janus::user::test::Context& t);

/// ipc_call from the root task to a server thread in a child domain answering with ipc_reply_recv: one word
/// each way, so both directions take the fast path (docs/ipc.md "Fast path").
Word call_reply_round_trip(janus::user::test::Context& t);

/// The same with four words each way: the fourth travels in the UTCB (the fast path copies it from UTCB to
/// UTCB; a message with typed items would take the general path, whose cost bench_ipc gives on the host).
Word call_reply_round_trip_utcb(janus::user::test::Context& t);

/// A thread in a child domain reads a page nobody mapped; the fault goes to its pager (the root task), whose
/// ipc_reply_recv maps a page there with a memory item and waits for the next fault; the thread retries.
Word page_fault_round_trip(janus::user::test::Context& t);

} // namespace bench
