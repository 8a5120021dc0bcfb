// mem_map / mem_unmap through the real dispatcher, each result seen through hostsim's independent page walker
// in every domain involved, the quota arithmetic of docs/abi.md's charge table, and the invariant checker.
#include <gtest/gtest.h>

#include "hostsim/tlb_contract.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/space.hpp"
#include "kernel/mapdb/testing/mem_world.hpp"

namespace {

using namespace kernel;
using kernel::testing::MemWorld;
namespace spec = janus::abi;
namespace R = janus::abi::rights;
using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t node_charge = 64;    // docs/abi.md: mapping
constexpr std::uint64_t table_charge = 4096; // docs/abi.md: page_table
constexpr std::uint64_t root_pd = spec::root_sel::pd;
constexpr std::uint64_t P = MemWorld::pool_va, F = MemWorld::pool_pa;

/// A child domain at root selector `sel` with `quota`, its thread at `sel + 1` (UTCB at 0x10000).
struct Child {
    Pd* pd;
    Thread* thread;
};
Child child(MemWorld& w, std::uint64_t sel, std::uint64_t quota = 1 << 16) {
    Thread& t = w.k.child_with_thread(sel, quota);
    return {t.pd, &t};
}

TEST(MemMap, CopyMapsTheSameFramesWithTheFlexpagesRightsIntoTheReceiver) {
    MemWorld w;
    Child a = child(w, 10);
    // Four pages of the pool (pool pages 4..7) read-only into A at 0x40000000.
    w.k.ok(S::mem_map, {MemWorld::fp(P + 4 * page, 14, R::read), 10, 0x4000'0000, 0});
    for (std::uint64_t i = 0; i < 4; ++i) {
        EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000 + i * page, F + (4 + i) * page, false, false), "") << i;
        EXPECT_EQ(w.mapped_as(w.k.root(), P + (4 + i) * page, F + (4 + i) * page, true, true), "")
            << "the source keeps its page";
    }
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'4000));
    EXPECT_TRUE(w.unmapped(*a.pd, 0x3fff'f000));
    // Write and execute come through when asked for.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read | R::write | R::exec), 10, 0x5000'0000, 0});
    EXPECT_EQ(w.mapped_as(*a.pd, 0x5000'0000, F, true, true), "");
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, TheReceiverPaysOneNodePerPageAndThePageTablesItLacks) {
    MemWorld w;
    Child a = child(w, 10);
    const std::uint64_t root_used = w.used(w.k.root()), a_used = w.used(*a.pd);
    // A's UTCB at 0x10000 made the tables for the first 2 MiB. 0x4000'0000 (1 GiB) lies in the same 512 GiB
    // but another 1 GiB region: a page directory and a page table are missing.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 13, R::read), 10, 0x4000'0000, 0});
    EXPECT_EQ(w.used(*a.pd), a_used + 2 * node_charge + 2 * table_charge);
    EXPECT_EQ(w.used(w.k.root()), root_used) << "the sender pays nothing";
    // Next to it: the tables exist now.
    w.k.ok(S::mem_map, {MemWorld::fp(P + 2 * page, 12, R::read), 10, 0x4000'2000, 0});
    EXPECT_EQ(w.used(*a.pd), a_used + 3 * node_charge + 2 * table_charge);
    // 2 MiB further: only a page table. Across a 2 MiB boundary: both tables of that range.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4020'0000, 0});
    EXPECT_EQ(w.used(*a.pd), a_used + 4 * node_charge + 3 * table_charge);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 13, R::read), 10, 0x405f'f000, 0});
    EXPECT_EQ(w.used(*a.pd), a_used + 6 * node_charge + 5 * table_charge);
    EXPECT_EQ(w.check(), "");
}

/// Gives domain `holder` (root selector) a capability with every right to domain `target` (root selector)
/// at selector `at` of its own space.
void give(MemWorld& w, std::uint64_t target, std::uint64_t holder, std::uint64_t at) {
    w.k.ok(S::cap_copy, {target, holder, at, spec::rights::all, 0});
}

TEST(MemMap, GrantMovesThePageKeepingItsDescendantsWhichLoseTheRightsItLost) {
    MemWorld w;
    Child a = child(w, 10), b = child(w, 20), c = child(w, 30);
    give(w, 20, 10, 1);                                                                // A names B at 1
    give(w, 30, 10, 2);                                                                // and C at 2
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read | R::write), 10, 0x4000'0000, 0}); // root -> A
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read | R::write), 1, 0x5000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read | R::write), 1, 0x5000'1000, 0});
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'0000, F, true, false), "");
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'1000, F, true, false), "") << "a second descendant";
    const std::uint64_t a_used = w.used(*a.pd), c_used = w.used(*c.pd);

    // A grants its page to C, read-only: it leaves A, C holds it, and B's copy (derived from it) loses write.
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read), 2, 0x6000'0000, spec::map_grant});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_EQ(w.mapped_as(*c.pd, 0x6000'0000, F, false, false), "");
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'0000, F, false, false), "") << "the descendant lost write";
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'1000, F, false, false), "") << "and so did the other one";
    EXPECT_EQ(w.used(*a.pd), a_used - node_charge) << "the sender's node is refunded";
    EXPECT_EQ(w.used(*c.pd), c_used + node_charge + 2 * table_charge) << "the receiver pays node and tables";
    // It kept its place: revoking the root's pool page takes C's page and, below it, B's.
    w.k.ok(S::mem_unmap, {MemWorld::fp(P, 12, 0), 0});
    EXPECT_TRUE(w.unmapped(*c.pd, 0x6000'0000));
    EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'0000));
    EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'1000));
    EXPECT_EQ(w.mapped_as(w.k.root(), P, F, true, true), "");
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, GrantIntoTheSendersOwnSpaceMovesThePage) {
    MemWorld w;
    w.k.ok(S::mem_map, {MemWorld::fp(P, 13, R::read | R::exec), root_pd, 0x7000'0000, spec::map_grant});
    EXPECT_TRUE(w.unmapped(w.k.root(), P));
    EXPECT_TRUE(w.unmapped(w.k.root(), P + page));
    EXPECT_EQ(w.mapped_as(w.k.root(), 0x7000'1000, F + page, false, true), "");
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), root_pd, 0x7100'0000, 0}).status,
              E::not_mapped);
    EXPECT_EQ(w.check(), "");
}

/// A derivation tree has a deepest level (mapdb::max_depth, far beyond any real chain of copies): a page
/// there cannot be copied, since its copy would have no depth, but it can be granted, which keeps its place.
/// The depth is set by hand, so the checker, which would see the jump from its parent, is off until it is
/// back.
TEST(MemMap, APageAtTheDeepestLevelOfItsTreeCanBeGrantedButNotCopied) {
    MemWorld w;
    Child a = child(w, 10);
    mapdb::Node& source = *w.k.root().memory.index.find(P);
    w.k.set_checking(false);
    source.depth = mapdb::max_depth;
    const std::uint64_t a_used = w.used(*a.pd), nodes = w.k.kernel().mapdb.nodes.nodes();
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 13, R::read), 10, 0x4000'0000, 0}).status,
              E::invalid_argument)
        << "the second page is not at the deepest level: one such page refuses the whole flexpage";
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'1000));
    EXPECT_EQ(w.used(*a.pd), a_used);
    EXPECT_EQ(w.k.kernel().mapdb.nodes.nodes(), nodes);
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, 0}).status,
              E::invalid_argument);
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, spec::map_grant}).status,
              E::ok);
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000, F, false, false), "");
    EXPECT_EQ(&source, a.pd->memory.index.find(0x4000'0000)) << "a grant moves the node itself";
    source.depth = 0;
    w.k.set_checking(true);
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, ACopyNeverHasMoreRightsThanItsSourceAndNeedsItsGrantRight) {
    MemWorld w;
    Child a = child(w, 10), b = child(w, 20);
    give(w, 20, 10, 1);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, 0});
    EXPECT_EQ(w.k.call(*a.thread, S::mem_map,
                       {MemWorld::fp(0x4000'0000, 12, R::read | R::write), 1, 0x1000'0000, 0})
                  .status,
              E::missing_rights)
        << "write was never A's";
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read), 1, 0x1000'0000, 0});
    // Without grant a page cannot be delegated onwards: grant_root_memory without it.
    ASSERT_EQ(
        grant_root_memory(w.k.kernel().mapdb, w.k.root(), 0x2000'0000, 0x7000'0000, 1, R::read | R::write),
        E::ok);
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(0x2000'0000, 12, R::read), 20, 0x3000'0000, 0}).status,
              E::missing_rights);
    EXPECT_TRUE(w.unmapped(*b.pd, 0x3000'0000));
    EXPECT_EQ(w.mapped_as(*b.pd, 0x1000'0000, F, false, false), "");
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, AMappingWithoutAccessRightsHoldsItsPlaceWithoutAnEntry) {
    MemWorld w;
    Child a = child(w, 10);
    const std::uint64_t before = w.used(*a.pd);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, 0), 10, 0x4000'0000, 0});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_EQ(w.used(*a.pd), before + node_charge + 2 * table_charge) << "paid like any mapping";
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, 0}).status,
              E::mapping_conflict);
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, QuotaExhaustedMidRangeLeavesNoPartialMapping) {
    MemWorld w;
    // A pays its UTCB's three tables; then 16 pages at a fresh 1 GiB region need 16 nodes and two tables.
    Child a = child(w, 10, 3 * table_charge + 2 * table_charge + 15 * node_charge);
    const std::uint64_t used = w.used(*a.pd);
    const std::size_t pages = w.k.pages().outstanding();
    const std::string before = kernel::testing::snapshot(w.k.kernel());
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 16, R::read), 10, 0x4000'0000, 0}).status,
              E::quota_exhausted);
    for (std::uint64_t i = 0; i < 16; ++i) EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000 + i * page)) << i;
    EXPECT_EQ(w.used(*a.pd), used);
    EXPECT_EQ(w.k.pages().outstanding(), pages) << "no page kept";
    EXPECT_EQ(kernel::testing::snapshot(w.k.kernel()), before);
    // One page less fits exactly.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 15, R::read), 10, 0x4000'0000, 0});
    w.k.ok(S::mem_map, {MemWorld::fp(P + 8 * page, 14, R::read), 10, 0x4000'8000, 0});
    w.k.ok(S::mem_map, {MemWorld::fp(P + 12 * page, 13, R::read), 10, 0x4000'c000, 0});
    w.k.ok(S::mem_map, {MemWorld::fp(P + 14 * page, 12, R::read), 10, 0x4000'e000, 0});
    EXPECT_EQ(w.used(*a.pd), a.pd->quota.limit);
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'f000, 0}).status,
              E::quota_exhausted);
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, APageSourceRunningDryIsQuotaExhaustedWithNothingChanged) {
    MemWorld w;
    Child a = child(w, 10, 1 << 18);
    const std::string before = kernel::testing::snapshot(w.k.kernel());
    const std::size_t pages = w.k.pages().outstanding();
    for (std::size_t extra = 0; extra < 3; ++extra) {
        // The 2 MiB map needs a page directory, a page table and 512 nodes (about 8 node pages).
        w.k.pages().set_limit(pages + extra);
        EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 21, R::read), 10, 0x4000'0000, 0}).status,
                  E::quota_exhausted);
        EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
        EXPECT_EQ(w.k.pages().outstanding(), pages);
        EXPECT_EQ(kernel::testing::snapshot(w.k.kernel()), before);
    }
    w.k.pages().set_limit(~std::size_t{0});
    w.k.ok(S::mem_map, {MemWorld::fp(P, 21, R::read), 10, 0x4000'0000, 0});
    EXPECT_EQ(w.mapped_as(*a.pd, 0x401f'f000, F + 511 * page, false, false), "");
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, UtcbsAreMappedButNeverDelegatedAndConflictAsDestinations) {
    MemWorld w;
    Child a = child(w, 10);
    const Thread& t = *a.thread;
    EXPECT_EQ(w.mapped_as(*a.pd, t.utcb, w.k.kernel().kmem.physical(t.utcb_page), true, false), "");
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, t.utcb, 0}).status,
              E::mapping_conflict);
    EXPECT_EQ(w.k.call(S::mem_map, {MemWorld::fp(0x1000, 12, R::read), 10, 0x4000'0000, 0}).status,
              E::missing_rights)
        << "the root's own UTCB (at 0x1000) is not delegable";
    w.k.ok(S::mem_unmap, {MemWorld::fp(0x1000, 12, 0), spec::unmap_self});
    EXPECT_EQ(
        w.mapped_as(w.k.root(), 0x1000, w.k.kernel().kmem.physical(w.k.root_thread().utcb_page), true, false),
        "")
        << "mem_unmap never removes a UTCB";
    // A page mapped by mem_map blocks a UTCB there.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, 0});
    EXPECT_EQ(w.k.call(S::thread_create, {40, 10, 0x4000'0000, 1, 0}).status, E::mapping_conflict);
    EXPECT_EQ(w.check(), "");
}

TEST(MemMap, AThreadsUtcbGoesWithItsThread) {
    MemWorld w;
    Child a = child(w, 10);
    w.k.ok(S::thread_create, {12, 10, 0x30000, 1, 0});
    Thread& t2 = w.k.at<Thread>(w.k.root(), 12);
    EXPECT_EQ(w.mapped_as(*a.pd, 0x30000, w.k.kernel().kmem.physical(t2.utcb_page), true, false), "");
    mapdb::address_space_enter(a.pd->memory, 2);
    hostsim::tlb_requests().clear();
    w.k.ok(S::cap_delete, {12});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x30000));
    ASSERT_EQ(hostsim::tlb_requests().size(), 1u);
    EXPECT_EQ(hostsim::tlb_requests()[0].cpus.bits, 1u << 2);
    EXPECT_EQ(w.check(), "");
}

TEST(MemUnmap, RevokesRecursivelyInEveryDomainButNotTheCallersOwnPage) {
    MemWorld w;
    Child a = child(w, 10), b = child(w, 20), c = child(w, 30);
    give(w, 20, 10, 1); // A names B
    give(w, 30, 20, 1); // B names C
    give(w, 30, 10, 2); // A names C
    const std::uint64_t rw = R::read | R::write;
    w.k.ok(S::mem_map, {MemWorld::fp(P, 13, rw), 10, 0x4000'0000, 0}); // root -> A: 2 pages
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 13, rw), 1, 0x5000'0000, 0});      // A -> B
    w.k.ok(*b.thread, S::mem_map, {MemWorld::fp(0x5000'0000, 12, R::read), 1, 0x6000'0000, 0}); // B -> C
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'1000, 12, R::read), 2, 0x6100'0000, 0}); // A -> C
    const std::uint64_t b_used = w.used(*b.pd), c_used = w.used(*c.pd);

    // A revokes its first page only: B's copy of it goes, and C's copy of B's copy; the second page's
    // derivations stay.
    w.k.ok(*a.thread, S::mem_unmap, {MemWorld::fp(0x4000'0000, 12, 0), 0});
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000, F, true, false), "") << "the caller's own page stays";
    EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'0000));
    EXPECT_TRUE(w.unmapped(*c.pd, 0x6000'0000));
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'1000, F + page, true, false), "");
    EXPECT_EQ(w.mapped_as(*c.pd, 0x6100'0000, F + page, false, false), "");
    EXPECT_EQ(w.used(*b.pd), b_used - node_charge) << "tables stay until the domain dies";
    EXPECT_EQ(w.used(*c.pd), c_used - node_charge);

    // The root revokes both pool pages with its own: everything derived goes, in every domain.
    w.k.ok(S::mem_unmap, {MemWorld::fp(P, 13, 0), spec::unmap_self});
    for (std::uint64_t va : {P, P + page}) EXPECT_TRUE(w.unmapped(w.k.root(), va));
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'1000));
    EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'1000));
    EXPECT_TRUE(w.unmapped(*c.pd, 0x6100'0000));
    EXPECT_EQ(w.mapped_as(w.k.root(), P + 2 * page, F + 2 * page, true, true), "") << "outside the fpage";
    EXPECT_EQ(w.check(), "");
}

TEST(MemUnmap, WithSelfTheCallersPagesGoToo) {
    MemWorld w;
    Child a = child(w, 10);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 14, R::read), 10, 0x4000'0000, 0});
    const std::uint64_t used = w.used(*a.pd);
    w.k.ok(*a.thread, S::mem_unmap, {MemWorld::fp(0x4000'0000, 13, 0), spec::unmap_self});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'1000));
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'2000, F + 2 * page, false, false), "");
    EXPECT_EQ(w.used(*a.pd), used - 2 * node_charge);
    // The freed addresses take a new mapping.
    w.k.ok(S::mem_map, {MemWorld::fp(P + 9 * page, 12, R::read), 10, 0x4000'0000, 0});
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000, F + 9 * page, false, false), "");
    EXPECT_EQ(w.check(), "");
}

TEST(Teardown, ADyingDomainTakesEverythingDerivedFromItsPagesAndItsTablesAndIsRefunded) {
    MemWorld w;
    Child a = child(w, 10), b = child(w, 20), c = child(w, 30);
    give(w, 20, 10, 1);
    give(w, 30, 20, 1);
    const std::uint64_t b_used = w.used(*b.pd), c_used = w.used(*c.pd);
    const std::uint64_t root_used = w.used(w.k.root());
    w.k.ok(S::mem_map, {MemWorld::fp(P, 14, R::read), 10, 0x4000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 14, R::read), 1, 0x5000'0000, 0});
    w.k.ok(*b.thread, S::mem_map, {MemWorld::fp(0x5000'0000, 13, R::read), 1, 0x7000'0000, 0});
    w.k.ok(S::mem_map, {MemWorld::fp(P + 16 * page, 12, R::read), 30, 0x7100'0000, 0}); // C's own, from root
    const std::size_t pages = w.k.pages().outstanding();

    w.k.ok(S::cap_delete, {10}); // A dies
    for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'0000 + i * page)) << i;
    EXPECT_TRUE(w.unmapped(*c.pd, 0x7000'0000));
    EXPECT_TRUE(w.unmapped(*c.pd, 0x7000'1000));
    EXPECT_EQ(w.mapped_as(*c.pd, 0x7100'0000, F + 16 * page, false, false), "") << "not derived from A";
    EXPECT_EQ(w.mapped_as(w.k.root(), P, F, true, true), "") << "the source is not A's";
    // B and C keep only their tables (they stay until the domain dies) and C its own page.
    EXPECT_EQ(w.used(*b.pd), b_used + 2 * table_charge);
    EXPECT_EQ(w.used(*c.pd), c_used + 3 * table_charge + node_charge);
    EXPECT_LT(w.k.pages().outstanding(), pages) << "A's tables went back";
    EXPECT_EQ(w.check(), "");
    w.k.ok(S::cap_delete, {20});
    w.k.ok(S::cap_delete, {30});
    EXPECT_EQ(w.used(w.k.root()), root_used - 3 * (spec::charge::pd + (32u << 6) + table_charge) -
                                      3 * (1024 + 4096 + 4096 + 128));
    EXPECT_EQ(w.check(), "");
}

TEST(Tlb, RemovalsShootDownExactlyTheCpusThatLoadedTheSpaceAndNewMappingsNone) {
    MemWorld w;
    Child a = child(w, 10), b = child(w, 20);
    give(w, 20, 10, 1);
    mapdb::address_space_enter(a.pd->memory, 1);
    mapdb::address_space_enter(a.pd->memory, 3);
    auto& log = hostsim::tlb_requests();
    log.clear();
    w.k.ok(S::mem_map, {MemWorld::fp(P, 13, R::read | R::write), 10, 0x4000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 13, R::read | R::write), 1, 0x5000'0000, 0});
    EXPECT_TRUE(log.empty()) << "new translations need no invalidation";

    // Revoking A's pages (and B's copies): A's CPUs for A's range; B was never loaded anywhere.
    w.k.ok(S::mem_unmap, {MemWorld::fp(P, 13, 0), 0});
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].kind, hostsim::TlbRequest::Kind::shootdown);
    EXPECT_EQ(log[0].cpus.bits, (1u << 1) | (1u << 3));
    EXPECT_EQ(log[0].asid, a.pd->memory.asid);
    EXPECT_EQ(log[0].scope.kind, arch::TlbScope::Kind::range);
    EXPECT_LE(log[0].scope.start, 0x4000'0000u);
    EXPECT_GE(log[0].scope.end, 0x4000'2000u);
    EXPECT_LE(log[0].scope.end - log[0].scope.start, 0x2000u) << "no more than the pages that went";

    // A rights reduction (a grant with fewer rights reduces the copy below it) shoots down B's CPU only.
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read | R::write), 10, 0x4000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read | R::write), 1, 0x5000'0000, 0});
    mapdb::address_space_enter(b.pd->memory, 2);
    log.clear();
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read), 1, 0x5100'0000, spec::map_grant});
    ASSERT_EQ(log.size(), 2u) << "A loses the page, B's copy loses write";
    for (const auto& r : log) {
        const bool for_b = r.asid == b.pd->memory.asid;
        EXPECT_EQ(r.cpus.bits, for_b ? 1u << 2 : (1u << 1) | (1u << 3));
        EXPECT_EQ(r.scope.start, for_b ? 0x5000'0000u : 0x4000'0000u);
        EXPECT_EQ(r.scope.end, r.scope.start + page);
    }
    EXPECT_EQ(w.mapped_as(*b.pd, 0x5000'0000, F, false, false), "");
    EXPECT_EQ(w.check(), "");
}

TEST(Tlb, ADyingDomainsCpusDropEverythingBeforeItsTablesAreFreed) {
    MemWorld w;
    Child a = child(w, 10);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'0000, 0});
    mapdb::address_space_enter(a.pd->memory, 0);
    const arch::AddressSpaceId asid = a.pd->memory.asid;
    auto& log = hostsim::tlb_requests();
    log.clear();
    w.k.ok(S::cap_delete, {10});
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().cpus.bits, 1u);
    EXPECT_EQ(log.back().asid, asid);
    EXPECT_EQ(log.back().scope.kind, arch::TlbScope::Kind::all);
    EXPECT_EQ(w.check(), "");
}

TEST(Tlb, RightsGoingUpNeedNoShootdownAndGoingDownDo) {
    // The ABI only lowers rights; the memory side's rewrite of an entry follows issue 3's rule either way.
    MemWorld w;
    Child a = child(w, 10);
    w.k.ok(S::mem_map, {MemWorld::fp(P, 12, 0), 10, 0x4000'0000, 0}); // placed, no access yet
    mapdb::address_space_enter(a.pd->memory, 1);
    mapdb::Node& n = *a.pd->memory.index.find(0x4000'0000);
    auto& log = hostsim::tlb_requests();
    auto change = [&](std::uint64_t rights) {
        log.clear();
        const std::uint8_t before = n.rights;
        n.rights = static_cast<std::uint8_t>(rights);
        mapdb::reprotect(w.k.kernel().mapdb, n, before);
        mapdb::finish(w.k.kernel().mapdb);
        return log.size();
    };
    EXPECT_EQ(change(R::read), 0u) << "a page appears";
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000, F, false, false), "");
    EXPECT_EQ(change(R::read | R::write | R::exec), 0u) << "write and exec come";
    EXPECT_EQ(w.mapped_as(*a.pd, 0x4000'0000, F, true, true), "");
    EXPECT_EQ(change(R::read | R::exec), 1u) << "write goes";
    EXPECT_EQ(log[0].cpus.bits, 1u << 1);
    EXPECT_EQ(log[0].scope.start, 0x4000'0000u);
    EXPECT_EQ(change(R::read), 1u) << "exec goes";
    EXPECT_EQ(change(R::read | R::grant), 0u) << "grant is no access right";
    EXPECT_EQ(change(0), 1u) << "the page disappears";
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    n.rights = 0;
    EXPECT_EQ(w.check(), "") << "the node's rights (0 below the pool's) and the table agree";
}

TEST(Checker, FindsPlantedInconsistenciesBetweenTablesAndTheMappingDatabase) {
    auto planted = [](auto plant) {
        MemWorld w;
        Child a = child(w, 10);
        w.k.ok(S::mem_map, {MemWorld::fp(P, 13, R::read | R::write), 10, 0x4000'0000, 0});
        EXPECT_EQ(w.check(), "");
        w.k.set_checking(false);
        auto undo = plant(w, *a.pd);
        std::string verdict = w.check();
        undo();
        EXPECT_EQ(w.check(), "") << "the plant was undone";
        return verdict;
    };
    // An entry whose node is gone: rewrite the level-1 entry of 0x4000'1000 to 0x4000'3000's slot.
    EXPECT_NE(planted([](MemWorld& w, Pd& a) {
                  auto* n = a.memory.index.find(0x4000'1000);
                  n->rights = R::read; // the table still says writable
                  return [n] { n->rights = R::read | R::write; };
              }),
              "");
    EXPECT_NE(planted([](MemWorld& w, Pd& a) {
                  auto* n = a.memory.index.find(0x4000'0000);
                  const std::uint64_t frame = n->frame;
                  n->frame += page; // another frame than the entry and the parent
                  return [n, frame] { n->frame = frame; };
              }),
              "");
    EXPECT_NE(planted([](MemWorld& w, Pd& a) {
                  auto* n = w.k.root().memory.index.find(P);
                  n->rights = R::read | R::grant; // the child at A now has rights beyond its parent
                  return [n] { n->rights = MemWorld::rwxg; };
              }),
              "");
    EXPECT_NE(planted([](MemWorld&, Pd& a) {
                  ++a.memory.paid_nodes;
                  return [&a] { --a.memory.paid_nodes; };
              }),
              "");
    EXPECT_NE(planted([](MemWorld&, Pd& a) {
                  ++a.memory.tables; // counted tables differ from the tables found
                  return [&a] { --a.memory.tables; };
              }),
              "");
    EXPECT_NE(planted([](MemWorld& w, Pd& a) {
                  // A present entry without a node, written behind the mapping database's back.
                  Kmem* kmem = &w.k.kernel().kmem;
                  auto write = [kmem, &a](bool present) {
                      mapdb::KmemTableMemory memory{kmem};
                      mapdb::TableReserve none(*kmem);
                      mapdb::NoRetire cleanup;
                      mapdb::UserPageTable table(memory, none, a.memory.top_phys);
                      mem::Attributes user;
                      user.rights.user = true;
                      if (present)
                          EXPECT_TRUE(table.map(0x4000'5000, F, page, mem::PageSize::size_4k, user, cleanup));
                      else
                          EXPECT_TRUE(table.unmap(0x4000'5000, page, cleanup));
                  };
                  write(true);
                  return [write] { write(false); };
              }),
              "");
}

/// The checker matches present entries to nodes in address order (one walk of the index alongside the
/// tables): an entry without a node is named as such whether it lies before, between or after the nodes.
TEST(Checker, NamesAPresentEntryWithoutANodeWhereverItLies) {
    for (const std::uint64_t va : {0x4000'0000ull, 0x4000'3000ull, 0x4000'9000ull}) {
        MemWorld w;
        Child a = child(w, 10);
        w.k.ok(S::mem_map, {MemWorld::fp(P, 12, R::read), 10, 0x4000'1000, 0});
        w.k.ok(S::mem_map, {MemWorld::fp(P + page, 12, R::read), 10, 0x4000'5000, 0});
        w.k.ok(S::mem_map, {MemWorld::fp(P + 2 * page, 12, R::read), 10, 0x4000'8000, 0});
        ASSERT_EQ(w.check(), "");
        w.k.set_checking(false);
        Kmem* kmem = &w.k.kernel().kmem;
        mapdb::KmemTableMemory memory{kmem};
        mapdb::TableReserve none(*kmem);
        mapdb::NoRetire cleanup;
        mapdb::UserPageTable table(memory, none, a.pd->memory.top_phys);
        mem::Attributes user;
        user.rights.user = true;
        ASSERT_TRUE(
            table.map(va, F, page, mem::PageSize::size_4k, user, cleanup)); // behind the database's back
        EXPECT_NE(w.check().find("is mapped without a node"), std::string::npos) << std::hex << va;
        ASSERT_TRUE(table.unmap(va, page, cleanup));
        EXPECT_EQ(w.check(), "");
    }
}

} // namespace
