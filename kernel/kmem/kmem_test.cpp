// Kmem: slab chunks and whole pages for kernel objects, over a PageSource that can run dry.
#include <cstdint>
#include <gtest/gtest.h>
#include <set>
#include <vector>

#include "kernel/kmem/kmem.hpp"
#include "kernel/kmem/testing/host_pages.hpp"

namespace {

using kernel::Kmem;
using kernel::testing::HostPages;

std::uintptr_t address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

TEST(Kmem, SmallObjectsShareOnePageWhichGoesBackWhenTheLastIsFreed) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    std::vector<void*> chunks;
    for (int i = 0; i < 10; ++i) chunks.push_back(kmem.allocate(128));
    std::set<std::uintptr_t> page_of;
    for (void* c : chunks) {
        ASSERT_NE(c, nullptr);
        page_of.insert(address(c) & ~std::uintptr_t{4095});
    }
    EXPECT_EQ(page_of.size(), 1u);
    EXPECT_EQ(pages.outstanding(), 1u);
    EXPECT_EQ(std::set<void*>(chunks.begin(), chunks.end()).size(), chunks.size())
        << "a chunk handed out twice";
    for (void* c : chunks) kmem.release(c, 128);
    EXPECT_EQ(pages.outstanding(), 0u);
    EXPECT_EQ(kmem.pages_held(), 0u);
}

TEST(Kmem, ChunksAreAlignedToTheirSizeClassAndNeverOverlapTheHeader) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    for (std::size_t size : {1u, 64u, 128u, 129u, 256u, 500u, 1024u}) {
        void* p = kmem.allocate(size);
        ASSERT_NE(p, nullptr) << size;
        EXPECT_EQ(address(p) % Kmem::min_alignment, 0u) << size;
        EXPECT_NE(address(p) % 4096, 0u) << "chunk 0 of a slab page holds its header";
        kmem.release(p, size);
    }
    EXPECT_EQ(pages.outstanding(), 0u);
}

TEST(Kmem, LargeAllocationsTakeWholePages) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    void* a = kmem.allocate(2048);
    void* b = kmem.allocate(4096);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(address(a) % 4096, 0u);
    EXPECT_EQ(address(b) % 4096, 0u);
    EXPECT_EQ(pages.outstanding(), 2u);
    EXPECT_EQ(kmem.allocate(4097), nullptr) << "nothing larger than a page";
    EXPECT_EQ(kmem.allocate(0), nullptr);
    kmem.release(a, 2048);
    kmem.release(b, 4096);
    EXPECT_EQ(pages.outstanding(), 0u);
}

TEST(Kmem, AnEmptyPageSourceGivesNullNeverAPanic) {
    HostPages pages(1);
    Kmem kmem;
    kmem.init(pages);
    void* page = kmem.allocate(4096);
    ASSERT_NE(page, nullptr);
    EXPECT_EQ(kmem.allocate(128), nullptr);
    EXPECT_EQ(kmem.allocate(4096), nullptr);
    kmem.release(page, 4096);
    void* chunk = kmem.allocate(128);
    EXPECT_NE(chunk, nullptr) << "memory given back is usable again";
    kmem.release(chunk, 128);
    EXPECT_EQ(pages.outstanding(), 0u);
}

TEST(Kmem, AFullSlabPageIsRefilledByFreesBeforeANewPageIsTaken) {
    HostPages pages;
    Kmem kmem;
    kmem.init(pages);
    // 1024-byte chunks: four fit a page, one of them holds the header, so three per page.
    std::vector<void*> first;
    for (int i = 0; i < 3; ++i) first.push_back(kmem.allocate(1024));
    EXPECT_EQ(pages.outstanding(), 1u);
    void* fourth = kmem.allocate(1024);
    EXPECT_EQ(pages.outstanding(), 2u) << "a full page cannot serve a fourth chunk";
    kmem.release(first[1], 1024);
    void* again = kmem.allocate(1024);
    EXPECT_EQ(again, first[1]) << "the freed chunk of the first page is reused";
    EXPECT_EQ(pages.outstanding(), 2u);
    for (void* p : {first[0], again, first[2], fourth}) kmem.release(p, 1024);
    EXPECT_EQ(pages.outstanding(), 0u);
}

} // namespace
