// Every documented error of the object-creating syscalls (pd_create, thread_create, thread_configure,
// endpoint_create, notification_create, irq_create, irq_bind, irq_ack, io_create), reached from ring 3 with
// the root's own capabilities (docs/abi.md). Each failing call has exactly one thing wrong, so the error the
// ABI names for it (in its checking order) is the only right answer, and it must leave the slot it named
// empty and the caller's quota as it was. quota_exhausted is reached by moving every spare byte into a sink
// domain first (checks.hpp, spend_all_quota).
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/checks.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
using janus::abi::user_end;
using roottask::scratch;

namespace {

constexpr Word huge = ~Word{0};
constexpr Word kernel_address = 0xffff'8000'0000'0000;
constexpr Word non_canonical = 0x0000'9000'0000'0000;
constexpr Sel beyond_space{4096};        // the root's space has 2^12 slots (docs/boot.md)
constexpr Vaddr free_utcb = 0x2100'0000; // nothing is mapped there in the root's space
constexpr Word spare_line = 5;           // an ISA line no test device uses

alignas(4096) char own_data_page[4096] = {1};

} // namespace

JANUS_TEST(pd_create_selector_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_FAILS(sys::pd_create(Sel{0}, 0, 4), Error::bad_selector);
    CHECK_FAILS(sys::pd_create(beyond_space, 0, 4), Error::bad_selector);
    CHECK_FAILS(sys::pd_create(Sel{huge}, 0, 4), Error::bad_selector);
    CHECK_FAILS(sys::pd_create(root::own_thread, 0, 4), Error::slot_occupied);
    CHECK_EQ(sys::cap_info(root::own_thread).type, static_cast<Word>(janus::abi::ObjectType::thread));
    // Decoding comes first: an impossible cap_order is invalid_argument even with a bad destination.
    CHECK_FAILS(sys::pd_create(Sel{0}, 0, 99), Error::invalid_argument);
}

JANUS_TEST(pd_create_quota_errors_from_ring3) {
    REQUIRE_BOOT();
    const Word spare = roottask::spare_quota();
    CHECK_FAILS(sys::pd_create(scratch(0), spare + 1, 4), Error::quota_exhausted);
    CHECK_FAILS(sys::pd_create(scratch(0), huge, 4), Error::quota_exhausted);
    CHECK_FAILS(sys::pd_create(scratch(0), spare, 4), Error::quota_exhausted); // the charges do not fit
    CHECK_EMPTY(scratch(0));
    // An occupied slot is found before the quota is looked at.
    CHECK_FAILS(sys::pd_create(root::own_pd, huge, 4), Error::slot_occupied);
    if (roottask::spend_all_quota(t, scratch(1))) {
        CHECK_FAILS(sys::pd_create(scratch(0), 0, 4), Error::quota_exhausted);
        CHECK_EMPTY(scratch(0));
    }
    roottask::clear_scratch(2);
    CHECK_EQ(roottask::spare_quota(), spare); // the sink's quota came back
}

JANUS_TEST(thread_create_selector_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, scratch(1), R::all & ~R::control, 0).error, Error::ok);
    CHECK_FAILS(sys::thread_create(Sel{0}, root::own_pd, free_utcb, 10, 0), Error::bad_selector);
    CHECK_FAILS(sys::thread_create(scratch(0), scratch(2), free_utcb, 10, 0), Error::bad_selector);
    CHECK_FAILS(sys::thread_create(scratch(0), Sel{Word{1} << 40}, free_utcb, 10, 0), Error::bad_selector);
    CHECK_FAILS(sys::thread_create(root::irq_control, root::own_pd, free_utcb, 10, 0), Error::slot_occupied);
    CHECK_FAILS(sys::thread_create(scratch(0), root::own_thread, free_utcb, 10, 0), Error::wrong_type);
    CHECK_FAILS(sys::thread_create(scratch(0), scratch(1), free_utcb, 10, 0), Error::missing_rights);
    CHECK_EMPTY(scratch(0));
    CHECK_EQ(sys::cap_info(root::irq_control).type, static_cast<Word>(janus::abi::ObjectType::irq_control));
    roottask::clear_scratch(2);
}

JANUS_TEST(thread_create_utcb_and_range_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel dest = scratch(0);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb + 1, 10, 0), Error::bad_address);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb + 0x800, 10, 0), Error::bad_address);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, kernel_address, 10, 0), Error::bad_address);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, user_end, 10, 0), Error::bad_address);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, non_canonical, 10, 0), Error::bad_address);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, 0xffff'ffff'ffff'f000, 10, 0), Error::bad_address);
    // Pages already mapped: the root's own UTCB and a page of its data.
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, janus::abi::root_mem::utcb, 10, 0),
                Error::mapping_conflict);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, reinterpret_cast<Vaddr>(own_data_page), 10, 0),
                Error::mapping_conflict);
    CHECK_EQ(own_data_page[0], 1); // still the root's page
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb, 256, 0), Error::invalid_argument);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb, huge, 0), Error::invalid_argument);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb, 10, roottask::cpus()),
                Error::invalid_argument);
    CHECK_FAILS(sys::thread_create(dest, root::own_pd, free_utcb, 10, huge), Error::invalid_argument);
    CHECK_EMPTY(dest);
    // The same UTCB address works once everything is right, and the slot and page go with the thread.
    CHECK_EQ(sys::thread_create(dest, root::own_pd, free_utcb, 10, 0).error, Error::ok);
    CHECK_EQ(sys::cap_delete(dest).error, Error::ok);
    CHECK_EQ(sys::thread_create(dest, root::own_pd, free_utcb, 10, 0).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(thread_create_quota_exhausted_from_ring3) {
    REQUIRE_BOOT();
    const Word spare = roottask::spare_quota();
    if (roottask::spend_all_quota(t, scratch(1))) {
        CHECK_FAILS(sys::thread_create(scratch(0), root::own_pd, free_utcb, 10, 0), Error::quota_exhausted);
        CHECK_EMPTY(scratch(0));
        // The failed call mapped no UTCB: once there is quota again, the same address is free.
        CHECK_EQ(sys::cap_delete(scratch(1)).error, Error::ok);
        CHECK_EQ(sys::thread_create(scratch(0), root::own_pd, free_utcb, 10, 0).error, Error::ok);
    }
    roottask::clear_scratch(2);
    CHECK_EQ(roottask::spare_quota(), spare);
}

JANUS_TEST(thread_configure_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel thread = scratch(0), ep = scratch(1), no_control = scratch(2);
    CHECK_EQ(sys::thread_create(thread, root::own_pd, free_utcb, 10, 0).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_EQ(sys::cap_copy(thread, root::own_pd, no_control, R::all & ~R::control, 0).error, Error::ok);
    CHECK_FAILS(sys::thread_configure(scratch(5), Sel{0}, Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::thread_configure(Sel{0}, ep, ep), Error::bad_selector);
    CHECK_FAILS(sys::thread_configure(thread, scratch(5), Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::thread_configure(thread, Sel{0}, scratch(5)), Error::bad_selector);
    CHECK_FAILS(sys::thread_configure(thread, Sel{huge}, Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::thread_configure(root::own_pd, Sel{0}, Sel{0}), Error::wrong_type);
    CHECK_FAILS(sys::thread_configure(ep, Sel{0}, Sel{0}), Error::wrong_type);
    CHECK_FAILS(sys::thread_configure(thread, root::own_pd, Sel{0}), Error::wrong_type);
    CHECK_FAILS(sys::thread_configure(thread, ep, root::irq_control), Error::wrong_type);
    CHECK_FAILS(sys::thread_configure(no_control, ep, ep), Error::missing_rights);
    // With control and endpoints it works, and 0 clears.
    CHECK_EQ(sys::thread_configure(thread, ep, ep).error, Error::ok);
    CHECK_EQ(sys::thread_configure(thread, Sel{0}, Sel{0}).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(endpoint_create_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_FAILS(sys::endpoint_create(Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::endpoint_create(beyond_space), Error::bad_selector);
    CHECK_FAILS(sys::endpoint_create(Sel{huge}), Error::bad_selector);
    CHECK_FAILS(sys::endpoint_create(root::own_thread), Error::slot_occupied);
    if (roottask::spend_all_quota(t, scratch(1))) {
        CHECK_FAILS(sys::endpoint_create(scratch(0)), Error::quota_exhausted);
        CHECK_EMPTY(scratch(0));
        CHECK_FAILS(sys::endpoint_create(root::own_pd), Error::slot_occupied); // before the quota
    }
    roottask::clear_scratch(2);
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(notification_create_errors_from_ring3) {
    REQUIRE_BOOT();
    CHECK_FAILS(sys::notification_create(Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::notification_create(beyond_space), Error::bad_selector);
    CHECK_FAILS(sys::notification_create(Sel{huge}), Error::bad_selector);
    CHECK_FAILS(sys::notification_create(root::irq_control), Error::slot_occupied);
    if (roottask::spend_all_quota(t, scratch(1))) {
        CHECK_FAILS(sys::notification_create(scratch(0)), Error::quota_exhausted);
        CHECK_EMPTY(scratch(0));
    }
    roottask::clear_scratch(2);
    CHECK_EQ(sys::notification_create(scratch(0)).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(irq_create_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel dest = scratch(0), no_control = scratch(1), irq = scratch(2);
    CHECK_EQ(sys::cap_copy(root::irq_control, root::own_pd, no_control, R::all & ~R::control, 0).error,
             Error::ok);
    CHECK_FAILS(sys::irq_create(dest, scratch(9), spare_line), Error::bad_selector);
    CHECK_FAILS(sys::irq_create(Sel{0}, root::irq_control, spare_line), Error::bad_selector);
    CHECK_FAILS(sys::irq_create(beyond_space, root::irq_control, spare_line), Error::bad_selector);
    CHECK_FAILS(sys::irq_create(root::own_pd, root::irq_control, spare_line), Error::slot_occupied);
    CHECK_FAILS(sys::irq_create(dest, root::own_pd, spare_line), Error::wrong_type);
    CHECK_FAILS(sys::irq_create(dest, no_control, spare_line), Error::missing_rights);
    CHECK_FAILS(sys::irq_create(dest, root::irq_control, janus::abi::irq_lines), Error::invalid_argument);
    CHECK_FAILS(sys::irq_create(dest, root::irq_control, huge), Error::invalid_argument);
    CHECK_EMPTY(dest);
    // A line has at most one irq object.
    CHECK_EQ(sys::irq_create(irq, root::irq_control, spare_line).error, Error::ok);
    CHECK_FAILS(sys::irq_create(dest, root::irq_control, spare_line), Error::invalid_argument);
    CHECK_EMPTY(dest);
    CHECK_EQ(sys::cap_delete(irq).error, Error::ok);
    if (roottask::spend_all_quota(t, scratch(3))) {
        CHECK_FAILS(sys::irq_create(dest, root::irq_control, spare_line), Error::quota_exhausted);
        CHECK_EMPTY(dest);
    }
    roottask::clear_scratch(4);
    // Nothing of the failures holds the line.
    CHECK_EQ(sys::irq_create(dest, root::irq_control, spare_line).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(io_create_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel dest = scratch(0), no_control = scratch(1);
    constexpr Word ports = janus::abi::io_ports;
    CHECK_EQ(sys::cap_copy(root::io_control, root::own_pd, no_control, R::all & ~R::control, 0).error,
             Error::ok);
    // Decoding first: a range that is empty or leaves the port space, whatever else is wrong.
    CHECK_FAILS(sys::io_create(dest, root::io_control, 0x80, 0), Error::invalid_argument);
    CHECK_FAILS(sys::io_create(dest, root::io_control, ports, 1), Error::invalid_argument);
    CHECK_FAILS(sys::io_create(dest, root::io_control, ports - 1, 2), Error::invalid_argument);
    CHECK_FAILS(sys::io_create(dest, root::io_control, 1, huge), Error::invalid_argument);
    CHECK_FAILS(sys::io_create(Sel{0}, scratch(9), huge, 1), Error::invalid_argument);
    CHECK_FAILS(sys::io_create(dest, scratch(9), 0x80, 1), Error::bad_selector);
    CHECK_FAILS(sys::io_create(Sel{0}, root::io_control, 0x80, 1), Error::bad_selector);
    CHECK_FAILS(sys::io_create(beyond_space, root::io_control, 0x80, 1), Error::bad_selector);
    CHECK_FAILS(sys::io_create(root::own_pd, root::io_control, 0x80, 1), Error::slot_occupied);
    CHECK_FAILS(sys::io_create(dest, root::irq_control, 0x80, 1), Error::wrong_type);
    CHECK_FAILS(sys::io_create(dest, no_control, 0x80, 1), Error::missing_rights);
    CHECK_EMPTY(dest);
    if (roottask::spend_all_quota(t, scratch(3))) {
        CHECK_FAILS(sys::io_create(dest, root::io_control, 0x80, 1), Error::quota_exhausted);
        CHECK_EMPTY(dest);
    }
    roottask::clear_scratch(4);
    // The whole port space and its last port are valid ranges; the object is what io_create says it is.
    CHECK_EQ(sys::io_create(dest, root::io_control, 0, ports).error, Error::ok);
    CHECK_EQ(sys::io_create(scratch(1), root::io_control, ports - 1, 1).error, Error::ok);
    CHECK_EQ(sys::cap_info(dest).type, static_cast<Word>(janus::abi::ObjectType::io_ports));
    CHECK_EQ(sys::cap_info(dest).rights, R::all);
    roottask::clear_scratch(2);
}

JANUS_TEST(irq_bind_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel irq = scratch(0), ntf = scratch(1), irq_nc = scratch(2), ntf_nw = scratch(3);
    CHECK_EQ(sys::irq_create(irq, root::irq_control, spare_line).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::cap_copy(irq, root::own_pd, irq_nc, R::all & ~R::control, 0).error, Error::ok);
    CHECK_EQ(sys::cap_copy(ntf, root::own_pd, ntf_nw, R::all & ~R::write, 0).error, Error::ok);
    CHECK_FAILS(sys::irq_bind(scratch(9), ntf, 0), Error::bad_selector);
    CHECK_FAILS(sys::irq_bind(irq, scratch(9), 0), Error::bad_selector);
    CHECK_FAILS(sys::irq_bind(Sel{0}, ntf, 0), Error::bad_selector);
    CHECK_FAILS(sys::irq_bind(ntf, ntf, 0), Error::wrong_type);
    CHECK_FAILS(sys::irq_bind(irq, irq, 0), Error::wrong_type);
    CHECK_FAILS(sys::irq_bind(root::irq_control, ntf, 0), Error::wrong_type);
    CHECK_FAILS(sys::irq_bind(irq_nc, ntf, 0), Error::missing_rights);
    CHECK_FAILS(sys::irq_bind(irq, ntf_nw, 0), Error::missing_rights);
    CHECK_FAILS(sys::irq_bind(irq, ntf, 64), Error::invalid_argument);
    CHECK_FAILS(sys::irq_bind(irq, ntf, huge), Error::invalid_argument);
    CHECK_EQ(sys::irq_bind(irq, ntf, 63).error, Error::ok);
    roottask::clear_scratch(4);
}

JANUS_TEST(irq_ack_errors_from_ring3) {
    REQUIRE_BOOT();
    const Sel irq = scratch(0), ntf = scratch(1), irq_nc = scratch(2);
    CHECK_EQ(sys::irq_create(irq, root::irq_control, spare_line).error, Error::ok);
    CHECK_EQ(sys::notification_create(ntf).error, Error::ok);
    CHECK_EQ(sys::cap_copy(irq, root::own_pd, irq_nc, R::read | R::write | R::grant, 0).error, Error::ok);
    CHECK_FAILS(sys::irq_ack(Sel{0}), Error::bad_selector);
    CHECK_FAILS(sys::irq_ack(scratch(9)), Error::bad_selector);
    CHECK_FAILS(sys::irq_ack(Sel{huge}), Error::bad_selector);
    CHECK_FAILS(sys::irq_ack(ntf), Error::wrong_type);
    CHECK_FAILS(sys::irq_ack(root::irq_control), Error::wrong_type);
    CHECK_FAILS(sys::irq_ack(irq_nc), Error::missing_rights);
    CHECK_EQ(sys::irq_ack(irq).error, Error::ok); // not in service: nothing to do, and fine
    roottask::clear_scratch(3);
}
