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
namespace fpage = janus::abi::fpage;
using janus::abi::timeout_never;
using roottask::scratch;

namespace {

constexpr Sel user_ntf{1};  // the child's copy of the root's notification
constexpr Sel user_park{2}; // where it waits for good once done
constexpr Vaddr user_utcb = 0x1400'0000;
constexpr Word child_quota = 256 * 1024;
constexpr Word above_root = 200; // the root task runs at 128

volatile Word first_wait = 0;  // status + 1 of the wait that was in progress during the revoke
volatile Word first_bits = 0;  // the bits it took
volatile Word second_wait = 0; // status + 1 of the next wait through the revoked selector

[[noreturn]] void notification_user() {
    auto r = sys::notify_wait(user_ntf, timeout_never);
    first_bits = r.bits;
    first_wait = static_cast<Word>(r.error) + 1;
    second_wait = static_cast<Word>(sys::notify_wait(user_ntf, timeout_never).error) + 1;
    for (;;) sys::notify_wait(user_park, timeout_never);
}

} // namespace

JANUS_TEST(revoking_a_capability_in_use_ends_its_next_use_not_the_wait_in_progress) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ntf = scratch(1), thread = scratch(2), park = scratch(3);
    first_wait = 0;
    first_bits = 0;
    second_wait = 0;
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::notification_create(park).error, Error::ok);
    const Vaddr stack = roottask::take_pages(1);
    // The user runs above the root on the root's CPU, so each step of it below happens before the root's next
    // syscall returns, without any pause: it runs as soon as it can and stops only when it waits.
    if (CHECK_NE(stack, Vaddr{0}) && roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::cap_copy(ntf, pd, user_ntf, R::read, 0).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(park, pd, user_park, R::read, 0).error, Error::ok) &&
        CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok) &&
        CHECK_EQ(sys::thread_create(thread, pd, user_utcb, above_root, 0).error, Error::ok) &&
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&notification_user), stack + 4096).error,
                 Error::ok)) {
        CHECK_EQ(first_wait, Word{0}); // it waits
        // Its capability goes while it waits; the notification stays (the root's capability keeps it).
        CHECK_EQ(sys::cap_revoke(ntf).error, Error::ok);
        CHECK_EQ(first_wait, Word{0}); // still waiting: revocation destroys nothing
        CHECK_EQ(sys::notify_signal(ntf, 0x40).error, Error::ok);
        CHECK_EQ(first_wait, static_cast<Word>(Error::ok) + 1);
        CHECK_EQ(first_bits, Word{0x40});
        // Its next wait names the revoked selector: refused in the child, which runs on (and parks).
        CHECK_EQ(second_wait, static_cast<Word>(Error::bad_selector) + 1);
    }
    roottask::clear_scratch(4);
}
