#include "hostsim/explorer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <unordered_set>

#include "hostsim/crash_line.hpp"
#include "hostsim/rng.hpp"
#include "hostsim/schedule.hpp"

namespace hostsim {

namespace {

Config config_for(const Scenario& s, std::optional<bool> tso, std::optional<std::uint64_t> budget) {
    Config c = s.config;
    if (tso) c.tso = *tso;
    if (budget) c.step_budget = *budget;
    return c;
}

std::unique_ptr<Strategy> make(const StrategySpec& spec, std::uint64_t seed) {
    return spec.kind == StrategySpec::Kind::pct ? make_pct(spec.depth, spec.steps, seed) : make_random(seed);
}

// Runs the first `runs` schedules of an enumeration (dfs, dpor) without a trace, so that the next run is
// the one numbered `runs`; false (and the divergence in *out) if there are fewer.
template <typename Enumerator>
bool enumerate_to(const Scenario& scenario, Machine& m, Enumerator& e, std::uint64_t runs, Outcome* out) {
    m.set_trace(nullptr);
    for (std::uint64_t i = 0; i < runs; ++i) {
        e.begin_run();
        execute(scenario, m, &e);
        if (!e.next()) {
            out->verdict = Verdict::divergence;
            out->message = "the enumeration has only " + std::to_string(i + 1) + " schedules";
            return false;
        }
    }
    return true;
}

} // namespace

Outcome execute(const Scenario& scenario, Machine& m, Strategy* strategy) {
    m.reset();
    m.set_strategy(strategy);
    scenario.body(m);
    m.set_strategy(nullptr);
    Outcome out = m.outcome();
    if (strategy && !out.failed() && !strategy->complete()) {
        out.verdict = Verdict::divergence;
        out.message = strategy->divergence();
    }
    return out;
}

std::string compare_outcomes(const Outcome& a, const Outcome& b) {
    if (a.verdict != b.verdict)
        return std::string("verdict ") + verdict_name(a.verdict) + " then " + verdict_name(b.verdict);
    if (a.message != b.message) return "message \"" + a.message + "\" then \"" + b.message + "\"";
    if (a.schedule != b.schedule)
        return "schedule " + encode_schedule(a.schedule) + " then " + encode_schedule(b.schedule);
    if (a.steps != b.steps) return "steps " + std::to_string(a.steps) + " then " + std::to_string(b.steps);
    return {};
}

std::string ExploreReport::failure_text() const {
    if (!line) return {};
    std::string s =
        "FAIL " + line->format() + " -- " + verdict_name(failure.verdict) + ": " + failure.message;
    if (!nondeterminism.empty()) s += " [NONDETERMINISTIC: " + nondeterminism + "]";
    return s;
}

ExploreReport explore(const Scenario& scenario, const ExploreOptions& options) {
    auto started = std::chrono::steady_clock::now();
    ExploreReport report;
    if (const char* wanted = std::getenv("JANUS_SIM_REPLAY")) {
        auto line = ReplayLine::parse(wanted);
        static bool replayed = false; // a test program may explore the same scenario several times
        if (!line || line->scenario != scenario.name || replayed) return report;
        replayed = true;
        const char* trace = std::getenv("JANUS_SIM_TRACE");
        std::printf("hostsim: begin replay\n");
        int status = replay_and_report(scenario, wanted, trace && *trace == '1', stdout);
        std::printf("hostsim: end replay (status %d)\n", status);
        std::fflush(stdout);
        report.runs = 1;
        return report;
    }
    Config config = config_for(scenario, options.tso, options.step_budget);
    Machine m(config);
    StrategySpec spec = options.strategy;
    if (spec.kind == StrategySpec::Kind::pct && spec.steps == 0) {
        // PCT spreads its change points over the steps of one run: count them on the default schedule,
        // which is also the first schedule of dfs0 (the name a crash in it is reported under).
        set_crash_line({scenario.name, *StrategySpec::parse("dfs0"), 0, config.tso, config.step_budget, {}});
        Outcome calibration = execute(scenario, m, nullptr);
        spec.steps = std::max<std::uint64_t>(calibration.points, 2);
    }
    report.pct_steps = spec.kind == StrategySpec::Kind::pct ? spec.steps : 0;
    std::optional<DfsStrategy> dfs;
    std::optional<DporStrategy> dpor;
    if (spec.kind == StrategySpec::Kind::dfs) dfs.emplace(spec.depth);
    if (spec.kind == StrategySpec::Kind::dpor) dpor.emplace(config.cpus);
    const bool enumerating = dfs || dpor;
    std::unordered_set<std::uint64_t> traces; // fingerprints of the complete runs (dpor, count_traces)

    const std::uint64_t stride = enumerating || options.shards == 0 ? 1 : options.shards;
    for (std::uint64_t i = enumerating ? 0 : options.shard; i < options.runs; i += stride) {
        std::uint64_t seed = enumerating ? i : run_seed(options.seed, i);
        std::unique_ptr<Strategy> fresh;
        Strategy* strategy;
        if (dfs) {
            dfs->begin_run();
            strategy = &*dfs;
        } else if (dpor) {
            dpor->begin_run();
            strategy = &*dpor;
        } else {
            fresh = make(spec, seed);
            strategy = fresh.get();
        }
        std::optional<TracingStrategy> tracing;
        if (options.count_traces && !dpor) {
            tracing.emplace(strategy, config.cpus);
            tracing->restart();
            strategy = &*tracing;
        }
        set_crash_line({scenario.name, spec, seed, config.tso, config.step_budget, std::nullopt});
        Outcome out = execute(scenario, m, strategy);
        ++report.runs;
        report.steps += out.steps;
        if (dpor && dpor->pruned()) {
            ++report.pruned; // not a failure: the run stopped where every way on was a trace already run
        } else if (out.failed()) {
            report.failing_run = i;
            report.line = ReplayLine{scenario.name, spec, seed, config.tso, config.step_budget, out.schedule};
            if (scenario.seed_only_lines && !enumerating) report.line->schedule.reset();
            if (options.recheck) {
                auto replayer = make_replay(out.schedule);
                std::string diff = compare_outcomes(out, execute(scenario, m, replayer.get()));
                if (!diff.empty()) report.nondeterminism = "replaying its schedule gave " + diff;
                if (!enumerating && diff.empty()) {
                    auto again = make(spec, seed);
                    diff = compare_outcomes(out, execute(scenario, m, again.get()));
                    if (!diff.empty()) report.nondeterminism = "re-running its seed gave " + diff;
                }
            }
            report.failure = std::move(out);
            break;
        } else if (dpor) {
            traces.insert(dpor->trace().fingerprint());
        } else if (tracing) {
            traces.insert(tracing->trace().fingerprint());
        }
        if (dfs && !dfs->next()) {
            report.exhausted = true;
            break;
        }
        if (dpor && !dpor->next()) {
            report.exhausted = true;
            break;
        }
    }
    report.distinct = traces.size();
    clear_crash_line();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

Outcome replay(const Scenario& scenario, const ReplayLine& line, std::FILE* trace, std::string* console) {
    Config config = scenario.config;
    config.tso = line.tso;
    config.step_budget = line.step_budget;
    Machine m(config);
    m.set_trace(trace);
    Outcome out;
    set_crash_line(line);
    if (line.schedule) {
        auto replayer = make_replay(*line.schedule);
        out = execute(scenario, m, replayer.get());
    } else if (line.strategy.kind == StrategySpec::Kind::dfs) {
        // Run `seed` is the seed-th schedule of the enumeration: enumerate up to it without a trace.
        DfsStrategy dfs(line.strategy.depth);
        if (!enumerate_to(scenario, m, dfs, line.seed, &out)) return out;
        m.set_trace(trace);
        dfs.begin_run();
        out = execute(scenario, m, &dfs);
    } else if (line.strategy.kind == StrategySpec::Kind::dpor) {
        DporStrategy dpor(config.cpus);
        if (!enumerate_to(scenario, m, dpor, line.seed, &out)) return out;
        m.set_trace(trace);
        dpor.begin_run();
        out = execute(scenario, m, &dpor);
    } else {
        auto strategy = make(line.strategy, line.seed);
        out = execute(scenario, m, strategy.get());
    }
    clear_crash_line();
    if (console) *console = m.console();
    return out;
}

int replay_and_report(const Scenario& scenario, const std::string& text, bool trace, std::FILE* out) {
    auto line = ReplayLine::parse(text);
    if (!line) {
        std::fprintf(out, "no replay line in \"%s\"\n", text.c_str());
        return 2;
    }
    std::fprintf(out, "replaying %s\n", line->format().c_str());
    std::fflush(out);
    std::string console;
    Outcome o = replay(scenario, *line, trace ? out : nullptr, &console);
    if (!console.empty())
        std::fprintf(out, "--- console ---\n%s%s--- end of console ---\n", console.c_str(),
                     console.back() == '\n' ? "" : "\n");
    ReplayLine again = *line;
    again.schedule = o.schedule;
    if (scenario.seed_only_lines) again.schedule.reset();
    if (o.failed())
        std::fprintf(out, "FAIL %s -- %s: %s\n", again.format().c_str(), verdict_name(o.verdict),
                     o.message.c_str());
    else
        std::fprintf(out, "PASS %s -- no failure in this run (%llu steps)\n", again.format().c_str(),
                     static_cast<unsigned long long>(o.steps));
    // If the text carried the original failure, say whether this run reproduced it.
    std::size_t dash = text.find(" -- ");
    if (dash != std::string::npos) {
        std::string original = text.substr(dash + 4);
        std::size_t note = original.find(" [NONDETERMINISTIC");
        if (note != std::string::npos) original.resize(note);
        std::string now = o.failed() ? std::string(verdict_name(o.verdict)) + ": " + o.message : "";
        std::fprintf(out, "%s\n",
                     original == now ? "reproduced: the identical failure"
                                     : "DIFFERENT from the given line's failure");
    }
    std::fflush(out);
    return o.failed() ? 1 : 0;
}

} // namespace hostsim
