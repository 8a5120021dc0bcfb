// When a sanitizer stops a property test, RapidCheck never gets to print its "reproduce" line. Including this
// header (once per test binary) makes the sanitizer's death callback print the command that replays the run
// instead: the same RC_PARAMS (a fixed seed under ctest) and the one test that crashed.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JANUS_PROPTEST_SANITIZED 1
#include <sanitizer/common_interface_defs.h>
#endif
#endif

namespace proptest {

inline std::string& current_test() {
    static std::string name;
    return name;
}

inline void print_replay_line() {
    char exe[4096] = {};
    if (readlink("/proc/self/exe", exe, sizeof exe - 1) < 0) exe[0] = '\0';
    const char* params = std::getenv("RC_PARAMS");
    std::fprintf(
        stderr,
        "\nproptest: %s stopped by a sanitizer; replay it with:\n  RC_PARAMS=\"%s\" %s --gtest_filter=%s\n",
        current_test().c_str(), params ? params : "", exe, current_test().c_str());
}

class RememberCurrentTest final : public ::testing::EmptyTestEventListener {
    void OnTestStart(const ::testing::TestInfo& t) override {
        current_test() = std::string(t.test_suite_name()) + "." + t.name();
    }
};

struct InstallReplayOnCrash {
    InstallReplayOnCrash() {
        ::testing::UnitTest::GetInstance()->listeners().Append(new RememberCurrentTest);
#ifdef JANUS_PROPTEST_SANITIZED
        __sanitizer_set_death_callback(print_replay_line);
#endif
    }
};

inline InstallReplayOnCrash install_replay_on_crash;

} // namespace proptest
