// Hostile register contents: many random syscalls from live threads on fresh kernels. Arguments are drawn
// from values that matter (small and huge selectors, empty slots, kernel and non-canonical addresses,
// reserved bits) so that some calls succeed and build state the later ones attack. After every call the
// TestKernel observer checks that the status is one the spec lists and runs the invariant checker; nothing
// may crash, assert or trip a sanitizer.
//
// A failure prints the seed; JANUS_HOSTILE_SEED=<seed> replays that run.
#include <cstdlib>
#include <gtest/gtest.h>
#include <random>
#include <vector>

#include "kernel/check/check.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::TestKernel;
namespace spec = janus::abi;

std::uint64_t interesting(std::mt19937_64& rng) {
    static const std::uint64_t values[] = {0,
                                           1,
                                           2,
                                           3,
                                           4,
                                           5,
                                           6,
                                           7,
                                           8,
                                           9,
                                           10,
                                           11,
                                           12,
                                           15,
                                           16,
                                           17,
                                           23,
                                           24,
                                           31,
                                           32,
                                           63,
                                           64,
                                           255,
                                           256,
                                           4095,
                                           4096,
                                           0x1000,
                                           0x2000,
                                           0x10000,
                                           0x200000,
                                           0x7fff'ffff'f000,
                                           0x8000'0000'0000,
                                           0xffff'8000'0000'0000,
                                           0x0000'9000'0000'0000,
                                           0x1f,
                                           0x20,
                                           0x3f,
                                           ~std::uint64_t{0},
                                           std::uint64_t{1} << 63,
                                           spec::fpage::make(0x200000, 21, 7),
                                           spec::fpage::make(0x1000, 12, 0),
                                           spec::fpage::make(0, 12, 0) | 0x200};
    switch (rng() % 4) {
    case 0:
        return rng();
    case 1:
        return rng() % 48; // mostly selectors that exist or could
    default:
        return values[rng() % (sizeof values / sizeof values[0])];
    }
}

/// Live threads that could enter the kernel (not waiting in IPC), found through the kernel's object walk.
std::vector<Thread*> threads(Kernel& k) {
    std::vector<Thread*> out;
    for (const Object* o = first_object(k); o; o = next_object(o))
        if (o->type == ObjectType::thread && static_cast<const Thread*>(o)->ipc.wait == Wait::none)
            out.push_back(const_cast<Thread*>(static_cast<const Thread*>(o)));
    return out;
}

void hammer(std::uint64_t seed, int kernels, int steps) {
    std::mt19937_64 rng(seed);
    for (int round = 0; round < kernels; ++round) {
        TestKernel k;
        for (int step = 0; step < steps; ++step) {
            auto live = threads(k.kernel());
            if (live.empty()) break; // every thread waits (IPC): nobody can make a syscall
            Thread& caller = *live[rng() % live.size()];
            std::uint64_t number = rng() % 8 == 0 ? interesting(rng) : 1 + rng() % spec::syscall_count;
            std::vector<std::uint64_t> args;
            for (std::size_t i = 0; i < spec::max_args; ++i) args.push_back(interesting(rng));
            k.call(caller, number, args);
            ASSERT_TRUE(k.clean()) << "seed " << seed << ", kernel " << round << ", step " << step
                                   << ": replay with JANUS_HOSTILE_SEED=" << seed;
        }
    }
}

TEST(Hostile, RandomRegistersFromLiveThreadsNeverBreakTheKernel) {
    std::uint64_t seed = 20261121;
    if (const char* s = std::getenv("JANUS_HOSTILE_SEED")) seed = std::strtoull(s, nullptr, 0);
    hammer(seed, 20, 400);
}

} // namespace
