#include "hostsim/replay_line.hpp"

#include <charconv>

#include "hostsim/schedule.hpp"

namespace hostsim {

std::string ReplayLine::format() const {
    std::string s = scenario + "," + strategy.name() + ",seed=" + std::to_string(seed) +
                    (tso ? ",tso" : ",sc") + ",budget=" + std::to_string(step_budget);
    if (schedule) s += ",sched=" + encode_schedule(*schedule);
    return s;
}

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<ReplayLine> parse_word(std::string_view word) {
    ReplayLine line;
    bool have_seed = false, have_memory = false, have_budget = false;
    std::size_t field = 0;
    while (!word.empty()) {
        std::size_t comma = word.find(',');
        std::string_view f = word.substr(0, comma);
        word = comma == std::string_view::npos ? std::string_view() : word.substr(comma + 1);
        if (field == 0) {
            if (f.empty()) return std::nullopt;
            line.scenario = std::string(f);
        } else if (field == 1) {
            auto s = StrategySpec::parse(f);
            if (!s) return std::nullopt;
            line.strategy = *s;
        } else if (f.starts_with("seed=")) {
            auto v = number(f.substr(5));
            if (!v) return std::nullopt;
            line.seed = *v;
            have_seed = true;
        } else if (f == "sc" || f == "tso") {
            line.tso = f == "tso";
            have_memory = true;
        } else if (f.starts_with("budget=")) {
            auto v = number(f.substr(7));
            if (!v || *v == 0) return std::nullopt;
            line.step_budget = *v;
            have_budget = true;
        } else if (f.starts_with("sched=")) {
            auto s = decode_schedule(f.substr(6));
            if (!s) return std::nullopt;
            line.schedule = std::move(*s);
        } else {
            return std::nullopt;
        }
        ++field;
    }
    if (!have_seed || !have_memory || !have_budget) return std::nullopt;
    return line;
}

} // namespace

std::optional<ReplayLine> ReplayLine::parse(std::string_view text) {
    while (!text.empty()) {
        std::size_t start = text.find_first_not_of(" \t\r\n'\"");
        if (start == std::string_view::npos) break;
        text = text.substr(start);
        std::size_t end = text.find_first_of(" \t\r\n'\"");
        std::string_view word = text.substr(0, end);
        if (word.find(",seed=") != std::string_view::npos)
            if (auto line = parse_word(word)) return line;
        if (end == std::string_view::npos) break;
        text = text.substr(end);
    }
    return std::nullopt;
}

} // namespace hostsim
