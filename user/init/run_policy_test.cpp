// When init ends the run and with which status; and its page pool.
#include "user/init/run_policy.hpp"

#include <gtest/gtest.h>

#include "user/init/page_pool.hpp"

namespace janus::init {
namespace {

constexpr Record server{State::running, true, 0};
constexpr Record client{State::running, false, 0};
Record exited(bool is_server, std::int64_t status) {
    return {State::exited, is_server, status};
}

TEST(RunPolicy, GoesOnWhileAClientRuns) {
    const Record r[] = {server, server, client};
    EXPECT_FALSE(judge(r, 3).ended);
}

TEST(RunPolicy, EndsWithSuccessWhenEveryClientExitedZero) {
    const Record r[] = {server, server, exited(false, 0), exited(false, 0)};
    const Verdict v = judge(r, 4);
    EXPECT_TRUE(v.ended);
    EXPECT_EQ(v.status, 0);
}

TEST(RunPolicy, AFaultOrANonZeroExitOrAComponentNotStartedFails) {
    const Record faulted_server[] = {{State::faulted, true, 0}, exited(false, 0)};
    EXPECT_EQ(judge(faulted_server, 2).status, 1);
    const Record bad_exit[] = {server, exited(false, -1)};
    EXPECT_TRUE(judge(bad_exit, 2).ended);
    EXPECT_EQ(judge(bad_exit, 2).status, 1);
    const Record skipped[] = {{State::not_started, true, 0}, exited(false, 0)};
    EXPECT_EQ(judge(skipped, 2).status, 1);
    const Record faulted_client_other_runs[] = {server, {State::faulted, false, 0}, client};
    EXPECT_FALSE(judge(faulted_client_other_runs, 3).ended);
}

TEST(RunPolicy, ClientsThatNeverStartedEndTheRunAtOnce) {
    const Record r[] = {server, {State::not_started, false, 0}};
    const Verdict v = judge(r, 2);
    EXPECT_TRUE(v.ended);
    EXPECT_EQ(v.status, 1);
}

TEST(RunPolicy, WithoutClientsTheServersAreSupervisedUntilAllEnd) {
    const Record r[] = {server, exited(true, 0)};
    EXPECT_FALSE(judge(r, 2).ended);
    const Record done[] = {exited(true, 0), exited(true, 0)};
    EXPECT_TRUE(judge(done, 2).ended);
    EXPECT_EQ(judge(done, 2).status, 0);
}

TEST(PagePool, HandsOutEachPageOnceAndRefusesWhatIsNotLeft) {
    PagePool pool(0x40'0000'0000, 5 * 4096 + 100); // the partial last page is not used
    EXPECT_EQ(pool.pages_left(), 5u);
    EXPECT_EQ(pool.take(2), 0x40'0000'0000u);
    EXPECT_EQ(pool.take(0), 0u);
    EXPECT_EQ(pool.take(4), 0u);
    EXPECT_EQ(pool.take(3), 0x40'0000'2000u);
    EXPECT_EQ(pool.take(1), 0u);
    EXPECT_EQ(pool.pages_left(), 0u);
    PagePool huge(0x1000, 4096);
    EXPECT_EQ(huge.take(~std::uint64_t{0} / 4096 + 1), 0u); // count * page would overflow
}

} // namespace
} // namespace janus::init
