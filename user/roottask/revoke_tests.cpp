// Revoking a capability while another domain uses it (issue 5's hostile cases; docs/abi.md cap_revoke,
// docs/objects.md): revocation removes capabilities, never objects, so a wait already in progress on the
// object goes on and ends normally, and the next use of the revoked selector is a defined error
// (bad_selector) in the using domain, with nothing left dangling. Only when the object itself dies do waiters
// get `cancelled`.
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
using janus::abi::timeout_never;
using roottask::millisecond;
using roottask::scratch;

namespace {

constexpr Sel user_ntf{1}; // the child's copy of the root's notification
constexpr Vaddr user_utcb = 0x1400'0000;
constexpr Word child_quota = 256 * 1024;

volatile Word first_wait = 0;  // status + 1 of the wait that was in progress during the revoke
volatile Word first_bits = 0;  // the bits it took
volatile Word second_wait = 0; // status + 1 of the next wait through the revoked selector

[[noreturn]] void notification_user() {
    auto r = sys::notify_wait(user_ntf, timeout_never);
    first_bits = r.bits;
    first_wait = static_cast<Word>(r.error) + 1;
    second_wait = static_cast<Word>(sys::notify_wait(user_ntf, timeout_never).error) + 1;
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(revoking_a_capability_in_use_ends_its_next_use_not_the_wait_in_progress) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ntf = scratch(1), thread = scratch(2), pause = scratch(3);
    first_wait = 0;
    first_bits = 0;
    second_wait = 0;
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::cap_copy(ntf, pd, user_ntf, R::read, 0).error, Error::ok) &&
        roottask::start_thread(t, thread, pd, user_utcb, notification_user)) {
        // The user (below the root's priority) reaches its wait while the root pauses.
        CHECK_EQ(sys::notify_wait(pause, 5 * millisecond).error, Error::timeout);
        CHECK_EQ(first_wait, Word{0});
        // Its capability goes while it waits; the notification stays (the root's capability keeps it).
        CHECK_EQ(sys::cap_revoke(ntf).error, Error::ok);
        CHECK_EQ(sys::notify_wait(pause, 5 * millisecond).error, Error::timeout);
        CHECK_EQ(first_wait, Word{0}); // still waiting: revocation destroys nothing
        CHECK_EQ(sys::notify_signal(ntf, 0x40).error, Error::ok);
        CHECK_EQ(sys::notify_wait(pause, 5 * millisecond).error, Error::timeout);
        CHECK_EQ(first_wait, static_cast<Word>(Error::ok) + 1);
        CHECK_EQ(first_bits, Word{0x40});
        // The next wait names the revoked selector: refused in the child, which runs on.
        CHECK_EQ(second_wait, static_cast<Word>(Error::bad_selector) + 1);
    }
    roottask::clear_scratch(4);
}
