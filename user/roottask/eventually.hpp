// Waiting for another thread's progress without betting on how fast the machine runs.
//
// Under QEMU TCG on a loaded host the guest's clock runs on while QEMU is descheduled, so "pause 5 ms, then
// the other thread has surely got there" fails now and then. A test that needs another thread to reach a
// point polls for it instead: eventually() naps 1 ms at a time on a notification the caller owns (the root
// task's priority is above its test threads', so it must block for them to run) until the condition holds,
// giving up after about a second.
#pragma once

#include "user/lib/abi_types.hpp"
#include "user/lib/syscall.hpp"
#include "user/roottask/child.hpp"

namespace roottask {

/// True once `done()` holds, checked first at once and then after each 1 ms nap on notification `pause`
/// (which nobody signals); false if it still does not after about `limit` ns.
template <typename Done>
bool eventually(janus::user::Sel pause, Done done, janus::user::Word limit = second) {
    for (janus::user::Word waited = 0; waited < limit; waited += millisecond) {
        if (done()) return true;
        (void)janus::user::sys::notify_wait(pause, millisecond);
    }
    return done();
}

} // namespace roottask
