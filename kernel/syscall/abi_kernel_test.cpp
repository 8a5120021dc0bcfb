// Spec-level facts the kernel must honour: objects fit their ABI charges, the boot layout docs/abi.md
// promises, and the dispatcher knows exactly the spec's syscalls.
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

#include "kernel/cap/slot.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::TestKernel;
namespace spec = janus::abi;

TEST(KernelAbi, EveryKernelObjectFitsItsCharge) {
    EXPECT_LE(sizeof(Slot), spec::charge::cap_slot);
    EXPECT_LE(sizeof(Pd), spec::charge::pd);
    EXPECT_LE(sizeof(Thread), spec::charge::thread);
    EXPECT_LE(sizeof(Reply), spec::charge::reply);
    EXPECT_LE(sizeof(Endpoint), spec::charge::endpoint);
    EXPECT_LE(sizeof(Notification), spec::charge::notification);
    EXPECT_LE(sizeof(Irq), spec::charge::irq);
}

TEST(KernelAbi, TheRootLayoutIsTheOneDocumented) {
    std::ifstream in(JANUS_SOURCE_DIR "/docs/abi.md");
    ASSERT_TRUE(in);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string doc = buf.str();
    EXPECT_NE(doc.find("| " + std::to_string(spec::root_sel::pd) + " | the root protection domain itself |"),
              std::string::npos);
    EXPECT_NE(doc.find("| " + std::to_string(spec::root_sel::thread) + " | its first thread"),
              std::string::npos);
    EXPECT_NE(doc.find("| " + std::to_string(spec::root_sel::irq_control) + " | `irq_control`"),
              std::string::npos);
    EXPECT_NE(doc.find("lines 0.." + std::to_string(spec::irq_lines - 1)), std::string::npos);

    TestKernel k;
    auto info = [&](std::uint64_t sel) { return k.ok(spec::Syscall::cap_info, {sel}); };
    EXPECT_EQ(info(spec::root_sel::pd).r[0], static_cast<std::uint64_t>(spec::ObjectType::pd));
    EXPECT_EQ(info(spec::root_sel::thread).r[0], static_cast<std::uint64_t>(spec::ObjectType::thread));
    EXPECT_EQ(info(spec::root_sel::irq_control).r[0],
              static_cast<std::uint64_t>(spec::ObjectType::irq_control));
    for (std::uint64_t sel : {spec::root_sel::pd, spec::root_sel::thread, spec::root_sel::irq_control})
        EXPECT_EQ(info(sel).r[1], spec::rights::all);
}

TEST(KernelAbi, TheSyscallTableIsDenseFromOne) {
    // The dispatcher switches over the spec's numbers; a gap or a renumbering would show here.
    for (std::size_t i = 0; i < spec::syscall_count; ++i)
        EXPECT_EQ(static_cast<std::uint64_t>(spec::syscalls[i].number), i + 1) << spec::syscalls[i].name;
}

} // namespace
