// Error scenarios of the memory side for the syscall tests' scenario registry
// (kernel/syscall/testing/scenarios.hpp): mem_map's page checks in their order (not_mapped, then
// missing_rights, then mapping_conflict, then quota_exhausted), thread_create's UTCB conflicts and the
// target's page-table charge. Each call must fail at once with the documented error and change nothing.
#include <gtest/gtest.h>

#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/scenarios.hpp"

namespace kernel::testing {
namespace {

namespace R = spec::rights;
namespace F = spec::fpage;
using S = spec::Syscall;
using E = spec::Error;
using Args = std::vector<std::uint64_t>;

constexpr std::uint64_t root_pd = spec::root_sel::pd;
constexpr std::uint64_t pool = spec::root_mem::pool, frames = 0x0000'0100'0000'0000, page = 4096;
constexpr std::uint64_t rwxg = R::read | R::write | R::exec | R::grant;

/// The root owns 16 pool pages: 0..7 with every right, 8..11 read+grant, 12..15 read+write without grant.
void pool_of_the_root(TestKernel& k) {
    EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool, frames, 8, rwxg), Error::ok);
    EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool + 8 * page, frames + 8 * page, 4,
                                R::read | R::grant),
              Error::ok);
    EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool + 12 * page, frames + 12 * page, 4,
                                R::read | R::write),
              Error::ok);
}

std::function<Invocation(TestKernel&)> with_pool(Args a) {
    return [a](TestKernel& k) {
        pool_of_the_root(k);
        return Invocation{nullptr, a};
    };
}

ScenarioList memory_scenarios() {
    ScenarioList v;
    auto add = [&](std::string name, S s, E e, std::function<Invocation(TestKernel&)> setup) {
        v.push_back(Scenario{std::move(name), static_cast<std::uint64_t>(s), e, std::move(setup)});
    };

    // ---- mem_map(src, pd, dest, flags)
    add("mem_map_not_mapped_past_the_pool", S::mem_map, E::not_mapped,
        with_pool({F::make(pool + 16 * page, 14, R::read), root_pd, 0x4000'0000, 0}));
    add("mem_map_not_mapped_second_half_of_the_range", S::mem_map, E::not_mapped,
        with_pool({F::make(pool, 17, R::read), root_pd, 0x4000'0000, 0}));
    add("mem_map_not_mapped_before_missing_rights", S::mem_map, E::not_mapped, // 8..15 lack write or grant
        with_pool({F::make(pool, 17, R::read | R::write), root_pd, 0x4000'0000, 0}));
    add("mem_map_missing_rights_write_from_a_read_only_page", S::mem_map, E::missing_rights,
        with_pool({F::make(pool + 8 * page, 14, R::read | R::write), root_pd, 0x4000'0000, 0}));
    add("mem_map_missing_rights_no_grant_on_the_page", S::mem_map, E::missing_rights,
        with_pool({F::make(pool + 12 * page, 12, R::read), root_pd, 0x4000'0000, 0}));
    add("mem_map_missing_rights_a_utcb_source", S::mem_map, E::missing_rights,
        with_pool({F::make(Options{}.root_utcb, 12, R::read), root_pd, 0x4000'0000, 0}));
    add("mem_map_missing_rights_before_mapping_conflict", S::mem_map, E::missing_rights,
        with_pool({F::make(pool + 12 * page, 13, R::read), root_pd, pool, 0}));
    add("mem_map_mapping_conflict_a_mapped_page", S::mem_map, E::mapping_conflict,
        with_pool({F::make(pool, 13, R::read), root_pd, pool + 7 * page, 0}));
    add("mem_map_mapping_conflict_a_utcb", S::mem_map, E::mapping_conflict,
        with_pool({F::make(pool, 12, R::read), root_pd, Options{}.root_utcb, 0}));
    add("mem_map_mapping_conflict_overlapping_grant_to_itself", S::mem_map, E::mapping_conflict,
        with_pool({F::make(pool, 14, R::read), root_pd, pool + 2 * page, spec::map_grant}));
    add("mem_map_mapping_conflict_before_quota", S::mem_map, E::mapping_conflict, [](TestKernel& k) {
        pool_of_the_root(k);
        k.ok(S::pd_create, {10, 3 * 4096, 4}); // exactly its UTCB's tables: nothing left
        k.ok(S::thread_create, {11, 10, 0x1000, 0, 0});
        return Invocation{nullptr, {F::make(pool, 12, R::read), 10, 0x1000, 0}};
    });
    add("mem_map_quota_exhausted_receiver_cannot_pay_a_node", S::mem_map, E::quota_exhausted,
        [](TestKernel& k) {
            pool_of_the_root(k);
            k.ok(S::pd_create, {10, 3 * 4096 + 63, 4}); // the three tables 0x4000'0000 needs, not the node
            return Invocation{nullptr, {F::make(pool, 12, R::read), 10, 0x4000'0000, 0}};
        });
    add("mem_map_quota_exhausted_receiver_cannot_pay_its_tables", S::mem_map, E::quota_exhausted,
        [](TestKernel& k) {
            pool_of_the_root(k);
            k.ok(S::pd_create, {10, 2 * 4096 + 64, 4}); // the node, but one table short
            return Invocation{nullptr, {F::make(pool, 12, R::read), 10, 0x4000'0000, 0}};
        });
    add("mem_map_quota_exhausted_no_memory_left", S::mem_map, E::quota_exhausted, [](TestKernel& k) {
        pool_of_the_root(k);
        k.pages().set_limit(k.pages().outstanding()); // the page source is dry
        return Invocation{nullptr, {F::make(pool, 13, R::read), root_pd, 0x7000'0000'0000, 0}};
    });
    add("mem_map_quota_exhausted_a_grant_too", S::mem_map, E::quota_exhausted, [](TestKernel& k) {
        pool_of_the_root(k);
        k.ok(S::pd_create, {10, 0, 4});
        return Invocation{nullptr, {F::make(pool, 12, R::read), 10, 0x4000'0000, spec::map_grant}};
    });

    // ---- thread_create: the UTCB page against mem_map pages, and the target paying its tables
    add("thread_create_mapping_conflict_a_mem_map_page", S::thread_create, E::mapping_conflict,
        with_pool({10, root_pd, pool + 3 * page, 0, 0}));
    add("thread_create_quota_exhausted_target_cannot_pay_the_utcb_tables", S::thread_create,
        E::quota_exhausted, [](TestKernel& k) {
            k.ok(S::pd_create, {10, 3 * 4096 - 1, 4});
            return Invocation{nullptr, {11, 10, 0x1000, 0, 0}};
        });
    return v;
}

[[maybe_unused]] const bool registered = add_scenarios(&memory_scenarios);

} // namespace
} // namespace kernel::testing
