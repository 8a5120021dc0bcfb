// PCT: every CPU (and, under TSO, every CPU's store buffer) gets a random priority of at least d; the highest
// enabled one runs. At d-1 decision points drawn uniformly from the first k, the one that would run next
// drops below everyone so far. A CPU that spins (cpu_relax) also drops below everyone, so a spinning CPU with
// a high priority cannot starve the CPU it waits for.
#include <algorithm>
#include <array>

#include "hostsim/rng.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

class PctStrategy final : public Strategy {
public:
    PctStrategy(unsigned depth, std::uint64_t steps, std::uint64_t seed) : lowest_(depth) {
        Rng rng(seed);
        for (unsigned i = 0; i < entities; ++i) priority_[i] = static_cast<std::int64_t>(depth) + i;
        for (unsigned i = entities - 1; i > 0; --i) std::swap(priority_[i], priority_[rng.below(i + 1)]);
        for (unsigned i = 1; i < depth; ++i) change_points_.push_back(rng.below(steps));
        std::sort(change_points_.begin(), change_points_.end());
    }

    std::size_t pick(const Decision& d) override {
        if (d.current >= 0 && d.current_yielded) priority_[static_cast<unsigned>(d.current)] = --lowest_;
        // At each change point whichever would run next drops below everyone so far: the first change point
        // gives d-1, the next d-2, ... (all below the initial priorities, which are at least d).
        while (next_change_ < change_points_.size() && change_points_[next_change_] <= d.index) {
            ++next_change_;
            priority_[entity(d.options[best(d)])] = --lowest_;
        }
        return best(d);
    }

private:
    static constexpr unsigned entities = 2 * max_sim_cpus;
    static unsigned entity(Choice c) { return c.cpu + (c.kind == Choice::Kind::drain ? max_sim_cpus : 0); }
    std::size_t best(const Decision& d) const {
        std::size_t b = 0;
        for (std::size_t i = 1; i < d.options.size(); ++i)
            if (priority_[entity(d.options[i])] > priority_[entity(d.options[b])]) b = i;
        return b;
    }

    std::array<std::int64_t, entities> priority_{};
    std::vector<std::uint64_t> change_points_;
    std::size_t next_change_ = 0;
    std::int64_t lowest_; // the lowest priority given so far
};

} // namespace

std::unique_ptr<Strategy> make_pct(unsigned depth, std::uint64_t steps, std::uint64_t seed) {
    return std::make_unique<PctStrategy>(depth, steps ? steps : 1, seed);
}

} // namespace hostsim
