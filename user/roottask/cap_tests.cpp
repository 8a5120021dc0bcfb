// Capabilities as the root task sees them: the well-known selectors, creating, copying, badging, granting,
// revoking and deleting. Expected values come from kernel/abi/abi.def and the root-task contract
// (user/lib/root_task.hpp).
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
using janus::abi::ObjectType;
namespace rights = janus::abi::rights;
using roottask::scratch;

namespace {

constexpr std::uint64_t type_of(ObjectType t) {
    return static_cast<std::uint64_t>(t);
}

} // namespace

JANUS_TEST(cap_info_own_pd) {
    auto r = sys::cap_info(root::own_pd);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.type, type_of(ObjectType::pd));
    CHECK_EQ(r.rights, rights::all);
    CHECK_EQ(r.badge, 0u);
}

JANUS_TEST(cap_info_own_thread) {
    auto r = sys::cap_info(root::own_thread);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.type, type_of(ObjectType::thread));
    CHECK_EQ(r.rights, rights::all);
}

JANUS_TEST(cap_info_irq_control) {
    auto r = sys::cap_info(root::irq_control);
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.type, type_of(ObjectType::irq_control));
}

JANUS_TEST(selector_zero_is_never_valid) {
    CHECK_EQ(sys::cap_info(Sel{0}).error, Error::bad_selector);
    CHECK_EQ(sys::cap_delete(Sel{0}).error, Error::bad_selector);
}

JANUS_TEST(free_slots_are_empty) {
    CHECK_EQ(sys::cap_info(Sel{root::first_free_selector}).error, Error::bad_selector);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}

JANUS_TEST(endpoint_create_info_delete) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    auto r = sys::cap_info(scratch(0));
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.type, type_of(ObjectType::endpoint));
    CHECK_EQ(r.rights, rights::all);
    CHECK_EQ(r.badge, 0u);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}

JANUS_TEST(notification_create) {
    CHECK_EQ(sys::notification_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_info(scratch(0)).type, type_of(ObjectType::notification));
    roottask::clear_scratch(1);
}

JANUS_TEST(create_into_occupied_slot_fails) {
    CHECK_EQ(sys::endpoint_create(root::own_pd).error, Error::slot_occupied);
    CHECK_EQ(sys::cap_info(root::own_pd).type, type_of(ObjectType::pd)); // unchanged
}

JANUS_TEST(cap_copy_badges_and_reduces_rights) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(0), root::own_pd, scratch(1), rights::write, 0x1234).error, Error::ok);
    auto r = sys::cap_info(scratch(1));
    CHECK_EQ(r.error, Error::ok);
    CHECK_EQ(r.type, type_of(ObjectType::endpoint));
    CHECK_EQ(r.rights, rights::write);
    CHECK_EQ(r.badge, 0x1234u);
    CHECK_EQ(sys::cap_info(scratch(0)).badge, 0u); // the source stays unbadged
    roottask::clear_scratch(2);
}

JANUS_TEST(cap_copy_needs_grant_and_cannot_widen_rights) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    // A copy without grant cannot be copied onwards.
    CHECK_EQ(sys::cap_copy(scratch(0), root::own_pd, scratch(1), rights::read | rights::write, 0).error,
             Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(1), root::own_pd, scratch(2), rights::read, 0).error,
             Error::missing_rights);
    // A copy cannot have rights its source lacks.
    CHECK_EQ(sys::cap_copy(scratch(0), root::own_pd, scratch(3), rights::read | rights::grant, 0).error,
             Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(3), root::own_pd, scratch(4), rights::write, 0).error,
             Error::missing_rights);
    CHECK_EQ(sys::cap_info(scratch(2)).error, Error::bad_selector);
    CHECK_EQ(sys::cap_info(scratch(4)).error, Error::bad_selector);
    roottask::clear_scratch(5);
}

JANUS_TEST(cap_revoke_removes_descendants_only) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(0), root::own_pd, scratch(1), rights::all, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(1), root::own_pd, scratch(2), rights::read, 0).error, Error::ok);
    CHECK_EQ(sys::cap_revoke(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_info(scratch(1)).error, Error::bad_selector);
    CHECK_EQ(sys::cap_info(scratch(2)).error, Error::bad_selector); // recursively
    roottask::clear_scratch(3);
}

JANUS_TEST(cap_grant_moves_the_capability) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_grant(scratch(0), root::own_pd, scratch(1), rights::read | rights::grant).error,
             Error::ok);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
    auto r = sys::cap_info(scratch(1));
    CHECK_EQ(r.type, type_of(ObjectType::endpoint));
    CHECK_EQ(r.rights, rights::read | rights::grant);
    roottask::clear_scratch(2);
}

JANUS_TEST(cannot_delete_itself) {
    CHECK_EQ(sys::cap_delete(root::own_pd).error, Error::self_reference);
    CHECK_EQ(sys::cap_delete(root::own_thread).error, Error::self_reference);
    CHECK_EQ(sys::cap_info(root::own_pd).error, Error::ok);
}

JANUS_TEST(wrong_object_type_is_refused) {
    // thread_configure needs a thread; selector 1 names a protection domain.
    CHECK_EQ(sys::thread_configure(root::own_pd, Sel{0}, Sel{0}).error, Error::wrong_type);
    // irq_create needs irq_control; selector 1 is not.
    CHECK_EQ(sys::irq_create(scratch(0), root::own_pd, 1).error, Error::wrong_type);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}
