// The kernel agrees with the capability model (models/caps) on random syscall sequences: every status and
// result register, then every capability slot, quota and object of every live protection domain, with the
// kernel's invariant checker after each step. A failure prints the shrunk sequence and RapidCheck's
// RC_PARAMS="reproduce=..." line that replays it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "proptest/caps_commands.hpp"
#include "proptest/replay_on_crash.hpp"

namespace {

using namespace proptest::caps;

RC_GTEST_PROP(CapsModel, KernelAgreesWithTheModelOnRandomSyscallSequences, ()) {
    auto sut = make_kernel_sut();
    World world;
    world.boot_thread = sut->boot(world.model);
    world.memory = sut->memory_supported();
    compare_state(world, *sut); // the boot state as documented
    rc::state::check(world, *sut, rc::state::gen::execOneOfWithArgs<Call>());
}

} // namespace
