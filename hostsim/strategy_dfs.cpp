// Bounded-exhaustive search: the runs enumerate, depth first, every schedule with at most `bound_`
// preemptions. Each run replays the prefix of the previous one up to the deepest decision that still has an
// untried option within the bound, takes that option, and continues with default choices (which never
// preempt). The stack of decisions is the only state; nothing about the program is assumed beyond
// determinism, which is checked: a replayed prefix that offers different options is reported as a divergence.
//
// DporStrategy enumerates the same way, but each frame explores only its backtrack set, minus its sleep set:
//   * backtrack (source-DPOR, Abdulla et al. 2014, Algorithm 1): a frame starts with one option; whenever a
//     step of the run races with an earlier step e (HappensBefore: dependent, not ordered), the frame where e
//     was chosen must also start the reversed order: if none of the initials of v = (the steps after e that
//     do not happen after e, then the racing step) is in its backtrack set, one is added (the racing CPU if
//     it is an initial); if no initial is an option there (a CPU stepping aside after a spin), every option;
//   * sleep (Godefroid 1996): after option q of a frame is explored, the frame's later options start with q
//     asleep; a sleeping CPU stays asleep while the steps taken are independent of its step and wakes at the
//     first dependent one. A state where every option is asleep is covered by schedules already run: the run
//     stops there (pruned).
// Frames made while the machine is outside the reduction (every step global, store-buffer drains) backtrack
// over every option, which is plain unbounded dfs.
#include <bit>

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

// --- DporStrategy

namespace {

std::uint64_t bit(Choice c) {
    return std::uint64_t{1} << entity(c);
}

} // namespace

void DporStrategy::begin_run() {
    depth_ = 0;
    pending_frame_ = -1;
    frame_of_.clear();
    sleep_ = 0;
    pruned_ = false;
    divergence_.clear();
    restart();
}

void DporStrategy::parked(const Park& p) {
    TracedStrategy::parked(p);
    if (p.run_start) sleep_ = 0; // nobody sleeps across Machine::run: a sleeper keeps its run from ending
}

bool DporStrategy::prune(const char* where) {
    pruned_ = true;
    divergence_ = std::string("pruned by the partial-order reduction: ") + where;
    return false;
}

std::size_t DporStrategy::pick(const Decision& d) {
    // What each option's step does in this run (addresses differ from run to run when a scenario makes its
    // objects on the host's heap, so nothing of an earlier run's accesses is kept).
    bool drains = false;
    for (Choice o : d.options) {
        option_access_[entity(o)] = effective(o, (d.interrupting >> entity(o) & 1) != 0);
        drains |= o.kind == Choice::Kind::drain;
    }
    if (depth_ < stack_.size()) { // replaying the prefix
        const Frame& f = stack_[depth_];
        if (!std::equal(option_pool_.begin() + f.first, option_pool_.begin() + f.first + f.count,
                        d.options.begin(), d.options.end())) {
            divergence_ = "decision " + std::to_string(depth_) + " offers " + encode_schedule(d.options) +
                          " where an earlier run of the same prefix offered " +
                          encode_schedule({option_pool_.data() + f.first, f.count});
            return diverged;
        }
        pending_frame_ = static_cast<std::int64_t>(depth_++);
        for (std::size_t i = 0; i < d.options.size(); ++i)
            if (d.options[i] == f.taken) return i;
        divergence_ = "decision " + std::to_string(depth_ - 1) + " lacks the option the enumeration took";
        return diverged;
    }
    Frame f;
    f.first = static_cast<std::uint32_t>(option_pool_.size());
    f.count = static_cast<std::uint32_t>(d.options.size());
    for (Choice o : d.options) {
        f.options |= bit(o);
        option_pool_.push_back(o);
    }
    f.sleep = sleep_ & f.options;
    const std::uint64_t awake = f.options & ~f.sleep;
    if (awake == 0) {
        option_pool_.resize(f.first);
        prune("every option is asleep");
        return diverged;
    }
    std::size_t pick = default_pick(d);
    if (!(awake & bit(d.options[pick])))
        for (pick = 0; !(awake & bit(d.options[pick]));) ++pick;
    f.taken = d.options[pick];
    f.backtrack = global_mode_ || drains ? f.options : bit(f.taken);
    stack_.push_back(f);
    pending_frame_ = static_cast<std::int64_t>(depth_++);
    return pick;
}

bool DporStrategy::stepped(Choice c, bool interrupted) {
    const std::int64_t at = pending_frame_;
    pending_frame_ = -1;
    if (at < 0 && (sleep_ & bit(c))) return prune("the only option is asleep");
    const Access a = effective(c, interrupted);
    if (at >= 0) {
        // Leaving a frame: the options explored from it so far (and those asleep on arrival) sleep on as
        // long as the steps are independent of theirs.
        const Frame& f = stack_[static_cast<std::size_t>(at)];
        std::uint64_t candidates = (f.sleep | f.done) & ~bit(c);
        sleep_ = 0;
        while (candidates) {
            const unsigned b = static_cast<unsigned>(std::countr_zero(candidates));
            candidates &= candidates - 1;
            const Access sleeper = f.turned_global >> b & 1 ? Access{} : option_access_[b];
            if (independent(sleeper, a)) {
                sleep_ |= std::uint64_t{1} << b;
                sleep_access_[b] = sleeper;
            }
        }
    } else {
        for (std::uint64_t rest = sleep_; rest; rest &= rest - 1) {
            const unsigned b = static_cast<unsigned>(std::countr_zero(rest));
            if (!independent(sleep_access_[b], a)) sleep_ &= ~(std::uint64_t{1} << b);
        }
    }
    races_.clear();
    const std::uint32_t e = record(c, interrupted, &races_);
    frame_of_.push_back(static_cast<std::int32_t>(at));
    for (std::uint32_t earlier : races_) race(earlier, e);
    return true;
}

// The latest event became global (TracedStrategy::parked): it wakes every sleeper, its frame records it as
// global (for the sleep sets of that frame's later options), and its new races are handled.
void DporStrategy::upgraded(std::uint32_t event) {
    sleep_ = 0;
    if (event < frame_of_.size() && frame_of_[event] >= 0) {
        Frame& f = stack_[static_cast<std::size_t>(frame_of_[event])];
        f.turned_global |= bit(f.taken);
    }
    for (std::uint32_t earlier : races_) race(earlier, event);
}

void DporStrategy::race(std::uint32_t earlier, std::uint32_t later) {
    const std::int32_t at = frame_of_[earlier];
    if (at < 0) return; // chosen where it was the only option: nothing else could go first
    Frame& f = stack_[static_cast<std::size_t>(at)];
    if (f.backtrack == f.options) return;
    // The initials of v: the processes whose first step after `earlier` that does not happen after it has
    // no step of v before it in happens-before.
    const unsigned p = hb_.process(later);
    std::uint32_t first[max_sim_cpus];
    for (unsigned q = 0; q < cpus_; ++q) {
        first[q] = HappensBefore::none;
        const std::uint32_t x = hb_.first_after(q, earlier);
        if (x == HappensBefore::none || x > later) continue;
        if (q == p || !hb_.before(earlier, x)) first[q] = x;
    }
    std::uint64_t initials = 0;
    for (unsigned q = 0; q < cpus_; ++q) {
        if (first[q] == HappensBefore::none) continue;
        bool initial = true;
        for (unsigned r = 0; r < cpus_ && initial; ++r)
            if (r != q && first[r] != HappensBefore::none) initial = !hb_.before(first[r], first[q]);
        if (initial) initials |= bit(Choice::run_cpu(q));
    }
    if (initials & f.backtrack) return;
    const std::uint64_t enabled = initials & f.options;
    if (!enabled) {
        f.backtrack = f.options;
        return;
    }
    f.backtrack |= enabled & bit(Choice::run_cpu(p)) ? bit(Choice::run_cpu(p))
                                                     : enabled & (~enabled + 1); // the lowest initial
}

bool DporStrategy::next() {
    stack_.resize(depth_);
    while (!stack_.empty()) {
        Frame& f = stack_.back();
        option_pool_.resize(f.first + f.count);
        f.done |= bit(f.taken);
        const std::uint64_t todo = f.backtrack & ~f.done & ~f.sleep;
        if (todo) {
            const unsigned b = static_cast<unsigned>(std::countr_zero(todo));
            for (std::uint32_t i = f.first; i < f.first + f.count; ++i)
                if (entity(option_pool_[i]) == b) f.taken = option_pool_[i];
            return true;
        }
        option_pool_.resize(f.first);
        stack_.pop_back();
    }
    return false;
}

} // namespace hostsim
