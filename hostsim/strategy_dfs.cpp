// Bounded-exhaustive search: the runs enumerate, depth first, every schedule with at most `bound_`
// preemptions. Each run replays the prefix of the previous one up to the deepest decision that still has an
// untried option within the bound, takes that option, and continues with default choices (which never
// preempt). The stack of decisions is the only state; nothing about the program is assumed beyond
// determinism, which is checked: a replayed prefix that offers different options is reported as a divergence.
#include "hostsim/schedule.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

unsigned DfsStrategy::cost(const Frame& f, std::size_t option) const {
    return f.current_enabled && f.options[option] != Choice::run_cpu(static_cast<unsigned>(f.current)) ? 1
                                                                                                       : 0;
}

std::size_t DfsStrategy::pick(const Decision& d) {
    if (depth_ < stack_.size()) {
        Frame& f = stack_[depth_];
        if (f.current != d.current || f.current_enabled != d.current_enabled ||
            !std::equal(f.options.begin(), f.options.end(), d.options.begin(), d.options.end())) {
            divergence_ = "decision " + std::to_string(depth_) + " offers " + encode_schedule(d.options) +
                          " where an earlier run of the same prefix offered " + encode_schedule(f.options);
            return diverged;
        }
        ++depth_;
        return f.order[f.tried];
    }
    Frame f;
    f.options.assign(d.options.begin(), d.options.end());
    f.current = d.current;
    f.current_enabled = d.current_enabled;
    std::size_t def = default_pick(d);
    f.order.push_back(def);
    for (std::size_t i = 0; i < f.options.size(); ++i)
        if (i != def) f.order.push_back(i);
    if (!stack_.empty()) {
        const Frame& prev = stack_.back();
        f.preemptions_before = prev.preemptions_before + cost(prev, prev.order[prev.tried]);
    }
    stack_.push_back(std::move(f));
    ++depth_;
    return def;
}

bool DfsStrategy::next() {
    stack_.resize(depth_);
    while (!stack_.empty()) {
        Frame& f = stack_.back();
        while (++f.tried < f.order.size())
            if (f.preemptions_before + cost(f, f.order[f.tried]) <= bound_) return true;
        stack_.pop_back();
    }
    return false;
}

} // namespace hostsim
