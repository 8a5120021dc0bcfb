// Uniformly random choice at every decision point.
#include "hostsim/rng.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

class RandomStrategy final : public Strategy {
public:
    explicit RandomStrategy(std::uint64_t seed) : rng_(seed) {}
    std::size_t pick(const Decision& d) override {
        // rng_.below(n), which is next() % n, with the common counts as constants: the compiler turns a
        // modulo by a constant into multiplications, where a variable one is a division on every decision's
        // critical path. The same numbers, so a seed still names the same schedule.
        const std::uint64_t r = rng_.next();
        switch (d.options.size()) {
        case 2:
            return r % 2;
        case 3:
            return r % 3;
        case 4:
            return r % 4;
        case 5:
            return r % 5;
        case 6:
            return r % 6;
        case 7:
            return r % 7;
        case 8:
            return r % 8;
        default:
            return r % d.options.size();
        }
    }

private:
    Rng rng_;
};

} // namespace

std::unique_ptr<Strategy> make_random(std::uint64_t seed) {
    return std::make_unique<RandomStrategy>(seed);
}

} // namespace hostsim
