// The fast path against the general path: the same random sequences of calls, receives and replies on two
// kernels, one with the fast path and one without, must leave every thread's registers and wait state and
// every capability the same after each step. And the fast path must actually be taken.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/ipc/testing/ipc_world.hpp"

namespace kernel::testing {
namespace {

using S = spec::Syscall;
constexpr std::uint64_t ep = 10, other_ep = 11;
constexpr unsigned thread_count = 5;

/// What a step left that user space or a later syscall could see.
std::string observe(IpcWorld& w, const std::vector<Thread*>& threads) {
    std::ostringstream out;
    for (Thread* t : threads) {
        const arch::UserFrame& f = t->frame;
        out << "rax=" << f.rax << " rdi=" << f.rdi << " rsi=" << f.rsi << " rdx=" << f.rdx << " r10=" << f.r10
            << " r8=" << f.r8 << " r9=" << f.r9 << " wait=" << static_cast<int>(t->ipc.wait)
            << " run=" << static_cast<int>(t->run_state()) << " timeout=" << t->has_timeout() << " mr=";
        for (unsigned word : {3u, 4u, 5u, 62u, 63u}) out << IpcWorld::utcb(*t).mr[word] << ",";
        out << "\n";
    }
    for (std::uint64_t sel = 1; sel < 256; ++sel) {
        Slot* s = w.root().space.cap(sel);
        if (s)
            out << sel << ":" << static_cast<int>(s->object()->type) << "/" << s->rights() << "/"
                << s->badge() << " ";
    }
    return out.str();
}

struct Twin {
    explicit Twin(bool fast) {
        w.kernel().test.ipc_fastpath = fast;
        w.endpoint(ep);
        w.endpoint(other_ep);
        for (unsigned i = 0; i < thread_count; ++i) {
            threads.push_back(&w.thread(20 + i, 0x20000 + 0x1000 * i));
            IpcWorld::utcb(*threads.back()).reply_sel = 50 + i;
        }
    }
    IpcWorld w;
    std::vector<Thread*> threads;
};

/// One random step on both twins; false if no thread could act.
bool step(std::mt19937_64& rng, Twin& a, Twin& b, std::string& trace) {
    std::vector<unsigned> free;
    for (unsigned i = 0; i < thread_count; ++i)
        if (!IpcWorld::waiting(*a.threads[i])) free.push_back(i);
    if (free.empty()) return false;
    unsigned who = free[rng() % free.size()];
    unsigned op = rng() % 6;
    std::uint64_t e = rng() % 4 == 0 ? other_ep : ep;
    // Register words only, some through the UTCB, all of them, and one too many (bad_message on both paths).
    static constexpr unsigned word_counts[] = {0, 1, 2, 3, 3, 4, 6, msg::max_words, msg::max_words + 1};
    const unsigned words = word_counts[rng() % std::size(word_counts)];
    std::uint64_t info = msg::info(rng() % 100, words);
    if (rng() % 16 == 0) info |= std::uint64_t{1} << (msg::items_shift + rng() % 9); // an item, or a flag
    std::uint64_t w0 = rng(), w1 = rng(), w2 = rng();
    const std::uint64_t utcb_seed = rng();
    std::uint64_t timeout = rng() % 3 == 0 ? 500 : janus::abi::timeout_never;
    trace += std::to_string(who) + ":" + std::to_string(op) + " ";
    for (Twin* t : {&a, &b}) {
        Thread& th = *t->threads[who];
        // What the sender's UTCB holds beyond the register words: distinct per step, the same on both twins.
        for (unsigned w = msg::register_words; w < msg::max_words; ++w)
            IpcWorld::utcb(th).mr[w] = utcb_seed + w;
        switch (op) {
        case 0:
        case 1:
            t->w.call(th, S::ipc_call, {e, info, timeout, w0, w1, w2});
            break;
        case 2:
            t->w.call(th, S::ipc_reply_recv, {e, info, timeout, w0, w1, w2});
            break;
        case 3:
            t->w.call(th, S::ipc_recv, {e, timeout});
            break;
        case 4:
            t->w.call(th, S::ipc_reply, {50 + who, info, w0, w1, w2});
            break;
        default:
            t->w.advance(300);
            break;
        }
    }
    return true;
}

TEST(FastPath, GivesTheSameOutcomesAsTheGeneralPath) {
    std::uint64_t taken = 0;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        Twin fast(true), general(false);
        std::mt19937_64 rng(seed);
        std::string trace;
        for (int i = 0; i < 60; ++i) {
            if (!step(rng, fast, general, trace)) break;
            ASSERT_EQ(observe(fast.w, fast.threads), observe(general.w, general.threads))
                << "seed " << seed << " after steps " << trace;
        }
        EXPECT_EQ(general.w.kernel().test.ipc_fastpath_taken, 0u);
        taken += fast.w.kernel().test.ipc_fastpath_taken;
        EXPECT_TRUE(fast.w.clean() && general.w.clean()) << "seed " << seed;
    }
    EXPECT_GT(taken, 100u) << "the sequences hardly reach the fast path";
}

} // namespace
} // namespace kernel::testing
