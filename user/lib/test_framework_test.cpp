// The ring-3 test framework, compiled for the host. The JANUS_TESTs below are this binary's whole registry:
// two pass, two fail, so every expectation here follows from this file alone.
#include <gtest/gtest.h>
#include <string>

#include "user/lib/test.hpp"

using janus::user::BufferSink;
namespace test = janus::user::test;

namespace {
int ran_first = 0;
}

JANUS_TEST(framework_passes) {
    ++ran_first;
    CHECK(1 + 1 == 2);
    CHECK_EQ(3u, 3u);
    CHECK_NE(1, 2);
}

JANUS_TEST(framework_fails_equal) {
    CHECK_EQ(2 + 2, 5);
    CHECK(true);
}

JANUS_TEST(framework_fails_twice) {
    CHECK(false);
    if (!CHECK_NE(4, 4)) t.note("note {}", 9);
}

JANUS_TEST(framework_empty) {}

namespace {

std::string run(const char* only = nullptr, test::Summary* summary = nullptr) {
    static char buffer[4096];
    BufferSink sink(buffer, sizeof buffer);
    test::Summary s = test::run_all(sink, only);
    if (summary) *summary = s;
    return std::string(sink.data(), sink.size());
}

TEST(TestFramework, RegistersEveryTestOnce) {
    ASSERT_EQ(test::cases_end() - test::cases_begin(), 4);
    EXPECT_STREQ(test::cases_begin()[0].name, "framework_passes");
    EXPECT_STREQ(test::cases_begin()[3].name, "framework_empty");
}

TEST(TestFramework, CountsAndReports) {
    ran_first = 0;
    test::Summary s;
    std::string out = run(nullptr, &s);
    EXPECT_EQ(ran_first, 1);
    EXPECT_EQ(s.passed, 2u);
    EXPECT_EQ(s.failed, 2u);
    EXPECT_NE(out.find("[pass] framework_passes\n"), std::string::npos) << out;
    // __FILE__ is absolute in host builds, relative in ring-3 builds (-fmacro-prefix-map): match its tail.
    EXPECT_NE(out.find("[FAIL] framework_fails_equal ("), std::string::npos) << out;
    EXPECT_NE(out.find("user/lib/test_framework_test.cpp:"), std::string::npos) << out;
    EXPECT_NE(out.find("CHECK_EQ(2 + 2, 5) failed: 4 != 5\n"), std::string::npos) << out;
    EXPECT_NE(out.find("CHECK(false) failed\n"), std::string::npos) << out;
    EXPECT_NE(out.find("CHECK_NE(4, 4) failed: both 4\n    note 9\n"), std::string::npos) << out;
    EXPECT_NE(out.find("[pass] framework_empty\n"), std::string::npos) << out;
    EXPECT_TRUE(out.ends_with("2 passed, 2 failed\n")) << out;
}

TEST(TestFramework, DetailsFollowTheirTestsResultLine) {
    std::string out = run();
    auto fail_line = out.find("[FAIL] framework_fails_twice");
    auto detail = out.find("CHECK(false) failed");
    ASSERT_NE(fail_line, std::string::npos);
    EXPECT_GT(detail, fail_line);
}

TEST(TestFramework, RunsOneTestByName) {
    test::Summary s;
    std::string out = run("framework_fails_equal", &s);
    EXPECT_EQ(s.passed, 0u);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(out.find("framework_passes"), std::string::npos) << out;
}

} // namespace
