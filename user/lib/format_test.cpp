// The ring-3 formatter, compiled for the host.
#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <string>

#include "user/lib/abi_types.hpp"
#include "user/lib/format.hpp"

using namespace janus::user;

namespace {

template <typename... A>
std::string fmt(const char* format, const A&... args) {
    char buffer[256];
    BufferSink sink(buffer, sizeof buffer);
    print(sink, format, args...);
    return std::string(sink.data(), sink.size());
}

TEST(Format, LiteralTextPassesThrough) {
    EXPECT_EQ(fmt("plain"), "plain");
    EXPECT_EQ(fmt(""), "");
}

TEST(Format, Integers) {
    EXPECT_EQ(fmt("{} {} {}", 0u, 42, -7), "0 42 -7");
    EXPECT_EQ(fmt("{}", std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
    EXPECT_EQ(fmt("{}", std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(fmt("{x}", std::uint64_t{0xdeadbeef}), "0xdeadbeef");
    EXPECT_EQ(fmt("{x}", 0u), "0x0");
    EXPECT_EQ(fmt("{x}", std::numeric_limits<std::uint64_t>::max()), "0xffffffffffffffff");
}

TEST(Format, OtherTypes) {
    EXPECT_EQ(fmt("{}{}{}", 'a', true, false), "atruefalse");
    EXPECT_EQ(fmt("[{}]", "text"), "[text]");
    const char* none = nullptr;
    EXPECT_EQ(fmt("{}", none), "(null)");
    EXPECT_EQ(fmt("{}", Sel{7}), "7");
}

TEST(Format, ErrorsPrintByTheirSpecificationName) {
    EXPECT_EQ(fmt("{}", janus::abi::Error::bad_selector), "bad_selector");
    EXPECT_EQ(fmt("{}", janus::abi::Error::ok), "ok");
    EXPECT_EQ(fmt("{}", static_cast<janus::abi::Error>(999)), "999");
}

TEST(Format, BracesAndMissingArguments) {
    EXPECT_EQ(fmt("{{}} {}", 1), "{}} 1");
    EXPECT_EQ(fmt("{} {}", 1), "1 {?}");
    EXPECT_EQ(fmt("{", 1), "{");
    EXPECT_EQ(fmt("{y} {}", 1), "{y} 1");
    EXPECT_EQ(fmt("a", 1, 2), "a");
}

TEST(BufferSink, DropsWhatDoesNotFit) {
    char buffer[4] = {'.', '.', '.', '.'};
    BufferSink sink(buffer, 3);
    print(sink, "{}", 12345);
    EXPECT_EQ(std::string(sink.data(), sink.size()), "123");
    EXPECT_EQ(sink.dropped(), 2u);
    EXPECT_EQ(buffer[3], '.') << "nothing written past the capacity";
}

TEST(DebugLog, CollectsOutputAtItsSymbol) {
    janus_user_debug_log.length = 0;
    debug("hello {}\n", 3);
    EXPECT_EQ(janus_user_debug_log.magic, 0x676f4c73756e614au); // "JanusLog" read as a little-endian word
    EXPECT_EQ(std::string(janus_user_debug_log.text, janus_user_debug_log.length), "hello 3\n");

    char buffer[32];
    BufferSink other(buffer, sizeof buffer);
    set_debug_out(other);
    debug("elsewhere");
    set_debug_out(debug_log_sink());
    EXPECT_EQ(std::string(other.data(), other.size()), "elsewhere");
    EXPECT_EQ(janus_user_debug_log.length, 8u);
}

} // namespace
