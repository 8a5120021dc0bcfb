#include "kernel/lib/print.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <string>

namespace {

template <typename... Args>
std::string format(const Args&... args) {
    char buf[128];
    kernel::BufferSink sink(buf, sizeof buf);
    kernel::print_to(sink, args...);
    return std::string(sink.view().data(), sink.view().size());
}

TEST(Print, DecimalCoversTheWholeRangeOfSignedAndUnsigned) {
    EXPECT_EQ(format(0u), "0");
    EXPECT_EQ(format(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
    EXPECT_EQ(format(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(format(-1), "-1");
}

TEST(Print, HexIsPrefixedAndPaddedToTheRequestedWidth) {
    EXPECT_EQ(format(kernel::hex(0)), "0x0");
    EXPECT_EQ(format(kernel::hex(0xbeef, 8)), "0x0000beef");
    EXPECT_EQ(format(kernel::hex(~0ull)), "0xffffffffffffffff");
    EXPECT_EQ(format(kernel::hex(0x1, 40)), "0x0000000000000001"); // width is capped at 16 digits
}

TEST(Print, SizesUseTheLargestExactBinaryUnit) {
    EXPECT_EQ(format(kernel::size(0)), "0 bytes");
    EXPECT_EQ(format(kernel::size(1536)), "1536 bytes");
    EXPECT_EQ(format(kernel::size(4096)), "4 KiB");
    EXPECT_EQ(format(kernel::size(3ull << 30)), "3 GiB");
}

TEST(Print, MixedArgumentsConcatenate) {
    EXPECT_EQ(format("a=", 1, ' ', true, " p=", static_cast<const char*>(nullptr)), "a=1 true p=(null)");
}

TEST(Print, BufferSinkTruncatesAndStaysTerminated) {
    char buf[6];
    kernel::BufferSink sink(buf, sizeof buf);
    kernel::print_to(sink, "hello world");
    EXPECT_EQ(std::string(buf), "hello");
    EXPECT_TRUE(sink.truncated());
}

// A sink without room: writing nothing loses nothing; a single character is already lost.
TEST(Print, ASinkWithoutRoomIsTruncatedByTheFirstCharacterOnly) {
    kernel::BufferSink sink(nullptr, 0);
    kernel::print_to(sink, "");
    EXPECT_FALSE(sink.truncated()) << "an empty write";
    kernel::print_to(sink, 'x');
    EXPECT_TRUE(sink.truncated()) << "one character";
}

} // namespace
