// Interrupt-line masking follows the irq objects (kernel/ipc/irq_lines.cpp, arch/irq_lines.hpp): a line is
// unmasked in the arch layer exactly while its irq object is bound to a notification. Every way a binding
// starts or ends is driven through the real dispatcher; what the arch layer was told is read from hostsim's
// side of the contract (hostsim/irq_lines.hpp), independently of the kernel's own record, which the
// invariant checker compares with the objects.
#include <gtest/gtest.h>

#include "hostsim/irq_lines.hpp"
#include "kernel/check/check.hpp"
#include "kernel/ipc/testing/ipc_world.hpp"

namespace kernel::testing {
namespace {

namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t irq_a = 40, irq_b = 41, ntf = 13, ntf2 = 14, child = 60;
constexpr std::uint32_t line_a = 0, line_b = 9;

std::uint32_t bit(std::uint32_t line) {
    return std::uint32_t{1} << line;
}

struct IrqLines : ::testing::Test {
    IrqLines() { hostsim::reset_irq_lines(); }
    ~IrqLines() override {
        w.reset();
        EXPECT_EQ(hostsim::irq_lines_unmasked(), 0u) << "a line stayed unmasked after every object died";
    }
    /// The arch layer's mask, which must agree with the kernel's record.
    std::uint32_t unmasked() {
        EXPECT_EQ(w->kernel().irq_lines_unmasked, hostsim::irq_lines_unmasked());
        return hostsim::irq_lines_unmasked();
    }
    void expect_sound() {
        CheckResult r = check_kernel(w->kernel());
        EXPECT_TRUE(r.ok) << r.text;
        EXPECT_TRUE(w->clean());
    }
    std::unique_ptr<IpcWorld> w = std::make_unique<IpcWorld>();
};

TEST_F(IrqLines, ALineIsUnmaskedExactlyWhileItsIrqIsBound) {
    w->notification(ntf);
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    EXPECT_EQ(unmasked(), 0u) << "created, not bound: nobody listens";
    w->ok(S::irq_bind, {irq_a, ntf, 3});
    EXPECT_EQ(unmasked(), bit(line_a));
    w->ok(S::irq_bind, {irq_a, ntf, 7}); // rebinding keeps it bound
    EXPECT_EQ(unmasked(), bit(line_a));
    w->ok(S::irq_create, {irq_b, spec::root_sel::irq_control, line_b});
    w->ok(S::irq_bind, {irq_b, ntf, 4});
    EXPECT_EQ(unmasked(), bit(line_a) | bit(line_b)) << "lines are independent";
    w->ok(S::cap_delete, {irq_a});
    EXPECT_EQ(unmasked(), bit(line_b)) << "a deleted irq's line is masked";
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    EXPECT_EQ(unmasked(), bit(line_b)) << "a new irq for the line starts unbound";
    expect_sound();
}

TEST_F(IrqLines, TheBoundNotificationDyingMasksEveryLineBoundToIt) {
    w->notification(ntf);
    w->notification(ntf2);
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    w->ok(S::irq_create, {irq_b, spec::root_sel::irq_control, line_b});
    w->ok(S::irq_bind, {irq_a, ntf, 0});
    w->ok(S::irq_bind, {irq_b, ntf2, 0});
    w->ok(S::cap_delete, {ntf});
    EXPECT_EQ(unmasked(), bit(line_b)) << "irq_a is unbound, irq_b still bound";
    w->ok(S::irq_bind, {irq_a, ntf2, 1});
    EXPECT_EQ(unmasked(), bit(line_a) | bit(line_b)) << "bound again";
    w->ok(S::cap_copy, {ntf2, spec::root_sel::pd, 15, R::read, 0});
    w->ok(S::cap_revoke, {ntf2}); // the copy goes, the notification stays: still bound
    EXPECT_EQ(unmasked(), bit(line_a) | bit(line_b));
    w->ok(S::cap_delete, {ntf2});
    EXPECT_EQ(unmasked(), 0u);
    expect_sound();
}

TEST_F(IrqLines, ALineMovesToANewNotificationWithoutBeingMasked) {
    w->notification(ntf);
    w->notification(ntf2);
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    w->ok(S::irq_bind, {irq_a, ntf, 0});
    w->ok(S::irq_bind, {irq_a, ntf2, 0});
    w->ok(S::cap_delete, {ntf}); // no longer the irq's notification
    EXPECT_EQ(unmasked(), bit(line_a));
    expect_sound();
}

TEST_F(IrqLines, DestroyingTheDomainThatHoldsTheIrqMasksItsLine) {
    w->child_with_thread(child, 1 << 16);
    Thread& driver = w->at<Thread>(w->root(), child + 1);
    // The child gets irq_control and makes, pays for and binds its own irq and notification.
    w->ok(S::cap_copy, {spec::root_sel::irq_control, child, 5, R::control, 0});
    EXPECT_EQ(w->call(driver, S::notification_create, {6}).status, E::ok);
    EXPECT_EQ(w->call(driver, S::irq_create, {7, 5, line_b}).status, E::ok);
    EXPECT_EQ(w->call(driver, S::irq_bind, {7, 6, 2}).status, E::ok);
    EXPECT_EQ(unmasked(), bit(line_b));
    w->ok(S::cap_delete, {child});
    EXPECT_EQ(unmasked(), 0u);
    expect_sound();
}

TEST_F(IrqLines, InterruptsOfAnUnboundOrDeletedLineSignalNothing) {
    // The arch layer should not deliver a masked line, but one interrupt may already be on its way (an edge
    // the controller latched): the kernel must ignore it.
    w->notification(ntf);
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    auto fire = [&] {
        SpinGuard g(w->kernel().lock);
        ipc::interrupt(w->kernel(), line_a);
    };
    fire();
    w->ok(S::irq_bind, {irq_a, ntf, 3});
    EXPECT_EQ(w->call(S::notify_wait, {ntf, poll}).status, E::would_block) << "nothing came while unbound";
    w->ok(S::cap_delete, {irq_a});
    fire();
    EXPECT_EQ(w->call(S::notify_wait, {ntf, poll}).status, E::would_block);
    expect_sound();
}

TEST_F(IrqLines, TheCheckerReportsAMaskThatDisagreesWithTheBindings) {
    w->notification(ntf);
    w->ok(S::irq_create, {irq_a, spec::root_sel::irq_control, line_a});
    w->ok(S::irq_bind, {irq_a, ntf, 0});
    Kernel& k = w->kernel();
    k.irq_lines_unmasked &= ~bit(line_a); // planted: bound but masked
    CheckResult r = check_kernel(k);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(std::string(r.text).find("irq line 0 is bound but masked"), std::string::npos) << r.text;
    k.irq_lines_unmasked |= bit(line_a) | bit(line_b); // planted: unbound but unmasked
    r = check_kernel(k);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(std::string(r.text).find("irq line 9 is unmasked but unbound"), std::string::npos) << r.text;
    k.irq_lines_unmasked = bit(line_a);
    EXPECT_TRUE(check_kernel(k).ok);
}

} // namespace
} // namespace kernel::testing
