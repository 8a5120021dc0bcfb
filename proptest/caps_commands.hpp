// Random syscalls for the capability model-based test: one command type, Call, drawn from the model state so
// that selectors mostly name live capabilities (of the type the syscall wants), with forged ones, rights
// subsets, badges, quotas near exhaustion, self-references and deep derivation trees mixed in.
#pragma once

#include <iosfwd>
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "proptest/caps_sut.hpp"

namespace proptest::caps {

/// The model state RapidCheck carries along: the model and who may call.
struct World {
    Model model;
    ObjId boot_thread = 0;
    bool memory = false; ///< generate mem_map / mem_unmap
};

struct Call : rc::state::Command<World, CapsSut> {
    ObjId caller = 0;
    Word number = 0;
    Args args{};

    explicit Call(const World& world); ///< draws a random call (inside a RapidCheck generator)
    Call(ObjId c, Word n, Args a) : caller(c), number(n), args(a) {}

    void checkPreconditions(const World& world) const override;
    void apply(World& world) const override;
    void run(const World& world, CapsSut& sut) const override;
    void show(std::ostream& os) const override;
};

/// Compare everything observable of the kernel with the model (quota, every slot, object identity, memory)
/// and run the kernel's invariant checker; RC_ASSERT on any difference.
void compare_state(const World& world, CapsSut& sut);

/// The name of a syscall number per the ABI spec ("bad_syscall" for others).
const char* syscall_name(Word number);

} // namespace proptest::caps
