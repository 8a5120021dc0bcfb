// PCT: every CPU (and, under TSO, every CPU's store buffer) gets a random priority of at least d; the highest
// enabled one runs. At d-1 randomly chosen decisions among the first k, the CPU that ran last drops to a
// priority below all initial ones. A CPU that spins (cpu_relax) drops below everything, so a spinning CPU
// with a high priority cannot starve the CPU it waits for.
#include <algorithm>
#include <array>

#include "hostsim/rng.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

class PctStrategy final : public Strategy {
public:
    PctStrategy(unsigned depth, std::uint64_t steps, std::uint64_t seed) {
        Rng rng(seed);
        for (unsigned i = 0; i < entities; ++i) priority_[i] = static_cast<std::int64_t>(depth + i);
        for (unsigned i = entities - 1; i > 0; --i) std::swap(priority_[i], priority_[rng.below(i + 1)]);
        for (unsigned i = 1; i < depth; ++i) change_points_.push_back(rng.below(steps));
        std::sort(change_points_.begin(), change_points_.end());
    }

    std::size_t pick(const Decision& d) override {
        if (d.current >= 0) {
            unsigned cur = static_cast<unsigned>(d.current);
            if (d.current_yielded) priority_[cur] = --lowest_;
            while (next_change_ < change_points_.size() && change_points_[next_change_] <= d.index) {
                // Change point i (counted from 1) gives priority i, below every initial priority (>= d).
                priority_[cur] = static_cast<std::int64_t>(++next_change_);
            }
        }
        std::size_t best = 0;
        for (std::size_t i = 1; i < d.options.size(); ++i)
            if (priority_[entity(d.options[i])] > priority_[entity(d.options[best])]) best = i;
        return best;
    }

private:
    static constexpr unsigned entities = 2 * max_sim_cpus;
    static unsigned entity(Choice c) { return c.cpu + (c.kind == Choice::Kind::drain ? max_sim_cpus : 0); }

    std::array<std::int64_t, entities> priority_{};
    std::vector<std::uint64_t> change_points_;
    std::size_t next_change_ = 0;
    std::int64_t lowest_ = 0;
};

} // namespace

std::unique_ptr<Strategy> make_pct(unsigned depth, std::uint64_t steps, std::uint64_t seed) {
    return std::make_unique<PctStrategy>(depth, steps ? steps : 1, seed);
}

} // namespace hostsim
