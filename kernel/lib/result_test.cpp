#include "kernel/lib/result.hpp"

#include <gtest/gtest.h>

namespace {

enum class Err { bad, worse };

kernel::Result<int, Err> half(int x) {
    if (x % 2) return kernel::fail(Err::bad);
    return x / 2;
}

TEST(Result, CarriesEitherAValueOrAnError) {
    auto ok = half(8);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value(), 4);
    auto bad = half(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Err::bad);
}

TEST(Result, MovesItsPayload) {
    struct Counted {
        int* live;
        explicit Counted(int* l) : live(l) { ++*live; }
        Counted(Counted&& o) : live(o.live) { ++*live; }
        ~Counted() { --*live; }
    };
    int live = 0;
    {
        kernel::Result<Counted, Err> a{Counted(&live)};
        kernel::Result<Counted, Err> b(std::move(a));
        EXPECT_EQ(live, 2);
    }
    EXPECT_EQ(live, 0);
}

} // namespace
