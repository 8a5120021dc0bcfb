// Uniformly random choice at every decision point.
#include "hostsim/rng.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

class RandomStrategy final : public Strategy {
public:
    explicit RandomStrategy(std::uint64_t seed) : rng_(seed) {}
    std::size_t pick(const Decision& d) override { return rng_.below(d.options.size()); }

private:
    Rng rng_;
};

} // namespace

std::unique_ptr<Strategy> make_random(std::uint64_t seed) {
    return std::make_unique<RandomStrategy>(seed);
}

} // namespace hostsim
