// libFuzzer target `syscalls_smp` (ctest syscall.fuzz.syscalls_smp): syscall programs on 2 to 4 simulated
// CPUs whose schedule the input steers too (smp.hpp), with the oracles of the sequential target under the
// kernel lock. A failure prints the program in lock order (each step with its CPU) and aborts; `./janus fuzz
// repro <file>` on an input under a syscalls_smp directory prints it with the schedule string that replays
// it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/syscalls/mutator.hpp"
#include "fuzz/syscalls/smp.hpp"
#include "hostsim/schedule.hpp"

namespace {

constexpr fuzzsys::Layout layout{fuzzsys::smp_header_bytes, fuzzsys::smp_record_bytes, 4};

bool verbose() {
    static const bool v = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;
    return v;
}

/// As the sequential target: the next input restores the snapshot; JANUS_FUZZ_TEARDOWN=1 adds destroy_all;
/// JANUS_FUZZ_CHECK=every|end and JANUS_FUZZ_NO_MODEL trade oracles for speed when measuring.
fuzzsys::Options options() {
    fuzzsys::Options o = fuzzsys::smp_options();
    const std::string_view check = std::getenv("JANUS_FUZZ_CHECK") ? std::getenv("JANUS_FUZZ_CHECK") : "";
    if (check == "every") o.check = fuzzsys::Options::Check::every_step;
    if (check == "end") o.check = fuzzsys::Options::Check::end;
    o.model = std::getenv("JANUS_FUZZ_NO_MODEL") == nullptr;
    o.teardown = std::getenv("JANUS_FUZZ_TEARDOWN") != nullptr;
    // Every restore compared with its snapshot, in full (slow): a check of the restore on the fuzzer's
    // inputs.
    o.verify_restore = std::getenv("JANUS_FUZZ_VERIFY_RESTORE") != nullptr;
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::abort, options());
    fuzzsys::run_smp_program(w, data, size);
    w.finish();
    if (verbose())
        std::fprintf(stderr, "%sschedule: %s\n", w.report().c_str(),
                     hostsim::encode_schedule(w.machine().outcome().schedule).c_str());
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned seed) {
    return fuzzsys::mutate_program(layout, data, size, max_size, seed);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* a, std::size_t a_size,
                                                 const std::uint8_t* b, std::size_t b_size, std::uint8_t* out,
                                                 std::size_t max_out, unsigned seed) {
    return fuzzsys::cross_over_programs(layout, a, a_size, b, b_size, out, max_out, seed);
}
