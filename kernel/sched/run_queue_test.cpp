// RunQueue against an independent model: a list of (priority, arrival order) where the next entity is the one
// with the highest priority and, among equals, the earliest arrival (a push_front arrives "before everyone").
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "kernel/sched/run_queue.hpp"

namespace kernel::sched {
namespace {

Entity* make(std::vector<std::unique_ptr<Entity>>& pool, Priority p) {
    pool.push_back(std::make_unique<Entity>());
    pool.back()->init_sched(p, 0);
    return pool.back().get();
}

TEST(RunQueue, EmptyHasNoTop) {
    RunQueue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.top_priority(), -1);
    EXPECT_EQ(q.top(), nullptr);
}

TEST(RunQueue, HighestPriorityFirstAcrossAllBitmapWords) {
    std::vector<std::unique_ptr<Entity>> pool;
    RunQueue q;
    // Levels in every 64-bit word of the bitmap, inserted low to high and high to low.
    for (Priority p : {Priority{0}, Priority{63}, Priority{64}, Priority{130}, Priority{255}, Priority{200}})
        q.push_back(*make(pool, p));
    std::vector<int> order;
    while (Entity* e = q.top()) {
        order.push_back(e->priority());
        q.remove(*e);
    }
    EXPECT_EQ(order, (std::vector<int>{255, 200, 130, 64, 63, 0}));
    EXPECT_TRUE(q.empty());
}

TEST(RunQueue, EqualsLeaveInArrivalOrderAndPushFrontJumpsTheLine) {
    std::vector<std::unique_ptr<Entity>> pool;
    RunQueue q;
    Entity* a = make(pool, 7);
    Entity* b = make(pool, 7);
    Entity* c = make(pool, 7);
    q.push_back(*a);
    q.push_back(*b);
    q.push_front(*c);
    EXPECT_EQ(q.top(), c);
    q.remove(*c);
    EXPECT_EQ(q.top(), a);
    EXPECT_EQ(RunQueue::next(*a), b);
    EXPECT_EQ(RunQueue::next(*b), a) << "each level is circular";
}

TEST(RunQueue, RemovingFromTheMiddleKeepsTheRest) {
    std::vector<std::unique_ptr<Entity>> pool;
    RunQueue q;
    Entity* e[4];
    for (auto& x : e) q.push_back(*(x = make(pool, 3)));
    q.remove(*e[1]);
    q.remove(*e[3]);
    EXPECT_EQ(q.top(), e[0]);
    q.remove(*e[0]);
    EXPECT_EQ(q.top(), e[2]);
    q.remove(*e[2]);
    EXPECT_TRUE(q.empty());
}

TEST(RunQueue, RandomOperationsMatchTheModel) {
    for (unsigned seed = 1; seed <= 50; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        std::vector<std::unique_ptr<Entity>> pool;
        for (int i = 0; i < 40; ++i) make(pool, static_cast<Priority>(rng() % 6 * 50)); // few levels: ties
        struct Entry {
            Entity* e;
            long order;
        };
        std::vector<Entry> model;
        long front = 0, back = 0;
        RunQueue q;
        for (int step = 0; step < 400; ++step) {
            Entity* e = pool[rng() % pool.size()].get();
            auto it = std::find_if(model.begin(), model.end(), [e](const Entry& x) { return x.e == e; });
            if (it != model.end()) {
                q.remove(*e);
                model.erase(it);
            } else if (rng() % 4 == 0) {
                q.push_front(*e);
                model.push_back({e, --front});
            } else {
                q.push_back(*e);
                model.push_back({e, ++back});
            }
            auto best = std::min_element(model.begin(), model.end(), [](const Entry& x, const Entry& y) {
                if (x.e->priority() != y.e->priority()) return x.e->priority() > y.e->priority();
                return x.order < y.order;
            });
            ASSERT_EQ(q.top(), best == model.end() ? nullptr : best->e) << "step " << step;
            ASSERT_EQ(q.empty(), model.empty());
        }
    }
}

} // namespace
} // namespace kernel::sched
