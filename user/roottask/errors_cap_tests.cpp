// Every documented error of the capability syscalls (cap_copy, cap_grant, cap_revoke, cap_delete, cap_info)
// and pd_quota, reached from ring 3 (docs/abi.md, "Which error wins"). A failed copy or grant leaves the
// destination empty and the source as it was (type, rights, badge); a failed delete or revoke leaves the
// capability in place.
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/checks.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
using janus::abi::ObjectType;
namespace R = janus::abi::rights;
using roottask::scratch;

namespace {

constexpr Word huge = ~Word{0};
constexpr Sel beyond_space{4096};

constexpr Word type_of(ObjectType t) {
    return static_cast<Word>(t);
}

/// `sel` names an endpoint with `rights` and `badge`.
bool is_endpoint(Sel sel, Word rights, Word badge) {
    auto r = sys::cap_info(sel);
    return r.ok() && r.type == type_of(ObjectType::endpoint) && r.rights == rights && r.badge == badge;
}

using CopyOrGrant = Error (*)(Sel src, Sel pd, Sel dest, Word rights, Word badge);

Error do_copy(Sel src, Sel pd, Sel dest, Word rights, Word badge) {
    return sys::cap_copy(src, pd, dest, rights, badge).error;
}
Error do_grant(Sel src, Sel pd, Sel dest, Word rights, Word) {
    return sys::cap_grant(src, pd, dest, rights).error;
}

struct Status {
    Error error;
};

/// The errors cap_copy and cap_grant share (their checks are the same, docs/abi.md).
void shared_transfer_errors(test::Context& t, CopyOrGrant op) {
    const Sel ep = scratch(0), no_grant = scratch(1), pd_nc = scratch(2), narrow = scratch(3),
              small_pd = scratch(4), dest = scratch(5);
    auto call = [&](Sel src, Sel pd, Sel d, Word rights) { return Status{op(src, pd, d, rights, 0)}; };
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, no_grant, R::read | R::write, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, pd_nc, R::all & ~R::control, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, narrow, R::read | R::grant, 0).error, Error::ok);
    CHECK_EQ(sys::pd_create(small_pd, 0, 4).error, Error::ok); // 16 slots
    CHECK_FAILS(call(scratch(9), root::own_pd, dest, R::all), Error::bad_selector);
    CHECK_FAILS(call(Sel{0}, root::own_pd, dest, R::all), Error::bad_selector);
    CHECK_FAILS(call(ep, scratch(9), dest, R::all), Error::bad_selector);
    CHECK_FAILS(call(ep, Sel{huge}, dest, R::all), Error::bad_selector);
    CHECK_FAILS(call(ep, root::own_pd, Sel{0}, R::all), Error::bad_selector);
    CHECK_FAILS(call(ep, root::own_pd, beyond_space, R::all), Error::bad_selector);
    CHECK_FAILS(call(ep, small_pd, Sel{16}, R::all), Error::bad_selector); // beyond the target's space
    CHECK_FAILS(call(ep, root::own_pd, root::irq_control, R::all), Error::slot_occupied);
    CHECK_FAILS(call(ep, root::own_thread, dest, R::all), Error::wrong_type);
    CHECK_FAILS(call(ep, ep, dest, R::all), Error::wrong_type);
    CHECK_FAILS(call(no_grant, root::own_pd, dest, R::read), Error::missing_rights);
    CHECK_FAILS(call(ep, pd_nc, dest, R::all), Error::missing_rights);
    CHECK_FAILS(call(narrow, root::own_pd, dest, R::read | R::write), Error::missing_rights);
    CHECK_FAILS(call(ep, root::own_pd, dest, R::all | 0x20), Error::invalid_argument);
    CHECK_FAILS(call(ep, root::own_pd, dest, huge), Error::invalid_argument);
    CHECK_FAILS(call(ep, root::own_pd, ep, R::all), Error::self_reference);
    // Another capability to the root's domain names the same space: still the source's own slot.
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, scratch(6), R::all, 0).error, Error::ok);
    CHECK_FAILS(call(ep, scratch(6), ep, R::all), Error::self_reference);
    CHECK_EMPTY(dest);
    // Every source as it was.
    CHECK(is_endpoint(ep, R::all, 0));
    CHECK(is_endpoint(no_grant, R::read | R::write, 0));
    CHECK(is_endpoint(narrow, R::read | R::grant, 0));
    roottask::clear_scratch(7);
}

} // namespace

JANUS_TEST(cap_copy_errors_from_ring3) {
    REQUIRE_BOOT();
    shared_transfer_errors(t, do_copy);
}

JANUS_TEST(cap_grant_errors_from_ring3) {
    REQUIRE_BOOT();
    shared_transfer_errors(t, do_grant);
}

JANUS_TEST(cap_copy_badge_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel ep = scratch(0), badged = scratch(1), dest = scratch(2), ntf = scratch(3);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ep, root::own_pd, badged, R::all, 7).error, Error::ok);
    // Only an unbadged endpoint capability takes a badge.
    CHECK_FAILS(sys::cap_copy(badged, root::own_pd, dest, R::all, 9), Error::invalid_argument);
    CHECK_FAILS(sys::cap_copy(ntf, root::own_pd, dest, R::all, 9), Error::invalid_argument);
    CHECK_FAILS(sys::cap_copy(root::own_thread, root::own_pd, dest, R::all, 1), Error::invalid_argument);
    CHECK_FAILS(sys::cap_copy(root::irq_control, root::own_pd, dest, R::all, huge), Error::invalid_argument);
    CHECK_EMPTY(dest);
    CHECK(is_endpoint(badged, R::all, 7));
    // Badge 0 copies keep the source's badge.
    CHECK_EQ(sys::cap_copy(badged, root::own_pd, dest, R::write, 0).error, Error::ok);
    CHECK(is_endpoint(dest, R::write, 7));
    roottask::clear_scratch(4);
}

JANUS_TEST(cap_grant_of_a_boot_capability_to_its_own_slot_is_refused) {
    REQUIRE_BOOT();
    // Granting the root's thread or domain capability into its own slot would empty and refill it.
    CHECK_FAILS(sys::cap_grant(root::own_thread, root::own_pd, root::own_thread, R::all),
                Error::self_reference);
    CHECK_FAILS(sys::cap_grant(root::own_pd, root::own_pd, root::own_pd, R::read), Error::self_reference);
    CHECK_EQ(sys::cap_info(root::own_pd).rights, R::all);
    CHECK_EQ(sys::cap_info(root::own_thread).rights, R::all);
}

JANUS_TEST(cap_revoke_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_FAILS(sys::cap_revoke(Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::cap_revoke(scratch(9)), Error::bad_selector);
    CHECK_FAILS(sys::cap_revoke(beyond_space), Error::bad_selector);
    CHECK_FAILS(sys::cap_revoke(Sel{huge}), Error::bad_selector);
    CHECK_FAILS(sys::cap_revoke(Sel{Word{1} << 32 | 1}), Error::bad_selector); // no truncation to 32 bits
    // Revoking a capability without children is fine and changes nothing.
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    const Word spare = roottask::spare_quota();
    CHECK_EQ(sys::cap_revoke(scratch(0)).error, Error::ok);
    CHECK(is_endpoint(scratch(0), R::all, 0));
    CHECK_EQ(roottask::spare_quota(), spare);
    roottask::clear_scratch(1);
}

JANUS_TEST(cap_delete_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_FAILS(sys::cap_delete(scratch(9)), Error::bad_selector);
    CHECK_FAILS(sys::cap_delete(beyond_space), Error::bad_selector);
    CHECK_FAILS(sys::cap_delete(Sel{Word{1} << 32 | 1}), Error::bad_selector);
    CHECK_FAILS(sys::cap_delete(root::own_pd), Error::self_reference);
    CHECK_FAILS(sys::cap_delete(root::own_thread), Error::self_reference);
    // A copy of the root's own domain or thread capability is the same self-reference when it is the last
    // one that would go: deleting a copy is fine, the original stays.
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, scratch(0), R::all, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(root::own_thread, root::own_pd, scratch(1), R::all, 0).error, Error::ok);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_delete(scratch(1)).error, Error::ok);
    CHECK_EQ(sys::cap_info(root::own_pd).type, type_of(ObjectType::pd));
    CHECK_EQ(sys::cap_info(root::own_thread).type, type_of(ObjectType::thread));
    // The root of a derivation tree whose deletion would take the caller's domain: refused, children kept.
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, scratch(2), R::read, 0).error, Error::ok);
    CHECK_FAILS(sys::cap_delete(root::own_pd), Error::self_reference);
    CHECK_EQ(sys::cap_info(scratch(2)).type, type_of(ObjectType::pd));
    roottask::clear_scratch(3);
}

JANUS_TEST(cap_info_errors_from_ring3) {
    REQUIRE_BOOT();
    for (Word s : {Word{0}, raw(scratch(9)), Word{4095}, Word{4096}, Word{1} << 32 | 1, huge}) {
        auto r = sys::cap_info(Sel{s});
        CHECK_EQ(r.error, Error::bad_selector);
    }
    // A deleted capability's slot is empty again.
    CHECK_EQ(sys::notification_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EMPTY(scratch(0));
}

JANUS_TEST(cap_info_reports_every_object_type_and_reduced_rights) {
    REQUIRE_BOOT();
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::notification_create(scratch(1)).error, Error::ok);
    CHECK_EQ(sys::irq_create(scratch(2), root::irq_control, 6).error, Error::ok);
    CHECK_EQ(sys::pd_create(scratch(3), 0, 4).error, Error::ok);
    CHECK_EQ(sys::thread_create(scratch(4), root::own_pd, 0x2110'0000, 10, 0).error, Error::ok);
    const ObjectType types[] = {ObjectType::endpoint, ObjectType::notification, ObjectType::irq,
                                ObjectType::pd, ObjectType::thread};
    for (unsigned i = 0; i < 5; ++i) {
        auto r = sys::cap_info(scratch(i));
        CHECK_EQ(r.type, type_of(types[i]));
        CHECK_EQ(r.rights, R::all);
        CHECK_EQ(r.badge, Word{0});
        // Each right alone survives a copy exactly.
        for (Word right : {R::read, R::write, R::exec, R::grant, R::control}) {
            CHECK_EQ(sys::cap_copy(scratch(i), root::own_pd, scratch(8), right | R::grant, 0).error,
                     Error::ok);
            CHECK_EQ(sys::cap_info(scratch(8)).rights, right | R::grant);
            CHECK_EQ(sys::cap_delete(scratch(8)).error, Error::ok);
        }
    }
    roottask::clear_scratch(9);
}

JANUS_TEST(pd_quota_ignores_its_argument_registers) {
    REQUIRE_BOOT();
    // pd_quota takes no arguments: whatever the registers hold, the answer is the caller's quota.
    auto q = sys::pd_quota();
    RawReply r = raw_syscall(static_cast<Word>(janus::abi::Syscall::pd_quota),
                             ArgWords{{huge, huge, 0xffff'8000'0000'0000, 1, 2, 3}});
    CHECK_EQ(r.status, Word{0});
    CHECK_EQ(r.r[0], q.limit);
    CHECK_EQ(r.r[1], q.used);
    CHECK(q.used <= q.limit);
}
