// Lost update: two CPUs increment a counter with a load and a separate store; an increment in between is
// overwritten. Fixed: fetch_add.
#include "arch/atomic.hpp"
#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {
namespace {

void lost_update(Machine& m, bool fixed) {
    arch::Atomic<int> counter{0};
    auto increment = [&counter, fixed] {
        for (int i = 0; i < 2; ++i) {
            if (fixed) {
                counter.fetch_add(1);
            } else {
                int v = counter.load();
                counter.store(v + 1);
            }
        }
    };
    m.start(0, increment);
    m.start(1, increment);
    if (!m.run()) return;
    m.check(counter.raw() == 4, "lost update: the counter is %d after 4 increments", counter.raw());
}

[[maybe_unused]] const bool registered =
    plant("lost_update", "an increment made of a load and a store", small_machine(2),
          {*StrategySpec::parse("pct3"), 500}, Verdict::check_failed, lost_update);

} // namespace
} // namespace hostsim::planted
