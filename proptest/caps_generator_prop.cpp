// The random syscall generator of the model-based test is strong enough: over the fixed-seed CI run it makes
// every syscall return every error the ABI lists for it (and succeed). A generator that stops reaching some
// error silently weakens caps.CapsModel.*, so this fails instead.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "kernel/syscall/testing/test_machine.hpp"
#include "proptest/caps_commands.hpp"
#include "proptest/replay_on_crash.hpp"

namespace {

using namespace proptest::caps;
namespace abi = janus::abi;
namespace r = janus::abi::rights;
using models::caps::Error;
using models::caps::ObjectType;

/// A boot state in the shape docs describe for the first PD, for running the model alone.
World boot_world() {
    World w;
    w.memory = true;
    Model& m = w.model;
    models::caps::Config config{2, 24};
    config.device_memory = kernel::testing::machine::is_device; // the machine the kernel SUT boots
    m = Model(config);
    ObjId root = m.boot_pd(1 << 20, 0, 8);
    w.boot_thread = m.boot_thread(root, 0x1000);
    m.boot_cap(root, 1, root, r::all);
    m.boot_cap(root, 2, w.boot_thread, r::all);
    m.boot_cap(root, 3, m.boot_object(ObjectType::irq_control), r::all);
    m.boot_cap(root, 4, m.boot_object(ObjectType::io_control), r::all);
    m.boot_cap(root, 5, m.boot_object(ObjectType::mmio_control), r::all);
    for (Word i = 0; i < 16; ++i) m.boot_mapping(root, 0x400000 + i * 4096, 0x100000 + i * 4096, r::all);
    return w;
}

TEST(CapsGenerator, ReachesEveryErrorOfEverySyscall) {
    std::map<Word, std::set<Error>> seen;
    bool ok = rc::check("the generator's syscalls, run on the model", [&] {
        World w = boot_world();
        auto calls = *rc::state::gen::commands(w, rc::state::gen::execOneOfWithArgs<Call>());
        for (const auto& c : calls) {
            const Call& call = static_cast<const Call&>(*c);
            Outcome o = w.model.syscall(call.caller, call.number, call.args);
            seen[call.number].insert(o.status);
            RC_ASSERT(w.model.check().empty());
        }
    });
    EXPECT_TRUE(ok);
    for (const auto& spec : abi::syscalls) {
        Word n = Word(spec.number);
        if (!Model::models(n)) continue; // IPC and scheduling: not this model's
        EXPECT_TRUE(seen[n].count(Error::ok)) << spec.name << " never succeeded";
        for (const auto& e : abi::errors) {
            if (e.code == Error::ok) continue;
            if (!(spec.error_mask >> Word(e.code) & 1)) {
                EXPECT_FALSE(seen[n].count(e.code))
                    << spec.name << " returned " << e.name << ", not in the ABI";
                continue;
            }
            EXPECT_TRUE(seen[n].count(e.code)) << spec.name << " never returned " << e.name;
        }
    }
    EXPECT_TRUE(seen[0].count(Error::bad_syscall));
}

} // namespace
