// user/lib/string.cpp (compiled under janus_test_ names) against the host C library as the reference.
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "user/lib/testing/string_host.hpp"

namespace {

std::vector<unsigned char> pattern(std::size_t n) {
    std::vector<unsigned char> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>(i * 37 + 11);
    return v;
}

TEST(String, MemcpyCopiesExactlyN) {
    auto src = pattern(64);
    std::vector<unsigned char> dst(66, 0xee);
    EXPECT_EQ(janus_test_memcpy(dst.data() + 1, src.data(), 64), dst.data() + 1);
    EXPECT_EQ(std::memcmp(dst.data() + 1, src.data(), 64), 0);
    EXPECT_EQ(dst[0], 0xee);
    EXPECT_EQ(dst[65], 0xee);
}

TEST(String, MemmoveHandlesOverlapBothWays) {
    for (int shift : {-5, -1, 1, 5}) {
        auto ours = pattern(40), reference = pattern(40);
        janus_test_memmove(ours.data() + 10 + shift, ours.data() + 10, 20);
        std::memmove(reference.data() + 10 + shift, reference.data() + 10, 20);
        EXPECT_EQ(ours, reference) << "shift " << shift;
    }
}

TEST(String, MemsetUsesTheLowByte) {
    std::vector<unsigned char> v(10, 1);
    janus_test_memset(v.data() + 2, 0x1ab, 5);
    EXPECT_EQ(v, (std::vector<unsigned char>{1, 1, 0xab, 0xab, 0xab, 0xab, 0xab, 1, 1, 1}));
}

TEST(String, MemcmpSignMatchesTheCLibrary) {
    const unsigned char a[] = {1, 2, 0x80}, b[] = {1, 2, 0x7f};
    auto sign = [](int x) { return (x > 0) - (x < 0); };
    EXPECT_EQ(sign(janus_test_memcmp(a, b, 3)), sign(std::memcmp(a, b, 3)));
    EXPECT_EQ(sign(janus_test_memcmp(b, a, 3)), sign(std::memcmp(b, a, 3)));
    EXPECT_EQ(janus_test_memcmp(a, b, 2), 0);
    EXPECT_EQ(janus_test_memcmp(a, b, 0), 0);
}

TEST(String, StrlenAndStrcmp) {
    EXPECT_EQ(janus_test_strlen(""), 0u);
    EXPECT_EQ(janus_test_strlen("janus"), 5u);
    auto sign = [](int x) { return (x > 0) - (x < 0); };
    for (auto [a, b] : {std::pair{"abc", "abd"}, {"abc", "abc"}, {"ab", "abc"}, {"\x80", "a"}, {"", ""}})
        EXPECT_EQ(sign(janus_test_strcmp(a, b)), sign(std::strcmp(a, b))) << a << " vs " << b;
}

} // namespace
