// A small deterministic random generator (SplitMix64): every random choice hostsim makes comes from one of
// these, seeded from the run's seed, so a run is a pure function of its seed.
#pragma once

#include <cstdint>

namespace hostsim {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the small n used here.
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t state_;
};

/// The seed of run `index` of an exploration started from `base`.
inline std::uint64_t run_seed(std::uint64_t base, std::uint64_t index) {
    Rng r(base * 0x9e3779b97f4a7c15ull + index);
    return r.next() >> 16; // 48 bits: short enough to type, plenty for distinct runs
}

} // namespace hostsim
