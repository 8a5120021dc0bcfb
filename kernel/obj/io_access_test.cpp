// The ports a domain may use, as the kernel makes the CPU enforce them (io_access.hpp): through the real
// dispatcher on a test kernel, with hostsim's CPU state (outside a machine: one CPU) as the enforcer. What
// the ABI says (docs/abi.md "I/O ports"): read and write needed, the set follows every capability change,
// keys never reused, a removal shoots every CPU down.
#include <gtest/gtest.h>

#include "hostsim/io_ports.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::TestKernel;
namespace spec = janus::abi;
namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t io_control = spec::root_sel::io_control, root_pd = spec::root_sel::pd;

struct IoAccessTest : ::testing::Test {
    TestKernel k;
    void SetUp() override { hostsim::reset_io_ports(); }

    /// Whether a thread of `pd` may use `port` (size bytes) once the kernel selected `pd`'s set here.
    bool usable(Pd& pd, std::uint32_t port, unsigned size = 1) {
        io_enter(k.kernel().io, pd);
        return hostsim::io_permitted(0, port, size);
    }
    Pd& child(std::uint64_t sel) {
        k.ok(S::pd_create, {sel, 64 * 1024, 4});
        return k.at<Pd>(k.root(), sel);
    }
};

TEST_F(IoAccessTest, NoCapabilityNoPort) {
    EXPECT_FALSE(usable(k.root(), 0x3f8));
    EXPECT_EQ(hostsim::io_permissions(0).loaded, 0u);
}

TEST_F(IoAccessTest, ACapabilityOpensExactlyItsRange) {
    k.ok(S::io_create, {10, io_control, 0x3f8, 8});
    EXPECT_TRUE(usable(k.root(), 0x3f8));
    EXPECT_TRUE(usable(k.root(), 0x3ff));
    EXPECT_TRUE(usable(k.root(), 0x3fc, 4));
    EXPECT_FALSE(usable(k.root(), 0x3f7));
    EXPECT_FALSE(usable(k.root(), 0x400));
    EXPECT_FALSE(usable(k.root(), 0x3fe, 4)) << "an access reaching one port beyond";
}

TEST_F(IoAccessTest, ReadAndWriteAreBothNeeded) {
    k.ok(S::io_create, {10, io_control, 0x60, 1});
    Pd& a = child(20);
    Pd& b = child(21);
    k.ok(S::cap_copy, {10, 20, 5, R::read | R::grant, 0});
    k.ok(S::cap_copy, {10, 21, 5, R::write, 0});
    EXPECT_FALSE(usable(a, 0x60));
    EXPECT_FALSE(usable(b, 0x60));
    k.ok(S::cap_copy, {10, 21, 6, R::read | R::write, 0});
    EXPECT_TRUE(usable(b, 0x60));
}

TEST_F(IoAccessTest, SwitchingDomainsSwitchesSetsAndKeepsTheKeys) {
    k.ok(S::io_create, {10, io_control, 0x60, 1});
    Pd& c = child(20);
    k.ok(S::io_create, {11, io_control, 0x70, 2});
    k.ok(S::cap_copy, {11, 20, 5, R::all, 0});
    EXPECT_TRUE(usable(k.root(), 0x60));
    EXPECT_TRUE(usable(k.root(), 0x71)) << "the root still holds the original";
    const auto root_key = hostsim::io_permissions(0).loaded;
    EXPECT_TRUE(usable(c, 0x70));
    EXPECT_FALSE(usable(c, 0x60));
    const auto child_key = hostsim::io_permissions(0).loaded;
    EXPECT_NE(root_key, child_key);
    EXPECT_NE(child_key, 0u);
    // Nothing changed: the root gets its old key back (rebuilt, since the CPU held the child's set).
    EXPECT_TRUE(usable(k.root(), 0x60));
    EXPECT_EQ(hostsim::io_permissions(0).loaded, root_key);
}

TEST_F(IoAccessTest, EveryRemovalShootsEveryCpuDownAndTheSetFollows) {
    k.ok(S::io_create, {10, io_control, 0x60, 1});
    Pd& c = child(20);
    k.ok(S::cap_copy, {10, 20, 5, R::all, 0});
    EXPECT_TRUE(usable(c, 0x60));
    hostsim::io_shootdowns().clear();
    k.ok(S::cap_copy, {10, 20, 6, R::all, 0});
    EXPECT_TRUE(hostsim::io_shootdowns().empty()) << "adding a capability takes nothing away";
    k.ok(S::cap_revoke, {10});
    ASSERT_EQ(hostsim::io_shootdowns().size(), 1u);
    EXPECT_EQ(hostsim::io_shootdowns()[0].cpus.bits, arch::CpuMask::all().bits);
    EXPECT_EQ(hostsim::io_permissions(0).loaded, 0u) << "the executing CPU dropped its set";
    EXPECT_FALSE(usable(c, 0x60));
    EXPECT_TRUE(usable(k.root(), 0x60)) << "the revoked capability itself stays";
    // Granting away, and granting with fewer rights.
    k.ok(S::cap_grant, {10, 20, 7, R::read | R::grant});
    EXPECT_EQ(hostsim::io_shootdowns().size(), 2u);
    EXPECT_FALSE(usable(k.root(), 0x60));
    EXPECT_FALSE(usable(c, 0x60));
    // A failed call takes nothing and shoots nothing.
    EXPECT_EQ(k.call(S::cap_delete, {99}).status, E::bad_selector);
    EXPECT_EQ(hostsim::io_shootdowns().size(), 2u);
    // The object's death with its payer's domain: its capability in another domain goes too.
    Thread& t = k.child_with_thread(30, 64 * 1024);
    k.ok(S::cap_copy, {io_control, 30, 5, R::all, 0});
    k.ok(S::cap_copy, {root_pd, 30, 7, R::all, 0}); // so the child can put a copy into the root's space
    k.ok(t, S::io_create, {6, 5, 0x80, 1});
    k.ok(t, S::cap_copy, {6, 7, 12, R::all, 0});
    EXPECT_TRUE(usable(k.root(), 0x80));
    k.ok(S::cap_delete, {30});
    EXPECT_FALSE(usable(k.root(), 0x80));
    EXPECT_EQ(hostsim::io_shootdowns().size(), 3u);
}

} // namespace
