// ByteView, the bounds-checked reader every boot parser goes through: reads and sub-views at the edges, and
// string copies at each length around the destination's capacity (a guard byte after the buffer catches a
// write one past it).
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "kernel/boot/byte_reader.hpp"

namespace {

using kernel::boot::ByteView;

std::array<std::byte, 16> bytes_of(const char* s) {
    std::array<std::byte, 16> a{};
    std::memcpy(a.data(), s, std::strlen(s) + 1);
    return a;
}

TEST(ByteView, ReadsAreLittleEndianAndStopAtTheEdge) {
    const std::array<std::byte, 6> data{std::byte{0x01}, std::byte{0x02}, std::byte{0x03},
                                        std::byte{0x04}, std::byte{0x05}, std::byte{0x06}};
    const ByteView v(data.data(), data.size(), 0x1000);
    std::uint32_t w = 0xdeadbeef;
    ASSERT_TRUE(v.read(2, w));
    EXPECT_EQ(w, 0x06050403u);
    w = 0xdeadbeef;
    EXPECT_FALSE(v.read(3, w)) << "two bytes short";
    EXPECT_EQ(w, 0xdeadbeefu) << "a refused read leaves the output alone";
    EXPECT_FALSE(v.read(7, w));
    EXPECT_FALSE(v.read(~std::size_t{0}, w));
    EXPECT_EQ(v.pa_at(4), 0x1004u);
    ByteView sub(nullptr, 0, 0);
    EXPECT_TRUE(v.sub(4, 2, sub));
    EXPECT_EQ(sub.size(), 2u);
    EXPECT_EQ(sub.pa(), 0x1004u);
    EXPECT_FALSE(v.sub(4, 3, sub));
    EXPECT_FALSE(v.sub(7, 0, sub));
}

// Capacity 5: up to 4 characters fit with their terminator; longer strings are cut to 4.
TEST(ByteView, StringsAreCutToTheCapacityAndAlwaysTerminated) {
    const struct {
        const char* in;
        const char* out;
    } cases[] = {{"", ""},          {"abc", "abc"},     {"abcd", "abcd"},
                 {"abcde", "abcd"}, {"abcdef", "abcd"}, {"abcdefghij", "abcd"}};
    for (const auto& c : cases) {
        const auto data = bytes_of(c.in);
        const ByteView v(data.data(), data.size(), 0);
        char dst[6];
        std::memset(dst, '#', sizeof dst);
        ASSERT_TRUE(v.copy_string(0, dst, 5)) << c.in;
        EXPECT_EQ(std::string(dst), c.out) << c.in;
        EXPECT_EQ(dst[5], '#') << "nothing written past the capacity, for \"" << c.in << "\"";
    }
}

// A string in the middle of the view: exactly its bytes and one terminator are written, nothing of what
// follows it (boot module names are copied whole into the root's module table, so a stray byte would reach
// ring 3).
TEST(ByteView, AStringAtAnOffsetWritesOnlyItselfAndItsTerminator) {
    const char raw[] = "xyz\0abc\0DEFGHIJ";
    std::array<std::byte, sizeof raw> data{};
    std::memcpy(data.data(), raw, sizeof raw);
    const ByteView v(data.data(), data.size(), 0);
    char dst[12];
    std::memset(dst, '#', sizeof dst);
    ASSERT_TRUE(v.copy_string(4, dst, 10));
    EXPECT_STREQ(dst, "abc");
    for (std::size_t i = 4; i < sizeof dst; ++i) EXPECT_EQ(dst[i], '#') << "byte " << i << " written";
}

TEST(ByteView, AStringWithoutATerminatorInTheViewIsRefused) {
    const auto data = bytes_of("abcdef");
    const ByteView v(data.data(), 6, 0); // the view ends before the NUL
    char dst[8] = "unset";
    EXPECT_FALSE(v.copy_string(0, dst, sizeof dst));
    EXPECT_STREQ(dst, "unset");
    EXPECT_TRUE(ByteView(data.data(), 7, 0).copy_string(2, dst, sizeof dst));
    EXPECT_STREQ(dst, "cdef");
}

} // namespace
