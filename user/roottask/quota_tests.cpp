// Kernel-memory quota as the root task sees it. Charges are part of the ABI (JANUS_CHARGE in abi.def), so
// every expected figure here is computed from janus::abi::charge.
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace charge = janus::abi::charge;
using roottask::scratch;

namespace {

/// Bytes the root task may still spend, or 0 if pd_quota failed.
std::uint64_t available() {
    auto q = sys::pd_quota();
    return q.ok() && q.used <= q.limit ? q.limit - q.used : 0;
}

} // namespace

JANUS_TEST(pd_quota_is_consistent) {
    auto q = sys::pd_quota();
    CHECK_EQ(q.error, Error::ok);
    CHECK(q.limit > 0);
    CHECK(q.used <= q.limit);
}

JANUS_TEST(endpoint_charge_and_refund) {
    std::uint64_t before = available();
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(before - available(), charge::endpoint);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EQ(available(), before);
}

JANUS_TEST(notification_charge_and_refund) {
    std::uint64_t before = available();
    CHECK_EQ(sys::notification_create(scratch(0)).error, Error::ok);
    CHECK_EQ(before - available(), charge::notification);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EQ(available(), before);
}

JANUS_TEST(pd_create_moves_quota) {
    constexpr std::uint64_t child_quota = 64 * 1024;
    constexpr unsigned cap_order = 4;
    std::uint64_t before = available();
    CHECK_EQ(sys::pd_create(scratch(0), child_quota, cap_order).error, Error::ok);
    // The creator moves child_quota to the child and pays the pd object, the capability space and the top
    // page table.
    std::uint64_t expected =
        child_quota + charge::pd + (std::uint64_t{1} << cap_order) * charge::cap_slot + charge::page_table;
    CHECK_EQ(before - available(), expected);
    CHECK_EQ(sys::cap_delete(scratch(0)).error, Error::ok);
    CHECK_EQ(available(), before);
}

JANUS_TEST(quota_exhaustion_changes_nothing) {
    std::uint64_t before = available();
    CHECK_EQ(sys::pd_create(scratch(0), before + 1, 4).error, Error::quota_exhausted);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
    CHECK_EQ(available(), before);
}

JANUS_TEST(pd_create_cap_order_range) {
    CHECK_EQ(sys::pd_create(scratch(0), 0, 3).error, Error::invalid_argument);
    CHECK_EQ(sys::pd_create(scratch(0), 0, 13).error, Error::invalid_argument);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}
