#include "hostsim/strategy.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdlib>

namespace hostsim {

std::size_t default_pick(const Decision& d) {
    if (d.current_enabled)
        for (std::size_t i = 0; i < d.options.size(); ++i)
            if (d.options[i] == Choice::run_cpu(static_cast<unsigned>(d.current))) return i;
    // The first run option after `current` in cyclic order; runs are sorted by CPU.
    std::size_t first_run = d.options.size();
    for (std::size_t i = 0; i < d.options.size(); ++i) {
        if (d.options[i].kind != Choice::Kind::run) continue;
        if (first_run == d.options.size()) first_run = i;
        if (static_cast<int>(d.options[i].cpu) > d.current) return i;
    }
    return first_run != d.options.size() ? first_run : 0;
}

std::string StrategySpec::name() const {
    switch (kind) {
    case Kind::random:
        return "random";
    case Kind::pct:
        return "pct" + std::to_string(depth) + (steps ? "-k" + std::to_string(steps) : std::string());
    case Kind::dfs:
        return depth == unbounded_preemptions ? "dfs" : "dfs" + std::to_string(depth);
    case Kind::dpor:
        return "dpor";
    }
    return "?";
}

namespace {

// Parses a decimal number that makes up all of `text`.
template <typename T>
std::optional<T> number(std::string_view text) {
    T v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

} // namespace

std::optional<StrategySpec> StrategySpec::parse(std::string_view text) {
    StrategySpec s;
    if (text == "random") return s;
    if (text == "dpor") {
        s.kind = Kind::dpor;
        s.depth = unbounded_preemptions;
        return s;
    }
    if (text.starts_with("pct")) {
        s.kind = Kind::pct;
        std::string_view rest = text.substr(3);
        std::size_t k = rest.find("-k");
        auto d = number<unsigned>(rest.substr(0, k));
        if (!d || *d < 1 || *d > 64) return std::nullopt;
        s.depth = *d;
        if (k != std::string_view::npos) {
            auto steps = number<std::uint64_t>(rest.substr(k + 2));
            if (!steps || *steps == 0) return std::nullopt;
            s.steps = *steps;
        }
        return s;
    }
    if (text.starts_with("dfs")) {
        s.kind = Kind::dfs;
        s.depth = unbounded_preemptions;
        if (text.size() == 3) return s;
        auto p = number<unsigned>(text.substr(3));
        if (!p || *p == unbounded_preemptions) return std::nullopt;
        s.depth = *p;
        return s;
    }
    return std::nullopt;
}

// --- HappensBefore (strategy_trace.hpp)

HappensBefore::HappensBefore(unsigned processes)
    : n_(processes), of_(processes), now_(std::size_t{processes} * processes, 0), last_(processes, none) {
    if (processes < 1 || processes > max_sim_cpus) std::abort();
}

void HappensBefore::reset() {
    process_.clear();
    kind_.clear();
    for (auto& events : of_) events.clear();
    std::fill(now_.begin(), now_.end(), 0);
    std::fill(last_.begin(), last_.end(), none);
    last_global_ = none;
    fingerprint_ = 0;
    used_ = 0;
    if (++generation_ == 0) { // after 2^32 executions: forget every slot for real
        for (Slot& s : slots_) s.generation = 0;
        generation_ = 1;
    }
}

void HappensBefore::join(std::uint32_t* into, const std::uint32_t* from) const {
    for (unsigned q = 0; q < n_; ++q) into[q] = std::max(into[q], from[q]);
}

// Clocks have a handful of entries: a loop, not a call to memmove.
void HappensBefore::copy(std::uint32_t* into, const std::uint32_t* from) const {
    for (unsigned q = 0; q < n_; ++q) into[q] = from[q];
}

void HappensBefore::barrier() {
    std::uint32_t all[max_sim_cpus] = {};
    for (unsigned q = 0; q < n_; ++q) join(all, &now_[std::size_t{q} * n_]);
    for (unsigned q = 0; q < n_; ++q) copy(&now_[std::size_t{q} * n_], all);
}

// Earlier event `c` is dependent with the event `process` is adding: it races with it unless it happens
// before the process's previous event (then it happens before the new one through that).
void HappensBefore::candidate(std::uint32_t c, unsigned process, std::uint32_t* found,
                              unsigned* count) const {
    const unsigned q = process_[c];
    if (q == process || now_[std::size_t{process} * n_ + q] > local(c)) return;
    for (unsigned i = 0; i < *count; ++i)
        if (found[i] == c) return;
    found[(*count)++] = c;
}

// Only immediate races: a candidate that happens before another candidate races through it, not directly.
void HappensBefore::report(const std::uint32_t* found, unsigned count,
                           std::vector<std::uint32_t>* races) const {
    if (!races) return;
    for (unsigned i = 0; i < count; ++i) {
        bool immediate = true;
        for (unsigned j = 0; j < count && immediate; ++j) immediate = !before(found[i], found[j]);
        if (immediate) races->push_back(found[i]);
    }
}

std::uint32_t HappensBefore::add(unsigned p, Access a, std::uint8_t tag, std::vector<std::uint32_t>* races) {
    const auto e = static_cast<std::uint32_t>(process_.size());
    std::size_t s = 0;
    if (a.kind == Access::Kind::read || a.kind == Access::Kind::write) s = slot(a.granule);
    if (clocks_.size() < (std::size_t{e} + 1) * n_)
        clocks_.resize(std::max<std::size_t>(4096, clocks_.size() * 2));
    std::uint32_t* vc = clock(e);
    copy(vc, &now_[std::size_t{p} * n_]);
    std::uint32_t found[2 * max_sim_cpus + 2];
    unsigned count = 0;
    switch (a.kind) {
    case Access::Kind::none:
        break;
    case Access::Kind::global: // after everything but `none` steps
        for (unsigned q = 0; q < n_; ++q)
            if (q != p && last_[q] != none) {
                candidate(last_[q], p, found, &count);
                join(vc, clock(last_[q]));
            }
        break;
    case Access::Kind::read:
    case Access::Kind::write: {
        const std::uint32_t w = slots_[s].write;
        if (w != none) {
            candidate(w, p, found, &count);
            join(vc, clock(w));
        }
        if (a.kind == Access::Kind::write)
            for (unsigned q = 0; q < n_; ++q) {
                const std::uint32_t r = reads_[s * n_ + q];
                if (q == p || r == none) continue;
                candidate(r, p, found, &count);
                join(vc, clock(r));
            }
        if (last_global_ != none) {
            candidate(last_global_, p, found, &count);
            join(vc, clock(last_global_));
        }
        break;
    }
    }
    vc[p] += 1;
    report(found, count, races);

    process_.push_back(static_cast<std::uint8_t>(p));
    kind_.push_back(static_cast<std::uint8_t>(static_cast<unsigned>(a.kind) | tag << 4));
    of_[p].push_back(e);
    copy(&now_[std::size_t{p} * n_], vc);
    if (a.kind != Access::Kind::none) last_[p] = e;
    if (a.kind == Access::Kind::global) last_global_ = e;
    if (a.kind == Access::Kind::read) reads_[s * n_ + p] = e;
    if (a.kind == Access::Kind::write) {
        slots_[s].write = e;
        for (unsigned q = 0; q < n_; ++q) reads_[s * n_ + q] = none;
    }
    fingerprint_ += hash(e);
    return e;
}

void HappensBefore::make_global(std::uint32_t e, std::vector<std::uint32_t>* races) {
    if (e + 1 != process_.size() || (kind_[e] & 15) == static_cast<unsigned>(Access::Kind::global)) return;
    const unsigned p = process_[e];
    fingerprint_ -= hash(e);
    // As add() would have: dependent with every process's latest event, which p's clock before e lacked.
    std::uint32_t* vc = clock(e);
    std::uint32_t found[2 * max_sim_cpus + 2];
    unsigned count = 0;
    for (unsigned q = 0; q < n_; ++q) {
        const std::uint32_t c = last_[q];
        if (q == p || c == none) continue;
        if (vc[q] <= local(c)) found[count++] = c; // vc[q] is what p knew of q before e
        join(vc, clock(c));
    }
    report(found, count, races);
    kind_[e] = static_cast<std::uint8_t>((kind_[e] & 0xf0) | static_cast<unsigned>(Access::Kind::global));
    copy(&now_[std::size_t{p} * n_], vc);
    last_[p] = e;
    last_global_ = e;
    fingerprint_ += hash(e);
}

std::uint32_t HappensBefore::first_after(unsigned p, std::uint32_t e) const {
    const std::vector<std::uint32_t>& events = of_[p];
    auto it = std::upper_bound(events.begin(), events.end(), e);
    return it == events.end() ? none : *it;
}

std::uint64_t HappensBefore::hash(std::uint32_t e) const {
    // Not the granule: a scenario's host objects move from run to run, and the clocks already fix the trace.
    // A polynomial over the event's small numbers, then one strong mix (SplitMix64's finaliser).
    const std::uint32_t* vc = clock(e);
    std::uint64_t h = process_[e] | std::uint64_t{kind_[e]} << 8;
    for (unsigned q = 0; q < n_; ++q) h = h * 0x100000001b3ull + vc[q];
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

std::size_t HappensBefore::slot(std::uintptr_t granule) {
    if (slots_.empty()) {
        slots_.resize(1024);
        reads_.assign(slots_.size() * n_, none);
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = (granule * 0x9e3779b97f4a7c15ull) >> 20 & mask;; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (s.generation == generation_) {
            if (s.granule == granule) return i;
            continue;
        }
        s = Slot{granule, generation_, none};
        for (unsigned q = 0; q < n_; ++q) reads_[i * n_ + q] = none;
        if (++used_ * 2 > slots_.size()) {
            grow();
            return slot(granule);
        }
        return i;
    }
}

void HappensBefore::grow() {
    std::vector<Slot> old = std::move(slots_);
    std::vector<std::uint32_t> old_reads = std::move(reads_);
    slots_.assign(old.size() * 2, Slot{});
    reads_.assign(slots_.size() * n_, none);
    used_ = 0;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = 0; j < old.size(); ++j) {
        if (old[j].generation != generation_) continue;
        std::size_t i = (old[j].granule * 0x9e3779b97f4a7c15ull) >> 20 & mask;
        while (slots_[i].generation == generation_) i = (i + 1) & mask;
        slots_[i] = old[j];
        std::copy_n(&old_reads[j * n_], n_, &reads_[i * n_]);
        ++used_;
    }
}

// --- TracedStrategy

void TracedStrategy::parked(const Park& p) {
    if (p.run_start) hb_.barrier(); // the host ran since the last step: it orders everything before it
    // The machine left what the reduction models during this CPU's step (it armed a timer, say): the step,
    // the latest event, is global after all.
    if (p.global_mode && !global_mode_ && !p.run_start && hb_.size() != 0) {
        const auto last = static_cast<std::uint32_t>(hb_.size() - 1);
        if (hb_.process(last) == p.cpu) {
            races_.clear();
            hb_.make_global(last, &races_);
            upgraded(last);
        }
    }
    global_mode_ = p.global_mode;
    pending_[p.cpu] = p.next;
}

Access TracedStrategy::effective(Choice c, bool interrupted) const {
    if (c.kind == Choice::Kind::drain || interrupted || global_mode_) return Access{};
    return pending_[c.cpu];
}

std::uint32_t TracedStrategy::record(Choice c, bool interrupted, std::vector<std::uint32_t>* races) {
    return hb_.add(c.cpu, effective(c, interrupted), c.kind == Choice::Kind::drain ? 1 : 0, races);
}

void TracedStrategy::restart() {
    hb_.reset();
    pending_ = {};
    global_mode_ = false;
}

} // namespace hostsim
