// debug_write (docs/abi.md): its error scenarios for the registry (Errors/Scenarios, ErrorCoverage) and what
// reaches the console, on hostsim (whose console captures it). The bytes come from the caller's own mapped
// pages; the tests put text into UTCB pages, the one memory a TestKernel's domains have mapped.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "hostsim/machine.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/scenarios.hpp"

namespace kernel::testing {
namespace {

using S = spec::Syscall;
using E = spec::Error;
using Args = std::vector<std::uint64_t>;

constexpr std::uint64_t utcb = 0x1000; // the root thread's UTCB in a TestKernel (Options::root_utcb)
constexpr std::uint64_t num = static_cast<std::uint64_t>(S::debug_write);

Invocation root(Args args) {
    return Invocation{nullptr, std::move(args)};
}

ScenarioList debug_write_scenarios() {
    return {
        {"debug_write_invalid_argument_too_long", num, E::invalid_argument,
         [](TestKernel&) {
             return root({utcb, 4097});
         }},
        {"debug_write_invalid_argument_before_bad_address", num, E::invalid_argument,
         [](TestKernel&) {
             return root({0xffff'8000'0000'0000, ~std::uint64_t{0}});
         }},
        {"debug_write_bad_address_kernel_half", num, E::bad_address,
         [](TestKernel&) {
             return root({0xffff'ffff'8000'0000, 16});
         }},
        {"debug_write_bad_address_crosses_user_end", num, E::bad_address,
         [](TestKernel&) {
             return root({spec::user_end - 8, 16});
         }},
        {"debug_write_not_mapped", num, E::not_mapped,
         [](TestKernel&) {
             return root({0x40'0000, 1});
         }},
        {"debug_write_not_mapped_second_page", num, E::not_mapped,
         [](TestKernel&) {
             return root({utcb + 4096 - 8, 16});
         }},
    };
}

const bool registered = add_scenarios(&debug_write_scenarios);

void put_text(Thread& t, std::size_t offset, const char* text) {
    std::memcpy(static_cast<char*>(t.utcb_page) + offset, text, std::strlen(text));
}

/// Runs `body` with a TestKernel on a hostsim machine; returns what reached the console.
template <typename Body>
std::string console_of(Body body) {
    hostsim::Machine m;
    m.run([&] {
        TestKernel k;
        body(k);
    });
    return m.console();
}

TEST(DebugWrite, TheCallersBytesReachTheConsole) {
    std::string out = console_of([](TestKernel& k) {
        put_text(k.root_thread(), 100, "hello from ring 3\n");
        k.ok(S::debug_write, {utcb + 100, 18});
    });
    EXPECT_NE(out.find("hello from ring 3\n"), std::string::npos) << out;
}

TEST(DebugWrite, LengthZeroWritesNothingAndSucceedsAnywhereInUserSpace) {
    std::string out = console_of([](TestKernel& k) {
        EXPECT_EQ(k.call(S::debug_write, {0x40'0000, 0}).status, E::ok);
        EXPECT_EQ(k.call(S::debug_write, {spec::user_end, 0}).status, E::ok);
    });
    EXPECT_TRUE(out.empty()) << out;
}

TEST(DebugWrite, ABufferMaySpanTwoMappedPages) {
    std::string out = console_of([](TestKernel& k) {
        // A second root thread's UTCB right after the first: two adjacent mapped pages.
        k.ok(S::thread_create, {10, spec::root_sel::pd, utcb + 4096, 100, 0});
        put_text(k.root_thread(), 4096 - 4, "<spa");
        put_text(k.at<Thread>(k.root(), 10), 0, "n>\n");
        k.ok(S::debug_write, {utcb + 4096 - 4, 7});
    });
    EXPECT_NE(out.find("<span>\n"), std::string::npos) << out;
}

TEST(DebugWrite, ControlCharactersAreShownAsQuestionMarks) {
    std::string out = console_of([](TestKernel& k) {
        put_text(k.root_thread(), 0, "a\x1b[2Jb\tc\x7f\x01\n");
        k.ok(S::debug_write, {utcb, 11});
    });
    EXPECT_NE(out.find("a?[2Jb\tc??\n"), std::string::npos) << out;
}

TEST(DebugWrite, AnUnmappedPageAnywhereInTheBufferPrintsNothing) {
    std::string out = console_of([](TestKernel& k) {
        put_text(k.root_thread(), 4096 - 6, "secret");
        EXPECT_EQ(k.call(S::debug_write, {utcb + 4096 - 6, 7}).status, E::not_mapped);
    });
    EXPECT_EQ(out.find("secret"), std::string::npos) << out;
}

TEST(DebugWrite, TheBufferIsReadInTheCallersDomainNotTheRoots) {
    std::string out = console_of([](TestKernel& k) {
        Thread& child = k.child_with_thread(20, 1 << 16); // its UTCB at 0x10000; nothing at 0x1000
        put_text(k.root_thread(), 0, "root text");
        put_text(child, 0, "child text\n");
        EXPECT_EQ(k.call(child, S::debug_write, {utcb, 9}).status, E::not_mapped);
        EXPECT_EQ(k.call(child, S::debug_write, {0x10000, 11}).status, E::ok);
    });
    EXPECT_EQ(out.find("root text"), std::string::npos) << out;
    EXPECT_NE(out.find("child text\n"), std::string::npos) << out;
}

TEST(DebugWrite, TheLongestBufferIsAccepted) {
    std::string out = console_of([](TestKernel& k) {
        char* page = static_cast<char*>(k.root_thread().utcb_page);
        std::memset(page, 'x', 4096);
        page[4095] = '\n';
        k.ok(S::debug_write, {utcb, spec::debug_write_max});
    });
    EXPECT_NE(out.find(std::string(4095, 'x') + "\n"), std::string::npos);
}

} // namespace
} // namespace kernel::testing
