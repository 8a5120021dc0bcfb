// libFuzzer target `syscalls` (ctest syscall.fuzz.syscalls): the input is a syscall program (program.hpp: 16
// bytes per step), run on one reused kernel (sandbox.hpp) with every oracle after every step. A failure
// prints the program with the kernel's and the model's outcomes and aborts; `./janus fuzz repro <file>` turns
// the input into C++ (fuzz/README.md). JANUS_FUZZ_VERBOSE=1 prints every program as it runs; JANUS_FUZZ_CHECK
// and JANUS_FUZZ_NO_MODEL (options() below) trade oracles for speed when measuring; JANUS_FUZZ_TEARDOWN=1
// adds destroy_all and its page count after every input, JANUS_FUZZ_VERIFY_RESTORE=1 a full comparison of
// every restored kernel with its snapshot.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/syscalls/mutator.hpp"
#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"

namespace {

constexpr fuzzsys::Layout layout{0, fuzzsys::record_bytes, 0};

/// The fuzzers check invariants after every step that may have changed state (sandbox.hpp);
/// JANUS_FUZZ_CHECK=every checks after every step, as the tests do, =end only at the end (to measure).
fuzzsys::Options options() {
    fuzzsys::Options o;
    const std::string_view check = std::getenv("JANUS_FUZZ_CHECK") ? std::getenv("JANUS_FUZZ_CHECK") : "";
    o.check = check == "every" ? fuzzsys::Options::Check::every_step
              : check == "end" ? fuzzsys::Options::Check::end
                               : fuzzsys::Options::Check::state_changes;
    o.model = std::getenv("JANUS_FUZZ_NO_MODEL") == nullptr;
    // The next input's reset restores the booted kernel's snapshot; destroy_all at the end of every input
    // (with its page count) only on request. The corpus census (syscall.fuzz.census) keeps it.
    o.teardown = std::getenv("JANUS_FUZZ_TEARDOWN") != nullptr;
    // Every restore compared with its snapshot, in full (slow): a check of the restore on the fuzzer's
    // inputs.
    o.verify_restore = std::getenv("JANUS_FUZZ_VERIFY_RESTORE") != nullptr;
    return o;
}

bool verbose() {
    static const bool v = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::abort, options());
    w.reset();
    fuzzsys::run_program(w, data, size);
    w.finish();
    if (verbose()) std::fprintf(stderr, "%s", w.report().c_str());
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
