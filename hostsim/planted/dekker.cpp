// Dekker's handshake under x86-TSO: each CPU raises its flag and enters the critical section only if the
// other's flag is down. Without a full fence between the store and the load, both stores can still sit in
// the store buffers when both loads read memory, and both CPUs enter. Fixed: a seq_cst fence (mfence).
#include "arch/atomic.hpp"
#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {
namespace {

using arch::MemoryOrder;

void dekker(Machine& m, bool fixed) {
    arch::Atomic<int> flag[2], inside{0};
    auto cpu = [&](int me) {
        flag[me].store(1, MemoryOrder::release);
        if (fixed)
            arch::fence(MemoryOrder::seq_cst);
        else
            arch::fence(MemoryOrder::acq_rel); // the tempting but useless fence: free on x86
        if (flag[1 - me].load(MemoryOrder::acquire) == 0) {
            int others = inside.fetch_add(1);
            m.check(others == 0, "mutual exclusion broken: both CPUs are in the critical section");
            inside.fetch_sub(1);
        }
        flag[me].store(0, MemoryOrder::release);
    };
    m.start(0, [&] { cpu(0); });
    m.start(1, [&] { cpu(1); });
    m.run();
}

[[maybe_unused]] const bool registered =
    plant("dekker_tso", "Dekker handshake without mfence under x86-TSO", small_machine(2, true),
          {*StrategySpec::parse("random"), 3000}, Verdict::check_failed, dekker);

} // namespace
} // namespace hostsim::planted
