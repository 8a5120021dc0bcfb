#include <gtest/gtest.h>

#include "kernel/sched/timeout_queue.hpp"

namespace kernel::sched {
namespace {

TEST(TimeoutQueue, ExpiresInDeadlineOrderAndOnlyWhenDue) {
    Entity a, b, c;
    TimeoutQueue q;
    q.insert(a, 300, 0);
    q.insert(b, 100, 0);
    q.insert(c, 200, 0);
    EXPECT_EQ(q.next_deadline(), 100u);
    EXPECT_EQ(q.pop_expired(99), nullptr) << "nothing is due before the first deadline";
    EXPECT_EQ(q.pop_expired(100), &b);
    EXPECT_FALSE(b.has_timeout());
    EXPECT_EQ(q.pop_expired(250), &c);
    EXPECT_EQ(q.pop_expired(250), nullptr);
    EXPECT_EQ(q.next_deadline(), 300u);
    EXPECT_EQ(q.pop_expired(1000), &a);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.next_deadline(), 0u);
}

TEST(TimeoutQueue, EqualDeadlinesExpireInInsertionOrder) {
    Entity a, b, c;
    TimeoutQueue q;
    q.insert(a, 50, 2);
    q.insert(b, 50, 2);
    q.insert(c, 50, 2);
    EXPECT_EQ(a.timeout_cpu(), 2);
    EXPECT_EQ(q.pop_expired(50), &a);
    EXPECT_EQ(q.pop_expired(50), &b);
    EXPECT_EQ(q.pop_expired(50), &c);
}

TEST(TimeoutQueue, RemovedTimeoutsNeverExpire) {
    Entity a, b, c;
    TimeoutQueue q;
    q.insert(a, 10, 0);
    q.insert(b, 20, 0);
    q.insert(c, 30, 0);
    q.remove(b);
    q.remove(a);
    EXPECT_FALSE(a.has_timeout());
    EXPECT_EQ(q.next_deadline(), 30u);
    EXPECT_EQ(q.pop_expired(100), &c);
    EXPECT_EQ(q.pop_expired(100), nullptr);
}

} // namespace
} // namespace kernel::sched
