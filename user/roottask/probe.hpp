// Running a short probe thread and learning how it ended: a thread in some domain whose exception handler is
// the root runs one function, which ends with an exception on purpose (ud2 once it got through) or faults on
// the way (a #GP at a port it may not use, a #PF at a page it lost). The vector the root receives says which.
#pragma once

#include "user/lib/abi_types.hpp"
#include "user/lib/test.hpp"

namespace roottask {

/// Thread scratch(12) in domain `pd` (the root's own, or a child sharing the image: child.hpp), with the
/// root's endpoint scratch(10) as exception handler and its UTCB at `utcb` in `pd`, runs `entry` on CPU `cpu`
/// with a fresh pool page as stack; returns the vector of the first exception it raised, or ~0 if none came
/// within a second. The thread, the endpoint and scratch(11) (the reply slot) are empty again afterwards.
janus::user::Word run_probe(janus::user::test::Context& t, janus::user::Sel pd, void (*entry)(),
                            janus::user::Word cpu, janus::user::Vaddr utcb);

} // namespace roottask
