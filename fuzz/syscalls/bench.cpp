// bench_syscall_fuzz: executions per second of the syscall fuzzer's harness (fuzz/syscalls/) on a fixed input
// set: 4096 programs of 8 steps from a fixed-seed generator, or the files given on the command line. Prints
// the rate with every oracle, then with parts switched off, so the cost of each is visible. CPU time of this
// process (not wall-clock), so a busy machine shows less in the figures.
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
    const int rounds = 3;
    std::clock_t start = std::clock();
    for (int r = 0; r < rounds; ++r)
        for (const Program& p : programs) {
            w.reset();
            if (run) fuzzsys::run_program(w, p.data(), p.size());
            w.finish();
        }
    double seconds = double(std::clock() - start) / CLOCKS_PER_SEC;
    double execs = double(rounds) * double(programs.size());
    std::printf("syscall_fuzz: %-44s %9.0f execs/s  (%6.1f us each)\n", what, execs / seconds,
                1e6 * seconds / execs);
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
    fuzzsys::Options all;
    measure("checker after every step, model (CI, tests)", programs, all, true);
    fuzzsys::Options changes = all;
    changes.check = Check::state_changes;
    measure("checker after state changes, model (fuzzers)", programs, changes, true);
    fuzzsys::Options end_check = all;
    end_check.check = Check::end;
    measure("checker at the end only, model", programs, end_check, true);
    fuzzsys::Options no_model = changes;
    no_model.model = false;
    measure("checker after state changes, no model", programs, no_model, true);
    fuzzsys::Options bare = no_model;
    bare.check = Check::end;
    measure("neither (dispatcher + status/register checks)", programs, bare, true);
    measure("kernel reset only (destroy_all + create_root)", programs, bare, false);
    return 0;
}
