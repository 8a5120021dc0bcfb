// Capability spaces: selector bounds, chunking, and all-or-nothing creation.
#include <gtest/gtest.h>
#include <set>

#include "kernel/cap/cap_space.hpp"
#include "kernel/kmem/testing/host_pages.hpp"

namespace {

using namespace kernel;
using kernel::testing::HostPages;

TEST(CapSpace, SelectorZeroAndSelectorsBeyondTheSpaceNameNoSlot) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    CapSpace space;
    ASSERT_TRUE(space.create(kmem, 4));
    EXPECT_EQ(space.size(), 16u);
    EXPECT_EQ(space.slot(0), nullptr);
    EXPECT_NE(space.slot(1), nullptr);
    EXPECT_NE(space.slot(15), nullptr);
    EXPECT_EQ(space.slot(16), nullptr);
    EXPECT_EQ(space.slot(~std::uint64_t{0}), nullptr);
    EXPECT_EQ(space.cap(1), nullptr) << "a fresh space is empty";
    space.destroy(kmem);
    EXPECT_EQ(pages.outstanding(), 0u);
    EXPECT_EQ(space.size(), 0u) << "a destroyed space has no slots";
    EXPECT_EQ(space.slot(1), nullptr) << "and names none: its chunks are gone";
}

TEST(CapSpace, EverySelectorOfTheLargestSpaceHasItsOwnSlotAndMapsBack) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    CapSpace space;
    ASSERT_TRUE(space.create(kmem, CapSpace::max_order));
    EXPECT_EQ(pages.outstanding(), 32u) << "4096 slots of 32 bytes are 32 pages";
    std::set<const Slot*> seen;
    for (std::uint64_t sel = 1; sel < space.size(); ++sel) {
        Slot* s = space.slot(sel);
        ASSERT_NE(s, nullptr);
        EXPECT_TRUE(s->empty());
        EXPECT_TRUE(seen.insert(s).second) << sel;
        EXPECT_EQ(space.selector_of(s), sel);
    }
    Slot outside;
    EXPECT_EQ(space.selector_of(&outside), 0u);
    space.destroy(kmem);
    EXPECT_EQ(pages.outstanding(), 0u);
}

TEST(CapSpace, CreationThatRunsOutOfMemoryLeavesNothingAllocated) {
    HostPages pages(5);
    Kmem kmem;
    kmem.init(pages);
    CapSpace space;
    EXPECT_FALSE(space.create(kmem, 10)) << "needs 8 pages, 5 exist";
    EXPECT_EQ(pages.outstanding(), 0u);
    EXPECT_EQ(space.size(), 0u);
    EXPECT_TRUE(space.create(kmem, 5)) << "a small space still fits";
    space.destroy(kmem);
}

TEST(CapSpace, ValidOrdersAreFourToTwelve) {
    for (std::uint64_t order = 0; order < 70; ++order)
        EXPECT_EQ(CapSpace::valid_order(order), order >= 4 && order <= 12) << order;
}

} // namespace
