// Lock-order inversion: CPU0 takes lock A then B, CPU1 takes B then A; each can hold one and spin forever for
// the other. Fixed: both take A first.
#include "arch/atomic.hpp"
#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {
namespace {

using arch::MemoryOrder;

struct SpinLock {
    arch::Atomic<int> held{0};
    void lock() {
        while (held.exchange(1, MemoryOrder::acquire))
            while (held.load(MemoryOrder::relaxed)) arch::cpu_relax();
    }
    void unlock() { held.store(0, MemoryOrder::release); }
};

void lock_order(Machine& m, bool fixed) {
    SpinLock a, b;
    arch::Atomic<int> work{0};
    auto both = [&work](SpinLock& first, SpinLock& second) {
        first.lock();
        second.lock();
        work.fetch_add(1);
        second.unlock();
        first.unlock();
    };
    m.start(0, [&] { both(a, b); });
    m.start(1, [&] {
        if (fixed)
            both(a, b);
        else
            both(b, a);
    });
    if (!m.run()) return;
    m.check(work.raw() == 2, "work done %d times", work.raw());
}

[[maybe_unused]] const bool registered =
    plant("lock_order", "two spinlocks taken in opposite orders", small_machine(2),
          {*StrategySpec::parse("pct3"), 500}, Verdict::deadlock, lock_order);

} // namespace
} // namespace hostsim::planted
