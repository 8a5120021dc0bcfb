// Hand-worked scenarios for the capability model. Every expected value is worked out from docs/abi.md
// (errors, charges) and models/caps/README.md (precedence, readings), never read back from the model.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "models/caps/model.hpp"

namespace {

using namespace models::caps;
namespace abi = janus::abi;
namespace r = janus::abi::rights;
namespace fp = janus::abi::fpage;
using E = Error;
using T = ObjectType;

constexpr Word kLimit = 1 << 20;
constexpr Word kRootOrder = 8;
constexpr Word kRootUtcb = 0x1000; // page tables: levels 3, 2 and 1 at index 0
constexpr Word kMem = 0x400000;    // 16 boot pages: one more level-1 table (index 2)
constexpr Word kFrames = 0x100000;
constexpr Word kBootUsed = 0; // boot objects (and boot page tables) are paid by nobody (abi.md)
constexpr Word kAll = r::all;
constexpr Word kRwx = r::read | r::write | r::exec;
constexpr Word kPdCharge16 =
    4096 + 16 * 32 + 4096; // pd, 2^4 slots, top-level page table: paid by the creator

// Root selectors handed over by the boot state of these tests.
constexpr Word kSelf = 1, kThread = 2, kIrqControl = 3;
// The io tests hand the root io_control at this selector (the others use 4.. freely).
constexpr Word kIoControl = 14;

struct Caps : ::testing::Test {
    Model m{Config{2, 24}};
    ObjId root = 0, thread = 0;

    void SetUp() override {
        root = m.boot_pd(kLimit, kBootUsed, kRootOrder);
        thread = m.boot_thread(root, kRootUtcb);
        m.boot_cap(root, kSelf, root, kAll);
        m.boot_cap(root, kThread, thread, kAll);
        m.boot_cap(root, kIrqControl, m.boot_object(T::irq_control), kAll);
        for (Word i = 0; i < 16; ++i)
            m.boot_mapping(root, kMem + i * 4096, kFrames + i * 4096, kRwx | r::grant);
        ASSERT_EQ(m.used(root), kBootUsed);
    }
    void TearDown() override {
        for (const auto& v : m.check()) ADD_FAILURE() << "model invariant: " << v;
    }

    Outcome call(abi::Syscall s, Args a = {}, ObjId caller = 0) {
        return m.syscall(caller ? caller : thread, Word(s), a);
    }
    E info(Word sel, Word& type, Word& rights, Word& badge, ObjId caller = 0) {
        return m.cap_info(caller ? caller : thread, sel, type, rights, badge);
    }
    std::optional<CapView> at(Word sel, ObjId pd = 0) { return m.cap_at(pd ? pd : root, sel); }
    Word free_quota(ObjId pd) { return m.limit(pd) - m.used(pd); }

    /// A child PD at `sel` with `quota` and 2^4 slots; returns its object.
    ObjId child(Word sel, Word quota) {
        EXPECT_EQ(m.pd_create(thread, sel, quota, 4), E::ok);
        return at(sel)->object;
    }
};

/// State's copy assignment (the fuzzers' reset to the boot state) gives an equal state and keeps the nodes
/// of the keys both states hold, inner maps included; keys only the target had go, keys only the source has
/// come.
TEST(StateAssignment, GivesAnEqualStateAndKeepsTheNodesOfSharedKeys) {
    State from, to;
    for (Word k : {1, 2, 4}) from.mappings[k] = Mapping{7, k * page_size, k, r::read, 0, 0, 0};
    for (Word k : {2, 3, 4, 5}) to.mappings[k] = Mapping{9, 0, 0, 0, 0, 0, 0};
    from.pds[1].pages = {{0x1000, 1}, {0x2000, 2}};
    from.pds[1].page_tables = {{1, 0}};
    to.pds[1].pages = {{0x2000, 5}, {0x3000, 6}};
    to.pds[1].page_tables = {{1, 0}, {2, 0}};
    to.pds[2].limit = 5;
    from.next_mapping = 42;
    const Mapping* kept = &to.mappings.at(2);
    const Pd* kept_pd = &to.pds.at(1);
    auto nodes = [](const std::map<Word, MapId>& m) {
        std::set<const MapId*> out;
        for (const auto& [k, v] : m) out.insert(&v);
        return out;
    };
    const std::set<const MapId*> page_nodes = nodes(to.pds.at(1).pages);

    to = from;

    auto keys = [](const auto& m) {
        std::vector<Word> out;
        for (const auto& [k, v] : m) out.push_back(k);
        return out;
    };
    EXPECT_EQ(keys(to.mappings), (std::vector<Word>{1, 2, 4}));
    for (const auto& [k, m] : from.mappings) {
        EXPECT_EQ(to.mappings.at(k).page, m.page) << k;
        EXPECT_EQ(to.mappings.at(k).rights, m.rights) << k;
    }
    EXPECT_EQ(keys(to.pds), (std::vector<Word>{1}));
    EXPECT_EQ(to.pds.at(1).pages, from.pds.at(1).pages);
    EXPECT_EQ(to.pds.at(1).page_tables, from.pds.at(1).page_tables);
    EXPECT_EQ(to.next_mapping, 42u);
    EXPECT_EQ(&to.mappings.at(2), kept) << "a shared key keeps its node";
    EXPECT_EQ(&to.pds.at(1), kept_pd);
    EXPECT_EQ(nodes(to.pds.at(1).pages), page_nodes)
        << "the map inside its value (as many entries as before) reuses its nodes";
}

TEST_F(Caps, UnknownSyscallNumbersAreBadSyscall) {
    EXPECT_EQ(call(abi::Syscall(0)).status, E::bad_syscall);
    EXPECT_EQ(call(abi::Syscall(abi::syscall_count + 1)).status,
              E::bad_syscall); // just above the spec's last
    EXPECT_EQ(call(abi::Syscall(~Word{0})).status, E::bad_syscall);
}

TEST_F(Caps, EndpointCreateChargesTheCallerAndGivesAllRights) {
    EXPECT_EQ(m.endpoint_create(thread, 4), E::ok);
    EXPECT_EQ(m.used(root), kBootUsed + 128);
    Word type, rights, badge;
    ASSERT_EQ(info(4, type, rights, badge), E::ok);
    EXPECT_EQ(type, Word(T::endpoint));
    EXPECT_EQ(rights, 0x1fu);
    EXPECT_EQ(badge, 0u);
    EXPECT_EQ(m.endpoint_create(thread, 4), E::slot_occupied);
    EXPECT_EQ(m.endpoint_create(thread, 0), E::bad_selector);
    EXPECT_EQ(m.endpoint_create(thread, 256), E::bad_selector) << "2^8 slots: 255 is the last";
    EXPECT_EQ(m.endpoint_create(thread, 255), E::ok);
    EXPECT_EQ(m.used(root), kBootUsed + 256);
}

TEST_F(Caps, CapInfoAndPdQuotaResultRegisters) {
    Outcome q = call(abi::Syscall::pd_quota, {7, 8, 9});
    EXPECT_EQ(q, (Outcome{E::ok, {kLimit, kBootUsed, 9}}));
    Outcome i = call(abi::Syscall::cap_info, {kIrqControl, 5, 6});
    EXPECT_EQ(i, (Outcome{E::ok, {Word(T::irq_control), kAll, 0}}));
    Outcome bad = call(abi::Syscall::cap_info, {77, 5, 6});
    EXPECT_EQ(bad, (Outcome{E::bad_selector, {77, 5, 6}})) << "registers preserved on error";
}

TEST_F(Caps, PdCreateErrorsInDocumentedOrder) {
    EXPECT_EQ(m.pd_create(thread, 0, 1 << 30, 3), E::invalid_argument) << "decode first";
    EXPECT_EQ(m.pd_create(thread, 0, 1 << 30, 13), E::invalid_argument);
    EXPECT_EQ(m.pd_create(thread, 0, 1 << 30, 4), E::bad_selector) << "then the destination";
    EXPECT_EQ(m.pd_create(thread, kSelf, 1 << 30, 4), E::slot_occupied);
    EXPECT_EQ(m.pd_create(thread, 9, 1 << 30, 4), E::quota_exhausted) << "then quota";
    EXPECT_EQ(m.pd_create(thread, 9, ~Word{0}, 4), E::quota_exhausted) << "no overflow";
    Word all_free = kLimit - kBootUsed - kPdCharge16;
    EXPECT_EQ(m.pd_create(thread, 9, all_free + 1, 4), E::quota_exhausted);
    EXPECT_EQ(m.used(root), kBootUsed);
    EXPECT_EQ(m.pd_create(thread, 9, all_free, 4), E::ok) << "exactly everything fits";
    EXPECT_EQ(free_quota(root), 0u);
    EXPECT_EQ(m.endpoint_create(thread, 10), E::quota_exhausted);
    EXPECT_EQ(m.cap_delete(thread, 9), E::ok);
    EXPECT_EQ(m.pd_create(thread, 9, 0, 4), E::ok) << "a PD without quota: its creator paid all it has";
    EXPECT_EQ(m.used(at(9)->object), 0u);
}

TEST_F(Caps, PdCreateMovesQuotaAndDestructionReturnsIt) {
    ObjId c = child(9, 100000);
    EXPECT_EQ(m.limit(root), kLimit - 100000);
    EXPECT_EQ(m.used(root), kBootUsed + kPdCharge16);
    EXPECT_EQ(m.limit(c), 100000u);
    EXPECT_EQ(m.used(c), 0u);
    EXPECT_EQ(m.slots(c), 16u);
    EXPECT_EQ(m.cap_delete(thread, 9), E::ok);
    EXPECT_FALSE(m.alive(c));
    EXPECT_EQ(m.limit(root), kLimit);
    EXPECT_EQ(m.used(root), kBootUsed);
}

TEST_F(Caps, ThreadCreateChargesCallerAndTargetPagesTables) {
    ObjId c = child(9, 100000);
    Word before = m.used(root);
    EXPECT_EQ(m.thread_create(thread, 10, 9, 0x7000, 5, 1), E::ok);
    EXPECT_EQ(m.used(root), before + 1024 + 4096 + 4096 + 128);
    EXPECT_EQ(m.used(c), 3u * 4096) << "a fresh address space needs three tables below the top";
    EXPECT_EQ(m.thread_create(thread, 11, 9, 0x8000, 5, 1), E::ok);
    EXPECT_EQ(m.used(c), 3u * 4096) << "same 2 MiB region: no new table";
    EXPECT_EQ(m.thread_create(thread, 12, 9, 0x8000, 5, 1), E::mapping_conflict);
    EXPECT_EQ(m.thread_create(thread, 12, 9, 0x200000, 5, 0), E::ok);
    EXPECT_EQ(m.used(c), 4u * 4096);
    // Deleting threads refunds the caller; the tables stay with the address space.
    EXPECT_EQ(m.cap_delete(thread, 10), E::ok);
    EXPECT_EQ(m.cap_delete(thread, 11), E::ok);
    EXPECT_EQ(m.cap_delete(thread, 12), E::ok);
    EXPECT_EQ(m.used(root), before);
    EXPECT_EQ(m.used(c), 4u * 4096);
    EXPECT_TRUE(m.state().pds.at(c).utcbs.empty());
}

TEST_F(Caps, ThreadCreateErrorsInDocumentedOrder) {
    EXPECT_EQ(m.endpoint_create(thread, 4), E::ok);
    EXPECT_EQ(m.thread_create(thread, 0, 77, 3, 256, 2), E::invalid_argument) << "prio above 255";
    EXPECT_EQ(m.thread_create(thread, 0, 77, 3, 255, 2), E::invalid_argument) << "cpu 2 of 2";
    EXPECT_EQ(m.thread_create(thread, 0, 77, 3, 255, 1), E::bad_selector) << "pd";
    EXPECT_EQ(m.thread_create(thread, 0, 4, 3, 255, 1), E::wrong_type);
    EXPECT_EQ(m.cap_copy(thread, kSelf, kSelf, 5, kAll & ~r::control, 0), E::ok);
    EXPECT_EQ(m.thread_create(thread, 0, 5, 3, 255, 1), E::missing_rights);
    EXPECT_EQ(m.thread_create(thread, 0, kSelf, 3, 255, 1), E::bad_selector) << "dest";
    EXPECT_EQ(m.thread_create(thread, 4, kSelf, 3, 255, 1), E::slot_occupied);
    EXPECT_EQ(m.thread_create(thread, 6, kSelf, 3, 255, 1), E::bad_address) << "utcb misaligned";
    EXPECT_EQ(m.thread_create(thread, 6, kSelf, abi::user_end, 255, 1), E::bad_address);
    EXPECT_EQ(m.thread_create(thread, 6, kSelf, kRootUtcb, 255, 1), E::mapping_conflict);
    EXPECT_EQ(m.thread_create(thread, 6, kSelf, kMem, 255, 1), E::mapping_conflict);
    ObjId c = child(9, 2 * 4096); // room for two of the three tables a UTCB needs
    EXPECT_EQ(m.thread_create(thread, 6, 9, 0, 0, 0), E::quota_exhausted);
    EXPECT_EQ(m.used(c), 0u);
    EXPECT_EQ(m.thread_create(thread, 6, kSelf, abi::user_end - 4096, 255, 1), E::ok);
}

TEST_F(Caps, CapCopyBuildsADerivationTreeThatRevokeCutsDown) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 10, r::read | r::grant, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 10, kSelf, 11, r::read | r::grant, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 11, kSelf, 12, r::read, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 13, r::write, 0), E::ok);
    EXPECT_EQ(at(12)->rights, r::read);
    EXPECT_EQ(at(12)->object, at(4)->object);
    EXPECT_EQ(m.cap_revoke(thread, 10), E::ok);
    EXPECT_TRUE(at(10));
    EXPECT_FALSE(at(11));
    EXPECT_FALSE(at(12));
    EXPECT_TRUE(at(13));
    EXPECT_EQ(m.cap_delete(thread, 4), E::ok) << "delete revokes first";
    EXPECT_FALSE(at(10));
    EXPECT_FALSE(at(13));
    EXPECT_EQ(m.used(root), kBootUsed) << "the endpoint died with its last capability";
}

TEST_F(Caps, CapCopyErrorsInDocumentedOrder) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.notification_create(thread, 5), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 6, r::read, 0), E::ok);                // no grant
    ASSERT_EQ(m.cap_copy(thread, kSelf, kSelf, 7, kAll & ~r::control, 0), E::ok); // pd without control
    EXPECT_EQ(m.cap_copy(thread, 0, 0, 0, 0x20, 0), E::invalid_argument) << "rights bit 5";
    EXPECT_EQ(m.cap_copy(thread, 0, 0, 0, 0, 0), E::bad_selector) << "src";
    EXPECT_EQ(m.cap_copy(thread, 4, 300, 0, 0, 0), E::bad_selector) << "pd";
    EXPECT_EQ(m.cap_copy(thread, 6, 5, 0, 0, 0), E::wrong_type) << "pd is a notification";
    EXPECT_EQ(m.cap_copy(thread, 6, 7, 0, 0, 0), E::missing_rights) << "src lacks grant";
    EXPECT_EQ(m.cap_copy(thread, 4, 7, 0, 0, 0), E::missing_rights) << "pd lacks control";
    EXPECT_EQ(m.cap_copy(thread, 6, kSelf, 0, r::read, 0), E::missing_rights) << "src lacks grant";
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 8, r::read | r::grant, 0), E::ok);
    EXPECT_EQ(m.cap_copy(thread, 8, kSelf, 0, r::write, 0), E::missing_rights) << "more than the source";
    EXPECT_EQ(m.cap_copy(thread, 5, kSelf, 0, 0, 9), E::invalid_argument) << "badge on a notification";
    EXPECT_EQ(m.cap_copy(thread, 4, kSelf, 0, 0, 9), E::bad_selector) << "dest 0";
    EXPECT_EQ(m.cap_copy(thread, 4, kSelf, 256, 0, 9), E::bad_selector) << "dest outside";
    EXPECT_EQ(m.cap_copy(thread, 4, kSelf, 4, 0, 9), E::self_reference) << "into its own slot";
    EXPECT_EQ(m.cap_copy(thread, 4, kSelf, 5, 0, 9), E::slot_occupied);
    ObjId c = child(9, 100000);
    EXPECT_EQ(m.cap_copy(thread, 4, 9, 4, r::read, 9), E::ok) << "same selector in another space";
    EXPECT_EQ(m.cap_copy(thread, 4, 9, 16, r::read, 9), E::bad_selector) << "child has 16 slots";
    EXPECT_EQ(m.cap_at(c, 4)->badge, 9u);
}

TEST_F(Caps, BadgesOnlyOnUnbadgedEndpoints) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 5, kAll, 0xbeef), E::ok);
    EXPECT_EQ(at(5)->badge, 0xbeefu);
    EXPECT_EQ(m.cap_copy(thread, 5, kSelf, 6, kAll, 1), E::invalid_argument) << "rebadging";
    EXPECT_EQ(m.cap_copy(thread, 5, kSelf, 6, r::grant, 0), E::ok);
    EXPECT_EQ(at(6)->badge, 0xbeefu) << "badge 0 keeps the source's";
    EXPECT_EQ(m.cap_copy(thread, kSelf, kSelf, 7, kAll, 1), E::invalid_argument);
}

TEST_F(Caps, CapGrantMovesAndKeepsTheTreePlace) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 5, kAll, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 5, kSelf, 6, kAll, 0), E::ok);
    ObjId c = child(9, 100000);
    EXPECT_EQ(m.cap_grant(thread, 5, 9, 5, kAll | 0x40), E::invalid_argument);
    EXPECT_EQ(m.cap_grant(thread, 5, kSelf, 5, r::read), E::self_reference);
    EXPECT_EQ(m.cap_grant(thread, 5, 9, 3, r::read), E::ok);
    EXPECT_FALSE(at(5));
    EXPECT_EQ(m.cap_at(c, 3)->rights, r::read);
    EXPECT_EQ(at(6)->rights, r::read) << "derived capabilities lose what the moved one lost";
    EXPECT_EQ(m.cap_revoke(thread, 4), E::ok) << "the moved cap is still a child of 4";
    EXPECT_FALSE(m.cap_at(c, 3));
    EXPECT_FALSE(at(6));
}

TEST_F(Caps, CapGrantTakesTheLostRightsFromEverythingDerived) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 5, r::read | r::write | r::grant, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 5, kSelf, 6, r::write | r::grant, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 6, kSelf, 7, r::write, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 5, kSelf, 8, r::read | r::grant, 0), E::ok);
    EXPECT_EQ(m.cap_grant(thread, 5, kSelf, 9, r::read | r::write | r::grant | r::exec), E::missing_rights);
    ASSERT_EQ(m.cap_grant(thread, 5, kSelf, 9, r::read | r::grant), E::ok);
    EXPECT_EQ(at(9)->rights, r::read | r::grant);
    EXPECT_EQ(at(6)->rights, r::grant);
    EXPECT_EQ(at(7)->rights, 0u);
    EXPECT_EQ(at(8)->rights, r::read | r::grant);
    EXPECT_EQ(at(4)->rights, kAll) << "ancestors keep theirs";
}

TEST_F(Caps, WithoutTheMemorySideUtcbsCostNoPageTables) {
    Model plain{Config{1, 24, false}};
    ObjId pd = plain.boot_pd(kLimit, 0, 8);
    ObjId t = plain.boot_thread(pd, kRootUtcb);
    plain.boot_cap(pd, kSelf, pd, kAll);
    ASSERT_EQ(plain.pd_create(t, 9, 50000, 4), E::ok);
    ObjId c = plain.cap_at(pd, 9)->object;
    EXPECT_EQ(plain.thread_create(t, 10, 9, 0x1000, 0, 0), E::ok);
    EXPECT_EQ(plain.used(c), 0u);
    EXPECT_EQ(plain.used(pd), kPdCharge16 + 1024 + 4096 + 4096 + 128);
    EXPECT_EQ(plain.thread_create(t, 11, 9, 0x1000, 0, 0), E::mapping_conflict) << "UTCBs still collide";
    EXPECT_EQ(plain.thread_create(t, 11, 9, 0x1000, 0, 1), E::invalid_argument) << "one CPU";
    for (const auto& v : plain.check()) ADD_FAILURE() << v;
}

TEST_F(Caps, DeletingWhatKeepsTheCallerAliveIsSelfReference) {
    EXPECT_EQ(m.cap_delete(thread, kThread), E::self_reference) << "last cap of the calling thread";
    EXPECT_EQ(m.cap_delete(thread, kSelf), E::self_reference) << "last cap of the caller's PD";
    ASSERT_EQ(m.cap_copy(thread, kSelf, kSelf, 20, kAll, 0), E::ok);
    EXPECT_EQ(m.cap_delete(thread, kSelf), E::self_reference) << "its copy goes first";
    EXPECT_EQ(m.cap_revoke(thread, kSelf), E::ok) << "the PD keeps sel 1";
    EXPECT_FALSE(at(20));
    ASSERT_EQ(m.cap_copy(thread, kSelf, kSelf, 20, kAll, 0), E::ok);
    EXPECT_EQ(m.cap_delete(thread, 20), E::ok);
    ASSERT_EQ(m.cap_grant(thread, kSelf, kSelf, 21, kAll), E::ok);
    EXPECT_EQ(m.cap_delete(thread, 21), E::self_reference);
    EXPECT_TRUE(at(21));
    EXPECT_EQ(m.cap_delete(thread, 99), E::bad_selector);
}

/// A thread in a child PD makes calls of its own: objects it pays for die with the child.
TEST_F(Caps, ObjectsDieWithThePdThatPaidForThem) {
    ObjId c = child(9, 100000);
    ASSERT_EQ(m.thread_create(thread, 10, 9, 0x1000, 1, 0), E::ok);
    ObjId worker = at(10)->object;
    ASSERT_EQ(m.cap_copy(thread, kSelf, 9, 1, r::control, 0), E::ok); // the child may give caps to root
    ASSERT_EQ(m.endpoint_create(worker, 2), E::ok);
    EXPECT_EQ(m.used(c), 3u * 4096 + 128);
    ASSERT_EQ(m.cap_grant(worker, 2, 1, 30, kAll), E::ok);
    EXPECT_EQ(at(30)->type, T::endpoint);
    Word used_before_child = kBootUsed;
    EXPECT_EQ(m.cap_delete(thread, 9), E::ok);
    EXPECT_FALSE(m.alive(c));
    EXPECT_FALSE(m.alive(worker)) << "threads die with their PD";
    EXPECT_FALSE(at(30)) << "the endpoint the child paid for died with it";
    EXPECT_FALSE(at(10));
    EXPECT_EQ(m.used(root), used_before_child);
    EXPECT_EQ(m.limit(root), kLimit);
}

TEST_F(Caps, DestroyingThePayerOfTheCallersPdIsSelfReference) {
    child(9, 100000);
    ASSERT_EQ(m.thread_create(thread, 10, 9, 0x1000, 1, 0), E::ok);
    ObjId worker = at(10)->object;
    ASSERT_EQ(m.cap_grant(thread, kSelf, 9, 1, kAll), E::ok); // root's only self capability
    EXPECT_EQ(m.cap_delete(worker, 1), E::self_reference) << "root would die, and the worker's PD with it";
    EXPECT_EQ(m.cap_revoke(worker, 1), E::ok) << "revoke never destroys the object itself";
}

TEST_F(Caps, ThreadConfigureChecksEndpointsAndClearsWithZero) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.notification_create(thread, 5), E::ok);
    ASSERT_EQ(m.cap_copy(thread, kThread, kSelf, 6, r::read, 0), E::ok);
    EXPECT_EQ(m.thread_configure(thread, 0, 4, 4), E::bad_selector);
    EXPECT_EQ(m.thread_configure(thread, kThread, 44, 4), E::bad_selector);
    EXPECT_EQ(m.thread_configure(thread, kThread, 4, 44), E::bad_selector);
    EXPECT_EQ(m.thread_configure(thread, 4, 4, 4), E::wrong_type);
    EXPECT_EQ(m.thread_configure(thread, kThread, 5, 4), E::wrong_type);
    EXPECT_EQ(m.thread_configure(thread, kThread, 4, 5), E::wrong_type);
    EXPECT_EQ(m.thread_configure(thread, 6, 4, 4), E::missing_rights);
    EXPECT_EQ(m.thread_configure(thread, kThread, 4, 0), E::ok);
    ObjId ep = at(4)->object;
    EXPECT_EQ(m.state().objects.at(thread).pager, ep);
    EXPECT_EQ(m.state().objects.at(thread).exception, 0u);
    ASSERT_EQ(m.cap_copy(thread, 4, kSelf, 7, r::write, 0x77), E::ok);
    EXPECT_EQ(m.thread_configure(thread, kThread, 4, 7), E::ok);
    EXPECT_EQ(m.state().objects.at(thread).exception, ep);
    EXPECT_EQ(m.state().objects.at(thread).exception_badge, 0x77u) << "the thread keeps the badge";
    EXPECT_EQ(m.state().objects.at(thread).pager_badge, 0u);
    EXPECT_EQ(m.cap_delete(thread, 4), E::ok);
    EXPECT_EQ(m.state().objects.at(thread).pager, 0u) << "a dead endpoint is no pager";
    EXPECT_EQ(m.state().objects.at(thread).exception, 0u);
    EXPECT_EQ(m.state().objects.at(thread).exception_badge, 0u);
}

TEST_F(Caps, IrqCreateAndBind) {
    ASSERT_EQ(m.notification_create(thread, 5), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 5, kSelf, 6, r::read, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, kIrqControl, kSelf, 7, kAll & ~r::control, 0), E::ok);
    EXPECT_EQ(m.irq_create(thread, 0, 0, 24), E::invalid_argument);
    EXPECT_EQ(m.irq_create(thread, 0, 0, 23), E::bad_selector);
    EXPECT_EQ(m.irq_create(thread, 0, 5, 23), E::wrong_type);
    EXPECT_EQ(m.irq_create(thread, 0, 7, 23), E::missing_rights);
    EXPECT_EQ(m.irq_create(thread, 0, kIrqControl, 23), E::bad_selector);
    EXPECT_EQ(m.irq_create(thread, 10, kIrqControl, 23), E::ok);
    EXPECT_EQ(m.used(root), kBootUsed + 128 + 128);
    EXPECT_EQ(m.irq_create(thread, 11, kIrqControl, 23), E::invalid_argument) << "line taken";
    EXPECT_EQ(m.irq_bind(thread, 10, 5, 64), E::invalid_argument);
    EXPECT_EQ(m.irq_bind(thread, 99, 5, 63), E::bad_selector);
    EXPECT_EQ(m.irq_bind(thread, 10, 99, 63), E::bad_selector);
    EXPECT_EQ(m.irq_bind(thread, 5, 5, 63), E::wrong_type);
    EXPECT_EQ(m.irq_bind(thread, 10, 10, 63), E::wrong_type);
    EXPECT_EQ(m.irq_bind(thread, 10, 6, 63), E::missing_rights) << "notification without write";
    EXPECT_EQ(m.irq_bind(thread, 10, 5, 63), E::ok);
    ObjId irq = at(10)->object;
    EXPECT_EQ(m.state().objects.at(irq).bit, 63u);
    EXPECT_EQ(m.cap_delete(thread, 5), E::ok);
    EXPECT_EQ(m.state().objects.at(irq).bound_to, 0u);
    EXPECT_EQ(m.cap_delete(thread, 10), E::ok);
    EXPECT_EQ(m.irq_create(thread, 11, kIrqControl, 23), E::ok) << "the line is free again";
}

TEST_F(Caps, IoCreateChecksTheRangeThenTheControlCapability) {
    using Ranges = std::vector<std::pair<Word, Word>>;
    m.boot_cap(root, kIoControl, m.boot_object(T::io_control), kAll);
    ASSERT_EQ(m.cap_copy(thread, kIoControl, kSelf, 7, kAll & ~r::control, 0), E::ok);
    EXPECT_EQ(m.io_create(thread, 10, kIoControl, 0x3f8, 0), E::invalid_argument) << "empty range";
    EXPECT_EQ(m.io_create(thread, 10, kIoControl, 65536, 1), E::invalid_argument) << "first beyond the ports";
    EXPECT_EQ(m.io_create(thread, 10, kIoControl, 65535, 2), E::invalid_argument)
        << "runs past the last port";
    EXPECT_EQ(m.io_create(thread, 10, kIoControl, 1, ~Word{0}), E::invalid_argument) << "first + count wraps";
    EXPECT_EQ(m.io_create(thread, 10, 0, 0x3f8, 8), E::bad_selector);
    EXPECT_EQ(m.io_create(thread, 10, kIrqControl, 0x3f8, 8), E::wrong_type);
    EXPECT_EQ(m.io_create(thread, 10, 7, 0x3f8, 8), E::missing_rights);
    EXPECT_EQ(m.io_create(thread, kSelf, kIoControl, 0x3f8, 8), E::slot_occupied);
    EXPECT_EQ(m.used(root), kBootUsed);
    EXPECT_EQ(m.io_create(thread, 10, kIoControl, 0x3f8, 8), E::ok);
    EXPECT_EQ(m.io_create(thread, 11, kIoControl, 0xfff8, 8), E::ok) << "the last ports";
    EXPECT_EQ(m.io_create(thread, 12, kIoControl, 0x3fc, 8), E::ok) << "ranges may overlap";
    EXPECT_EQ(m.used(root), kBootUsed + 3 * abi::charge::io_ports);
    EXPECT_EQ(m.usable_ports(root), (Ranges{{0x3f8, 0x404}, {0xfff8, 0x10000}}));
}

TEST_F(Caps, PortUseFollowsCapabilitiesWithReadAndWrite) {
    using Ranges = std::vector<std::pair<Word, Word>>;
    m.boot_cap(root, kIoControl, m.boot_object(T::io_control), kAll);
    ObjId c = child(9, 100000);
    ASSERT_EQ(m.io_create(thread, 10, kIoControl, 0x60, 1), E::ok);
    EXPECT_EQ(m.cap_copy(thread, 10, 9, 5, r::read, 0), E::ok);
    EXPECT_EQ(m.usable_ports(c), Ranges{}) << "read alone does not let a domain use a port";
    EXPECT_EQ(m.cap_copy(thread, 10, 9, 6, r::read | r::write, 0), E::ok);
    EXPECT_EQ(m.usable_ports(c), (Ranges{{0x60, 0x61}}));
    EXPECT_EQ(m.cap_revoke(thread, 10), E::ok);
    EXPECT_EQ(m.usable_ports(c), Ranges{}) << "revoked with the copies";
    EXPECT_EQ(m.usable_ports(root), (Ranges{{0x60, 0x61}})) << "the revoked capability itself stays";
    EXPECT_EQ(m.cap_grant(thread, 10, 9, 7, r::all), E::ok);
    EXPECT_EQ(m.usable_ports(root), Ranges{}) << "granted away";
    EXPECT_EQ(m.usable_ports(c), (Ranges{{0x60, 0x61}}));
}

TEST(CapsMmio, MmioCreateChecksTheRangeTypeAndAliasing) {
    // A machine whose device memory is [0xa0000, 0xc0000) and [0xe0000000, 0xf0000000).
    Config config{2, 24};
    config.device_memory = [](Word base, Word end) {
        auto inside = [&](Word lo, Word hi) { return base >= lo && end <= hi; };
        return base < end && (inside(0xa0000, 0xc0000) || inside(0xe000'0000, 0xf000'0000));
    };
    Model m{config};
    const ObjId root = m.boot_pd(kLimit, kBootUsed, kRootOrder);
    const ObjId thread = m.boot_thread(root, kRootUtcb);
    m.boot_cap(root, 1, root, kAll);
    m.boot_cap(root, 5, m.boot_object(T::mmio_control), kAll);
    ASSERT_EQ(m.cap_copy(thread, 5, 1, 6, kAll & ~r::control, 0), E::ok);
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xb8000, 1, 2), E::invalid_argument) << "no such memory type";
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xb8001, 1, 0), E::invalid_argument) << "misaligned";
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xb8000, 0, 0), E::invalid_argument) << "no page";
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xb8000, ~Word{0} / 4096, 0), E::invalid_argument) << "wraps";
    EXPECT_EQ(m.mmio_create(thread, 10, 5, abi::mmio_phys_limit, 1, 0), E::invalid_argument) << "beyond";
    EXPECT_EQ(m.mmio_create(thread, 10, 0, 0xb8000, 1, 0), E::bad_selector);
    EXPECT_EQ(m.mmio_create(thread, 10, 1, 0xb8000, 1, 0), E::wrong_type);
    EXPECT_EQ(m.mmio_create(thread, 10, 6, 0xb8000, 1, 0), E::missing_rights);
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0x100000, 1, 0), E::invalid_argument) << "RAM";
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xbf000, 2, 0), E::invalid_argument) << "ends in RAM";
    EXPECT_EQ(m.mmio_create(thread, 1, 5, 0xb8000, 1, 0), E::slot_occupied);
    EXPECT_EQ(m.used(root), kBootUsed);
    EXPECT_EQ(m.mmio_create(thread, 10, 5, 0xb8000, 8, abi::mmio_uncached), E::ok);
    EXPECT_EQ(m.used(root), kBootUsed + abi::charge::mmio);
    EXPECT_EQ(m.mmio_create(thread, 11, 5, 0xbc000, 2, abi::mmio_uncached), E::ok)
        << "the same type may overlap";
    EXPECT_EQ(m.mmio_create(thread, 12, 5, 0xbf000, 1, abi::mmio_write_combining), E::invalid_argument)
        << "another type over a live object's page";
    EXPECT_EQ(m.mmio_create(thread, 12, 5, 0xe000'0000, 16, abi::mmio_write_combining), E::ok);
    ASSERT_EQ(m.cap_delete(thread, 10), E::ok);
    ASSERT_EQ(m.cap_delete(thread, 11), E::ok);
    EXPECT_EQ(m.mmio_create(thread, 13, 5, 0xbf000, 1, abi::mmio_write_combining), E::ok)
        << "the other type once no live object covers the page";
    // mmio_map: decoding, selectors, types, rights, the object's pages, addresses, conflicts; then the
    // receiving domain pays, and the object's death takes the mappings and what was derived from them.
    ASSERT_EQ(m.pd_create(thread, 20, 100000, 4), E::ok);
    const ObjId child = m.cap_at(root, 20)->object;
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000000, 0, 1, r::write), E::invalid_argument) << "no read";
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000000, 0, 1, r::read | r::exec), E::invalid_argument);
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000000, 0, 0, r::read), E::invalid_argument) << "no page";
    EXPECT_EQ(m.mmio_map(thread, 99, 20, 0x1000000, 0, 1, r::read), E::bad_selector);
    EXPECT_EQ(m.mmio_map(thread, 12, 99, 0x1000000, 0, 1, r::read), E::bad_selector);
    EXPECT_EQ(m.mmio_map(thread, 20, 20, 0x1000000, 0, 1, r::read), E::wrong_type);
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000000, 16, 1, r::read), E::invalid_argument)
        << "past the object";
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000800, 0, 1, r::read), E::bad_address);
    const Word before = m.used(child);
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1000000, 2, 2, r::read | r::write | r::grant), E::ok);
    EXPECT_EQ(m.used(child), before + 2 * abi::charge::mapping + 3 * abi::charge::page_table);
    EXPECT_EQ(m.address_space(child).at(0x1001000),
              (PageView{0xe000'0000 + 3 * 4096, r::read | r::write | r::grant}));
    EXPECT_EQ(m.mmio_map(thread, 12, 20, 0x1001000, 0, 1, r::read), E::mapping_conflict);
    ASSERT_EQ(m.cap_delete(thread, 12), E::ok);
    EXPECT_TRUE(m.address_space(child).empty()) << "the object's death unmapped its pages";
    for (const auto& v : m.check()) ADD_FAILURE() << "model invariant: " << v;
}

TEST_F(Caps, MemMapCopiesPagesAndChargesTheReceiver) {
    ObjId c = child(9, 100000);
    Word src = fp::make(kMem, 14, r::read); // 4 pages
    EXPECT_EQ(m.mem_map(thread, src, 9, 0x200000, 0), E::ok);
    auto as = m.address_space(c);
    ASSERT_EQ(as.size(), 4u);
    EXPECT_EQ(as.at(0x203000), (PageView{kFrames + 0x3000, r::read | r::grant}));
    EXPECT_EQ(m.used(c), 3u * 4096 + 4 * 64);
    EXPECT_EQ(m.address_space(root).size(), 16u) << "copy: the caller keeps its pages";
    // The child's pages may be mapped onwards (grant inherited) but only with what they have.
    ASSERT_EQ(m.thread_create(thread, 10, 9, 0x1000, 1, 0), E::ok);
    ObjId worker = at(10)->object;
    ASSERT_EQ(m.cap_copy(thread, 9, 9, 1, r::control, 0), E::ok);
    EXPECT_EQ(m.mem_map(worker, fp::make(0x200000, 12, r::write), 1, 0x300000, 0), E::missing_rights);
    EXPECT_EQ(m.mem_map(worker, fp::make(0x200000, 12, r::read), 1, 0x300000, 0), E::ok);
    EXPECT_EQ(m.address_space(c).at(0x300000).frame, kFrames);
    // Unmapping at the root removes the derived pages everywhere; without `self` the root keeps its own.
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 12, 0), 0), E::ok);
    EXPECT_EQ(m.address_space(c).size(), 3u);
    EXPECT_EQ(m.address_space(root).size(), 16u);
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 16, 0), abi::unmap_self), E::ok);
    EXPECT_TRUE(m.address_space(root).empty());
    EXPECT_TRUE(m.address_space(c).empty());
    EXPECT_EQ(m.used(c), 4u * 4096) << "nodes refunded, tables kept";
}

TEST_F(Caps, MemMapErrorsInDocumentedOrder) {
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, kSelf, kSelf, 5, kAll & ~r::control, 0), E::ok);
    Word ok_src = fp::make(kMem, 13, r::read);
    EXPECT_EQ(m.mem_map(thread, fp::make(kMem, 11, 0), 0, 1, 2), E::bad_flexpage) << "order 11";
    EXPECT_EQ(m.mem_map(thread, fp::make(kMem, 22, 0), 0, 1, 2), E::bad_flexpage) << "order 22";
    EXPECT_EQ(m.mem_map(thread, fp::make(kMem + 0x1000, 13, 0), 0, 1, 2), E::bad_flexpage) << "misaligned";
    EXPECT_EQ(m.mem_map(thread, ok_src | 0x200, 0, 1, 2), E::bad_flexpage) << "reserved bit 9";
    EXPECT_EQ(m.mem_map(thread, ok_src, 0, 1, 2), E::invalid_argument) << "flags bit 1";
    EXPECT_EQ(m.mem_map(thread, ok_src, 0, 1, 0), E::bad_selector);
    EXPECT_EQ(m.mem_map(thread, ok_src, 4, 1, 0), E::wrong_type);
    EXPECT_EQ(m.mem_map(thread, ok_src, 5, 1, 0), E::missing_rights);
    EXPECT_EQ(m.mem_map(thread, ok_src, kSelf, 1, 0), E::bad_address) << "dest misaligned";
    EXPECT_EQ(m.mem_map(thread, fp::make(abi::user_end, 12, 0), kSelf, 0, 0), E::bad_address);
    EXPECT_EQ(m.mem_map(thread, ok_src, kSelf, abi::user_end - 0x1000, 0), E::bad_address) << "crosses";
    EXPECT_EQ(m.mem_map(thread, fp::make(0x800000, 13, 0), kSelf, 0x10000, 0), E::not_mapped);
    EXPECT_EQ(m.mem_map(thread, fp::make(kRootUtcb, 12, 0), kSelf, 0x10000, 0), E::missing_rights) << "utcb";
    EXPECT_EQ(m.mem_map(thread, ok_src, kSelf, kMem + 0x1000, 0), E::mapping_conflict) << "overlaps itself";
    EXPECT_EQ(m.mem_map(thread, ok_src, kSelf, 0, 0), E::mapping_conflict) << "covers the UTCB at 0x1000";
    ObjId c = child(9, 3 * 4096 + 64); // tables and one node, not two
    EXPECT_EQ(m.mem_map(thread, ok_src, 9, 0, 0), E::quota_exhausted);
    EXPECT_EQ(m.mem_map(thread, fp::make(kMem, 12, r::read), 9, 0, 0), E::ok);
    EXPECT_EQ(free_quota(c), 0u);
}

TEST_F(Caps, MemMapGrantMovesThePages) {
    ObjId c = child(9, 100000);
    ASSERT_EQ(m.mem_map(thread, fp::make(kMem, 13, r::read | r::write), 9, 0x10000, 0), E::ok);
    ASSERT_EQ(m.thread_create(thread, 10, 9, 0x1000, 1, 0), E::ok);
    ObjId worker = at(10)->object;
    ASSERT_EQ(m.cap_copy(thread, 9, 9, 1, r::control, 0), E::ok);
    Word used_before = m.used(c);
    EXPECT_EQ(m.mem_map(worker, fp::make(0x10000, 13, r::read), 1, 0x20000, abi::map_grant), E::ok);
    auto as = m.address_space(c);
    EXPECT_FALSE(as.count(0x10000));
    EXPECT_EQ(as.at(0x21000), (PageView{kFrames + 0x1000, r::read | r::grant}));
    EXPECT_EQ(m.used(c), used_before) << "two nodes charged, two refunded";
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 13, 0), 0), E::ok) << "moved pages stay derived from root's";
    EXPECT_TRUE(m.address_space(c).empty());
}

TEST_F(Caps, MemUnmapErrors) {
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 12, r::read), 0), E::bad_flexpage) << "rights must be 0";
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 12, 0) | 0x800, 0), E::bad_flexpage);
    EXPECT_EQ(m.mem_unmap(thread, fp::make(kMem, 12, 0), 2), E::invalid_argument);
    EXPECT_EQ(m.mem_unmap(thread, fp::make(abi::user_end, 21, 0), 0), E::bad_address);
    EXPECT_EQ(m.mem_unmap(thread, fp::make(0, 21, 0), abi::unmap_self), E::ok) << "unmapped pages: no error";
    EXPECT_EQ(m.address_space(root).size(), 16u) << "the UTCB is no mapping; kMem is above 2 MiB";
    EXPECT_TRUE(m.state().pds.at(root).utcbs.count(kRootUtcb));
}

TEST_F(Caps, DestroyingAPdRemovesEverythingDerivedFromItsCapsAndPages) {
    ObjId a = child(9, 200000);
    ObjId b = child(10, 100000);
    ASSERT_EQ(m.endpoint_create(thread, 4), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 4, 9, 1, kAll, 0), E::ok);
    ASSERT_EQ(m.cap_copy(thread, 10, 9, 2, kAll, 0), E::ok); // a holds a cap to b
    ASSERT_EQ(m.thread_create(thread, 11, 9, 0x1000, 1, 0), E::ok);
    ObjId worker = at(11)->object;
    ASSERT_EQ(m.cap_copy(worker, 1, 2, 1, r::read, 0), E::ok); // a -> b: derived from a's cap
    ASSERT_EQ(m.mem_map(thread, fp::make(kMem, 12, r::read), 9, 0x5000, 0), E::ok);
    ASSERT_EQ(m.mem_map(worker, fp::make(0x5000, 12, r::read), 2, 0x5000, 0), E::ok);
    EXPECT_EQ(m.address_space(b).size(), 1u);
    EXPECT_EQ(m.cap_delete(thread, 9), E::ok);
    EXPECT_FALSE(m.alive(a));
    EXPECT_TRUE(m.alive(b));
    EXPECT_FALSE(m.cap_at(b, 1)) << "b's cap was derived from one in a's space";
    EXPECT_TRUE(m.address_space(b).empty()) << "b's page was derived from one in a's address space";
    EXPECT_EQ(m.used(b), 3u * 4096);
    EXPECT_EQ(m.limit(root), kLimit - 100000);
}

} // namespace
