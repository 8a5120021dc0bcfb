// Kernel objects in simulated physical memory: the kernel runs on a hostsim machine with Kmem backed by the
// buddy frame allocator, as on bare metal, and gives every frame back when its objects die.
#include <gtest/gtest.h>
#include <vector>

#include "hostsim/machine.hpp"
#include "kernel/check/check.hpp"
#include "kernel/kernel.hpp"
#include "kernel/kmem/frame_pages.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/dispatch.hpp"

namespace {

using namespace kernel;
namespace spec = janus::abi;

std::uint64_t call(Thread& t, spec::Syscall s, std::uint64_t a0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                   std::uint64_t a3 = 0, std::uint64_t a4 = 0) {
    SyscallRegs r;
    r.rax = static_cast<std::uint64_t>(s);
    r.rdi = a0;
    r.rsi = a1;
    r.rdx = a2;
    r.r10 = a3;
    r.r8 = a4;
    syscall(t, r);
    return r.rax;
}

TEST(FramePages, ObjectsLiveInSimulatedRamAndEveryFrameComesBack) {
    hostsim::Config config;
    config.memory_bytes = 16u << 20;
    hostsim::Machine machine(config);
    auto span = mem::FrameAllocator::span_covering(0, config.memory_bytes);
    ASSERT_TRUE(span);
    std::vector<mem::FrameInfo> info(span->frames);
    mem::FrameAllocator frames;
    frames.init(*span, info.data());
    ASSERT_TRUE(frames.add_free_range(1u << 20, config.memory_bytes));
    const std::uint64_t free_at_start = frames.free_frames();

    static Kernel kernel; // constant-initialised, as on bare metal
    FramePageSource pages(frames);
    bool ran = false;
    machine.run([&] {
        kernel.init(pages, 1);
        RootConfig config; // every field but the quota at its default: the defaults must make a valid root
        config.quota = 1 << 20;
        auto root = create_root(kernel, config);
        ASSERT_TRUE(root);
        EXPECT_TRUE(CapSpace::valid_order(root->pd->space.order()));
        Thread& t = *root->thread;
        auto* ram = machine.ram();
        auto in_ram = [&](const void* p) {
            return static_cast<const std::byte*>(p) >= ram &&
                   static_cast<const std::byte*>(p) < ram + machine.ram_size();
        };
        EXPECT_TRUE(in_ram(root->pd));
        EXPECT_TRUE(in_ram(root->thread->utcb_page));
        EXPECT_EQ(call(t, spec::Syscall::pd_create, 10, 50000, 10), 0u);
        EXPECT_EQ(call(t, spec::Syscall::thread_create, 11, 10, 0x2000, 1, 0), 0u);
        EXPECT_EQ(call(t, spec::Syscall::endpoint_create, 12), 0u);
        EXPECT_EQ(call(t, spec::Syscall::cap_copy, 12, 10, 5, spec::rights::write, 9), 0u);
        EXPECT_LT(frames.free_frames(), free_at_start);
        CheckResult c = check_kernel(kernel);
        EXPECT_TRUE(c.ok) << c.text;
        EXPECT_EQ(call(t, spec::Syscall::cap_delete, 10), 0u);
        destroy_all(kernel);
        ran = true;
    });
    EXPECT_TRUE(ran);
    EXPECT_EQ(frames.free_frames(), free_at_start) << "every frame went back to the allocator";
    EXPECT_TRUE(frames.check_invariants());
}

} // namespace
