// Regression test written by `./janus fuzz repro
// build/fuzz/artifacts/syscalls/crash-a77193db815ae116094bd82cf285b31c09222aa0 --write planted_grant_right`
// from a fuzz_syscalls input of 160 bytes. When it was written:
// cap_grant: the kernel returned ok, the model missing_rights
// The input was found in a scratch copy of the tree whose delegation() (kernel/syscall/sys_cap.cpp) did not
// check the grant right of the source (fuzz/README.md, "A planted bug"): a copy made without rights must not
// be passed on by cap_grant (missing_rights).
// Actor 0 is the root thread, actor n the n-th thread thread_create made. The comments show what the
// kernel returned when the test was written (and the model, where it disagreed); the test checks every
// oracle of the fuzzer (fuzz/syscalls/sandbox.hpp), not the comments.
#include <gtest/gtest.h>

#include "fuzz/syscalls/sandbox.hpp"

namespace fuzzsys {
namespace {

using enum janus::abi::Syscall;

TEST(SyscallRegression, planted_grant_right) {
    Sandbox w(Sandbox::OnFailure::record);
    w.reset();
    w.call(0, cap_copy, {2, 1, 15, 0, 0}); // ok
    w.call(0, cap_copy, {3, 1, 50, 8, 0}); // ok
    w.call(0, cap_grant, {15, 1, 13, 0});  // ok; MODEL: missing_rights
    w.finish();
    EXPECT_FALSE(w.failed()) << w.report();
}

} // namespace
} // namespace fuzzsys
