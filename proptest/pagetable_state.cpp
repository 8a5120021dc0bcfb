// Model-based test of the page table (RapidCheck state machine): random sequences of map, unmap, protect and
// lookup, with allocation failures injected, run against the page table over fakes and against
// models/address_space. Every command's result, flush report and the translations around it (kernel lookup
// and the independent walker) must agree with the model; RapidCheck shrinks a failure to a minimal sequence
// and prints the seed that replays it (RC_PARAMS="seed=..." or "reproduce=...").
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include "kernel/mem/testing/page_table_oracle.hpp"

namespace {

using namespace kernel::mem;
using kernel::mem::testing::Oracle;
namespace pt = kernel::mem::testing;
using Model = models::AddressSpace;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

// Two 2 GiB windows, one in each canonical half, so that operations collide often and cross table boundaries.
rc::Gen<VirtAddr> gen_va(std::uint64_t align) {
    return rc::gen::apply(
        [align](bool high, unsigned gig, unsigned two_meg, unsigned page) {
            const VirtAddr base = high ? 0xffff'ff80'0000'0000 : 0x0000'0040'0000'0000;
            return (base + gig * G1 + two_meg * M2 + page * K4) & ~(align - 1);
        },
        rc::gen::arbitrary<bool>(), rc::gen::inRange(0u, 2u), rc::gen::inRange(0u, 6u),
        rc::gen::weightedOneOf<unsigned>({{3, rc::gen::inRange(0u, 4u)}, {1, rc::gen::inRange(0u, 512u)}}));
}

rc::Gen<PageSize> gen_size() {
    return rc::gen::weightedElement<PageSize>(
        {{6, PageSize::size_4k}, {3, PageSize::size_2m}, {1, PageSize::size_1g}});
}

rc::Gen<Rights> gen_rights() {
    return rc::gen::apply(
        [](bool w, bool x, bool u) {
            return Rights{w, x, u};
        },
        rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>());
}

const char* name(PageSize s) {
    return s == PageSize::size_4k ? "4K" : s == PageSize::size_2m ? "2M" : "1G";
}

struct Sut {
    Oracle oracle{512, 8};
};

using Command = rc::state::Command<Model, Sut>;

struct Map : Command {
    PageSize size = *gen_size();
    VirtAddr va = *gen_va(bytes_of(size));
    std::uint64_t pages = *rc::gen::inRange<std::uint64_t>(1, size == PageSize::size_4k ? 9 : 3);
    PhysAddr pa = *rc::gen::inRange<std::uint64_t>(0, 64) * bytes_of(size) +
                  0x100'0000'0000 * (size == PageSize::size_1g);
    Attributes attributes{
        *gen_rights(),
        *rc::gen::element(Cache::write_back, Cache::write_back, Cache::write_combining, Cache::uncached),
        *rc::gen::weightedElement<bool>({{4, false}, {1, true}})};
    std::uint64_t fail_at = *rc::gen::weightedOneOf<std::uint64_t>(
        {{3, rc::gen::just<std::uint64_t>(0)}, {1, rc::gen::inRange<std::uint64_t>(1, 5)}});

    void apply(Model& m) const override {
        m.map(va, pa, pages * bytes_of(size), bytes_of(size), pt::to_model(attributes.rights),
              pt::to_model(attributes.cache), attributes.global);
    }
    void run(const Model& m, Sut& s) const override {
        Model after = m;
        std::string r = s.oracle.map(after, va, pa, pages * bytes_of(size), size, attributes, fail_at);
        RC_ASSERT(r == "");
    }
    void show(std::ostream& os) const override {
        os << "map(va=0x" << std::hex << va << ", pa=0x" << pa << std::dec << ", " << pages << " x "
           << name(size) << ", w=" << attributes.rights.write << " x=" << attributes.rights.execute
           << " u=" << attributes.rights.user << " cache=" << int(attributes.cache)
           << " g=" << attributes.global << ", fail_at=" << fail_at << ")";
    }
};

struct Unmap : Command {
    VirtAddr va = *gen_va(K4);
    std::uint64_t bytes = *rc::gen::weightedOneOf<std::uint64_t>(
        {{3, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 9), [](std::uint64_t n) { return n * K4; })},
         {1, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 3), [](std::uint64_t n) { return n * M2; })},
         {1, rc::gen::just(G1)}});

    void apply(Model& m) const override { m.unmap(va, bytes); }
    void run(const Model& m, Sut& s) const override {
        Model after = m;
        RC_ASSERT(s.oracle.unmap(after, va, bytes) == "");
    }
    void show(std::ostream& os) const override {
        os << "unmap(va=0x" << std::hex << va << ", bytes=0x" << bytes << ")";
    }
};

struct Protect : Command {
    VirtAddr va = *gen_va(K4);
    std::uint64_t bytes = *rc::gen::weightedOneOf<std::uint64_t>(
        {{3, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 9), [](std::uint64_t n) { return n * K4; })},
         {1, rc::gen::just(M2)}});
    Rights rights = *gen_rights();
    std::uint64_t fail_at = *rc::gen::weightedOneOf<std::uint64_t>(
        {{3, rc::gen::just<std::uint64_t>(0)}, {1, rc::gen::inRange<std::uint64_t>(1, 4)}});

    void apply(Model& m) const override { m.protect(va, bytes, pt::to_model(rights)); }
    void run(const Model& m, Sut& s) const override {
        Model after = m;
        RC_ASSERT(s.oracle.protect(after, va, bytes, rights, fail_at) == "");
    }
    void show(std::ostream& os) const override {
        os << "protect(va=0x" << std::hex << va << ", bytes=0x" << bytes << std::dec << ", w=" << rights.write
           << " x=" << rights.execute << " u=" << rights.user << ", fail_at=" << fail_at << ")";
    }
};

struct Lookup : Command {
    VirtAddr va = *gen_va(K4) + *rc::gen::inRange<std::uint64_t>(0, K4);

    void run(const Model& m, Sut& s) const override { RC_ASSERT(s.oracle.lookup(m, va) == ""); }
    void show(std::ostream& os) const override { os << "lookup(0x" << std::hex << va << ")"; }
};

RC_GTEST_PROP(PageTableModel, RandomOperationSequencesAgreeWithTheModel, ()) {
    Model model;
    Sut sut;
    rc::state::check(model, sut,
                     rc::state::gen::execOneOfWithArgs<Map, Map, Unmap, Protect, Lookup, Lookup>());
}

// A deliberately wrong model must be caught: if the page table ignored protect, this property would pass
// only by accident. (Keeps the state machine honest: its checks can fail.)
TEST(PageTableModel, TheCheckCatchesADivergence) {
    Oracle oracle;
    Model model;
    ASSERT_EQ(oracle.map(model, 0x40'0000'0000, 0x1000, K4, PageSize::size_4k, Attributes{Rights{true}}), "");
    Model wrong = model;
    wrong.protect(0x40'0000'0000, K4, models::Rights{}); // the model changes, the page table does not
    EXPECT_NE(oracle.lookup(wrong, 0x40'0000'0000), "");
}

} // namespace
