#include "hostsim/strategy.hpp"

#include <charconv>

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

} // namespace hostsim
