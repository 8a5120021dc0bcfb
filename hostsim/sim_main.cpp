// janus_sim: the schedule explorer's command line (`./janus sim ...` calls it).
//
//   janus_sim list                         registered scenarios
//   janus_sim planted                      the planted-bug self-test: one line per case, "N passed, N failed"
//   janus_sim explore NAME [options]       explore one scenario; a failure prints its replay line
//       --strategy random|pctD|dfsP|dfs|dpor (default: the scenario's plan, else pct3)
//       --runs N  --seed N  --tso|--sc  --budget N (step budget per run)
//   janus_sim replay LINE... [--trace]     run a printed failure line again (the whole line or its 2nd word)
//   janus_sim boot [options]               boot the kernel with the root task ELF and run the ring-3 suite in
//                                          Unicorn (hostsim/usermode); the console streams to stderr
//       --cpus 1..4  --strategy S (random)  --seed N  --elf PATH  --reference FILE (QEMU's results)
//   janus_sim --gtest_...                  every scenario as a GoogleTest case (what ctest runs: sim.<name>)
//
// Exit status: 0 when everything passed, 1 when a run failed (or a planted case did), 2 for usage errors, 3
// when replay names a scenario that is not linked into janus_sim (./janus sim then asks the test programs).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

#include "hostsim/explorer.hpp"
#include "hostsim/planted_suite.hpp"
#include "hostsim/shard_report.hpp"
#include "hostsim/usermode/suite_scenarios.hpp"

namespace hostsim {
namespace {

int usage() {
    std::fprintf(
        stderr,
        "usage: janus_sim list | planted | explore NAME [--strategy S] [--runs N] [--seed N] "
        "[--tso|--sc] [--budget N] [--shard I/N] [--report FILE] | merge REPORT... | replay LINE [--trace] "
        "| boot [--cpus N] [--strategy S] [--seed N] [--elf PATH] [--reference FILE]\n");
    return 2;
}

std::optional<std::uint64_t> number(const char* text) {
    std::uint64_t v = 0;
    const char* end = text + std::strlen(text);
    auto [p, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || p != end || p == text) return std::nullopt;
    return v;
}

int list() {
    for (const Scenario* s : all_scenarios())
        std::printf("%-40s %u cpu%s%s  %s\n", s->name.c_str(), s->config.cpus, s->config.cpus > 1 ? "s" : "",
                    s->config.tso ? ", tso" : "", s->description.c_str());
    return 0;
}

const Scenario* scenario_named(const std::string& name) {
    const Scenario* s = find_scenario(name);
    if (!s) std::fprintf(stderr, "janus_sim: no scenario %s (see janus_sim list)\n", name.c_str());
    return s;
}

int explore_command(int argc, char** argv) {
    if (argc < 1) return usage();
    const Scenario* s = scenario_named(argv[0]);
    if (!s) return 2;
    ExploreOptions o;
    std::string report_file;
    if (!s->plan.empty()) {
        o.strategy = s->plan.front().strategy;
        o.runs = s->plan.front().runs;
    } else {
        o.strategy = *StrategySpec::parse("pct3");
    }
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--tso")
            o.tso = true;
        else if (a == "--sc")
            o.tso = false;
        else if (a == "--strategy") {
            const char* v = value();
            auto spec = v ? StrategySpec::parse(v) : std::nullopt;
            if (!spec) return usage();
            o.strategy = *spec;
        } else if (a == "--shard") {
            // I/N: runs i with i % N == I (shard_report.hpp)
            const char* v = value();
            const char* slash = v ? std::strchr(v, '/') : nullptr;
            if (!slash) return usage();
            auto index = number(std::string(v, slash).c_str()), count = number(slash + 1);
            if (!index || !count || *count == 0 || *index >= *count) return usage();
            o.shard = *index;
            o.shards = *count;
        } else if (a == "--report") {
            const char* v = value();
            if (!v) return usage();
            report_file = v;
        } else if (a == "--runs" || a == "--seed" || a == "--budget") {
            const char* v = value();
            auto n = v ? number(v) : std::nullopt;
            if (!n) return usage();
            if (a == "--runs")
                o.runs = *n;
            else if (a == "--seed")
                o.seed = *n;
            else
                o.step_budget = *n;
        } else {
            return usage();
        }
    }
    if (o.shards > 1 &&
        (o.strategy.kind == StrategySpec::Kind::dfs || o.strategy.kind == StrategySpec::Kind::dpor)) {
        std::fprintf(stderr, "janus_sim: dfs and dpor enumerate schedules in order and are not sharded; use "
                             "random or pct\n");
        return 2;
    }
    ExploreReport r = explore(*s, o);
    if (!report_file.empty()) {
        ShardReport sr;
        sr.scenario = s->name;
        sr.strategy = o.strategy.name();
        sr.seed = o.seed;
        sr.total = o.runs;
        sr.shard = o.shard;
        sr.shards = o.shards;
        sr.runs = r.runs;
        sr.steps = r.steps;
        sr.seconds = r.seconds;
        if (r.failed()) {
            sr.failure = r.line->format();
            sr.failure_text = r.failure_text();
        }
        std::ofstream(report_file) << sr.format();
    }
    if (r.failed()) {
        std::printf("%s\n", r.failure_text().c_str());
        std::printf("(run %llu of %s after %.3f s; replay: ./janus sim replay %s)\n",
                    static_cast<unsigned long long>(r.failing_run) + 1, o.strategy.name().c_str(), r.seconds,
                    r.line->format().c_str());
        return 1;
    }
    std::string traces;
    if (o.strategy.kind == StrategySpec::Kind::dpor)
        traces =
            ", " + std::to_string(r.distinct) + " distinct traces, " + std::to_string(r.pruned) + " pruned";
    std::printf("PASS %s: %llu run%s of %s%s%s, no failure (%.3f s, %.0f runs/s)\n", s->name.c_str(),
                static_cast<unsigned long long>(r.runs), r.runs == 1 ? "" : "s", o.strategy.name().c_str(),
                r.exhausted
                    ? (o.strategy.kind == StrategySpec::Kind::dpor ? " (every trace)"
                                                                   : " (every schedule within the bound)")
                    : "",
                traces.c_str(), r.seconds, r.seconds > 0 ? static_cast<double>(r.runs) / r.seconds : 0.0);
    return 0;
}

/// `janus_sim merge REPORT...`: the shards' reports (shard_report.hpp) as one exploration. Exit 0 if they are
/// complete and nothing failed, 1 if a shard failed (each failure's replay line is printed), 2 if they do not
/// make up one exploration.
int merge_command(int argc, char** argv) {
    if (argc < 1) return usage();
    std::vector<ShardReport> reports;
    for (int i = 0; i < argc; ++i) {
        std::ifstream in(argv[i]);
        std::stringstream text;
        text << in.rdbuf();
        std::string error;
        auto r = in ? ShardReport::parse(text.str(), error) : std::nullopt;
        if (!r) {
            std::fprintf(stderr, "janus_sim merge: %s: %s\n", argv[i], in ? error.c_str() : "cannot read it");
            return 2;
        }
        reports.push_back(*r);
    }
    MergedReport m = merge_reports(reports);
    if (!m.problem.empty()) {
        std::fprintf(stderr, "janus_sim merge: %s\n", m.problem.c_str());
        return 2;
    }
    const ShardReport& f = reports.front();
    for (const ShardReport* r : m.failed) {
        std::printf("%s\n(shard %llu of %llu; replay: ./janus sim replay %s)\n", r->failure_text.c_str(),
                    static_cast<unsigned long long>(r->shard), static_cast<unsigned long long>(r->shards),
                    r->failure.c_str());
    }
    std::printf("%s %s: %llu shards, %llu of %llu runs of %s (seed %llu), %zu failed; %llu steps, %.3f s of "
                "machine time\n",
                m.failed.empty() ? "PASS" : "FAIL", f.scenario.c_str(),
                static_cast<unsigned long long>(f.shards), static_cast<unsigned long long>(m.runs),
                static_cast<unsigned long long>(f.total), f.strategy.c_str(),
                static_cast<unsigned long long>(f.seed), m.failed.size(),
                static_cast<unsigned long long>(m.steps), m.seconds);
    return m.failed.empty() ? 0 : 1;
}

int replay_command(int argc, char** argv) {
    std::string text;
    bool trace = false;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--trace") == 0)
            trace = true;
        else
            text += std::string(text.empty() ? "" : " ") + argv[i];
    }
    auto line = ReplayLine::parse(text);
    if (!line) {
        std::fprintf(stderr, "janus_sim: no replay line in \"%s\"\n", text.c_str());
        return 2;
    }
    const Scenario* s = find_scenario(line->scenario);
    if (!s) {
        // Not linked in here: ./janus sim replay then asks the test programs (JANUS_SIM_REPLAY,
        // explorer.hpp).
        std::fprintf(stderr, "janus_sim: scenario %s is not in janus_sim\n", line->scenario.c_str());
        return 3;
    }
    return replay_and_report(*s, text, trace, stdout);
}

// The ring-3 suite on hostsim, once, as a developer runs it: the console streams, the end says how it went.
int boot_command(int argc, char** argv) {
    unsigned cpus = 1;
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("random");
    o.runs = 1;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!v) return usage();
        ++i;
        if (a == "--cpus") {
            auto n = number(v);
            if (!n || *n < 1 || *n > usermode::max_suite_cpus) return usage();
            cpus = static_cast<unsigned>(*n);
        } else if (a == "--seed") {
            auto n = number(v);
            if (!n) return usage();
            o.seed = *n;
        } else if (a == "--strategy") {
            auto spec = StrategySpec::parse(v);
            if (!spec) return usage();
            o.strategy = *spec;
        } else if (a == "--elf") {
            setenv("JANUS_SIM_ROOTTASK", v, 1);
        } else if (a == "--reference") {
            setenv("JANUS_USERMODE_REFERENCE", v, 1);
        } else {
            return usage();
        }
    }
    Scenario s = usermode::suite_scenario(cpus);
    s.config.echo_console = true;
    std::fprintf(stderr, "janus_sim: booting %s on %u simulated CPU%s (%s, seed %llu)\n",
                 usermode::roottask_path().c_str(), cpus, cpus > 1 ? "s" : "", o.strategy.name().c_str(),
                 static_cast<unsigned long long>(o.seed));
    o.recheck = false;
    ExploreReport r = explore(s, o);
    const usermode::SuiteReport& rep = usermode::last_suite_report();
    std::printf(
        "hostsim: %zu passed, %zu failed; %llu user instructions in %llu slices (%llu entries to user "
        "mode, %llu TLB fills), %.3f s of virtual time, %.2f s on the host\n",
        rep.passed, rep.failed, static_cast<unsigned long long>(rep.stats.instructions),
        static_cast<unsigned long long>(rep.stats.slices), static_cast<unsigned long long>(rep.stats.entries),
        static_cast<unsigned long long>(rep.stats.tlb_fills), static_cast<double>(rep.virtual_ns) / 1e9,
        r.seconds);
    if (r.failed()) {
        std::printf("%s\n(replay: ./janus sim replay %s)\n", r.failure_text().c_str(),
                    r.line->format().c_str());
        return 1;
    }
    std::printf("PASS %s\n", s.name.c_str());
    return 0;
}

// Every scenario (but the TSan probes) becomes a GoogleTest case group.case running its plan.
class ScenarioTest : public ::testing::Test {
public:
    explicit ScenarioTest(const Scenario* s) : s_(s) {}
    void TestBody() override {
        std::vector<Budget> plan = s_->plan;
        if (plan.empty()) plan = {{*StrategySpec::parse("random"), 300}, {*StrategySpec::parse("pct3"), 300}};
        // The planted bugs are small enough to explore with the partial-order reduction too: it must find
        // each bug (and pass each fixed version) as the plan's strategy does.
        if (s_->name.starts_with("planted.")) plan.push_back({*StrategySpec::parse("dpor"), 100'000});
        for (const Budget& b : plan) {
            ExploreOptions o;
            o.strategy = b.strategy;
            o.runs = b.runs;
            ExploreReport r = explore(*s_, o);
            if (s_->expect == Verdict::pass) {
                EXPECT_FALSE(r.failed()) << r.failure_text();
                continue;
            }
            ASSERT_TRUE(r.failed()) << "the planted bug was not found by " << b.strategy.name() << " in "
                                    << b.runs << " runs";
            EXPECT_EQ(r.failure.verdict, s_->expect) << r.failure_text();
            EXPECT_EQ(r.nondeterminism, "") << r.failure_text();
            auto line = ReplayLine::parse(r.failure_text());
            ASSERT_TRUE(line) << r.failure_text();
            EXPECT_EQ(compare_outcomes(r.failure, replay(*s_, *line)), "") << r.failure_text();
        }
    }

private:
    const Scenario* s_;
};

int gtest_main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    for (const Scenario* s : all_scenarios()) {
        // usermode.* are the usermode tests' (with QEMU's results to compare with): not sim.usermode.* here.
        if (s->name.starts_with("probe.") || s->name.starts_with("usermode.")) continue;
        std::size_t dot = s->name.find('.');
        std::string suite = dot == std::string::npos ? "scenario" : s->name.substr(0, dot);
        std::string name = dot == std::string::npos ? s->name : s->name.substr(dot + 1);
        ::testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                [s]() -> ::testing::Test* { return new ScenarioTest(s); });
    }
    return RUN_ALL_TESTS();
}

} // namespace
} // namespace hostsim

int main(int argc, char** argv) {
    using namespace hostsim;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--gtest", 7) == 0) return gtest_main(argc, argv);
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    if (cmd == "list") return list();
    if (cmd == "planted") return run_planted_suite(stdout) ? 1 : 0;
    if (cmd == "explore") return explore_command(argc - 2, argv + 2);
    if (cmd == "replay") return replay_command(argc - 2, argv + 2);
    if (cmd == "merge") return merge_command(argc - 2, argv + 2);
    if (cmd == "boot") return boot_command(argc - 2, argv + 2);
    if (cmd == "test") return gtest_main(argc, argv);
    return usage();
}
