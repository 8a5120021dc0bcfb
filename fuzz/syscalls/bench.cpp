// bench_syscall_fuzz: executions per second of the syscall fuzzer's harness (fuzz/syscalls/) on a fixed input
// set: 4096 programs of 8 steps from a fixed-seed generator, or the files given on the command line. Prints
// the rate with every oracle, then with parts switched off, so the cost of each is visible, and what a reset
// costs: restoring the booted kernel's snapshot after a program (what the fuzzers pay per input), and the
// fresh boot it replaced. Rates are CPU time of this process (not wall-clock), so a busy machine shows less
// in the figures; resets are timed by the wall clock (steady_clock) around each reset, and inside it the
// kernel's restore (pool, Kernel object, hostsim's state) and the model's boot state (a copy of its maps).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"

namespace {

using Program = std::vector<std::uint8_t>;

std::vector<Program> fixed_programs(std::size_t count, std::size_t steps) {
    std::vector<Program> out;
    std::uint64_t x = 0x2545f4914f6cdd1d;
    for (std::size_t p = 0; p < count; ++p) {
        Program prog(steps * fuzzsys::record_bytes);
        for (auto& b : prog) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b = static_cast<std::uint8_t>(x >> 24);
        }
        out.push_back(prog);
    }
    return out;
}

void measure(const char* what, const std::vector<Program>& programs, fuzzsys::Options options, bool run) {
    fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::abort, options);
    w.reset(); // the first boot (and snapshot) is not part of the figures
    w.finish();
    const int rounds = 3;
    std::chrono::steady_clock::duration in_reset{};
    std::clock_t start = std::clock();
    for (int r = 0; r < rounds; ++r)
        for (const Program& p : programs) {
            auto before = std::chrono::steady_clock::now();
            w.reset();
            in_reset += std::chrono::steady_clock::now() - before;
            if (run) fuzzsys::run_program(w, p.data(), p.size());
            w.finish();
        }
    double seconds = double(std::clock() - start) / CLOCKS_PER_SEC;
    double execs = double(rounds) * double(programs.size());
    double reset_us = std::chrono::duration<double, std::micro>(in_reset).count() / execs;
    std::printf("syscall_fuzz: %-50s %9.0f execs/s  (%6.1f us each; reset %6.2f us", what, execs / seconds,
                1e6 * seconds / execs, reset_us);
    if (w.restores() > 0) {
        const double n = double(w.restores());
        std::printf(": kernel %.2f us, %.2f pages copied back", 1e-3 * double(w.restore_ns()) / n,
                    double(w.pages_restored()) / n);
        if (options.model) std::printf("; model %.2f us", 1e-3 * double(w.model_boot_ns()) / n);
    }
    std::printf(")\n");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<Program> programs;
    for (int i = 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        programs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (programs.empty()) programs = fixed_programs(4096, 8);
    std::size_t bytes = 0;
    for (const Program& p : programs) bytes += p.size();
    std::printf("syscall_fuzz: %zu programs, %.1f steps on average\n", programs.size(),
                double(bytes) / double(programs.size()) / double(fuzzsys::record_bytes));
    using Check = fuzzsys::Options::Check;
    fuzzsys::Options tests; // what the regression tests and the repro tool run
    measure("checker after every step, model, teardown (tests)", programs, tests, true);
    fuzzsys::Options fuzzers = tests; // what fuzz_syscalls runs
    fuzzers.check = Check::state_changes;
    fuzzers.teardown = false;
    measure("checker after state changes, model (fuzzers)", programs, fuzzers, true);
    fuzzsys::Options with_teardown = fuzzers;
    with_teardown.teardown = true;
    measure("the same with destroy_all after every run", programs, with_teardown, true);
    fuzzsys::Options no_snapshots = with_teardown;
    no_snapshots.snapshots = false;
    measure("the same, fresh boot for every run (no snapshot)", programs, no_snapshots, true);
    fuzzsys::Options end_check = fuzzers;
    end_check.check = Check::end;
    measure("checker at the end only, model", programs, end_check, true);
    fuzzsys::Options no_model = fuzzers;
    no_model.model = false;
    measure("checker after state changes, no model", programs, no_model, true);
    fuzzsys::Options bare = no_model;
    bare.check = Check::end;
    measure("neither (dispatcher + status/register checks)", programs, bare, true);
    measure("reset only (restore, no steps)", programs, bare, false);
    fuzzsys::Options bare_fresh = bare;
    bare_fresh.snapshots = false;
    bare_fresh.teardown = true;
    measure("reset only, fresh boot + destroy_all (no snapshot)", programs, bare_fresh, false);
    return 0;
}
