// A record-aware mutator for the syscall fuzzers (libFuzzer's LLVMFuzzerCustomMutator/CustomCrossOver):
// inserts, deletes, duplicates and swaps whole step records, retargets a record to another syscall, and
// splices programs at record boundaries; otherwise it lets libFuzzer mutate the bytes of a single record.
// With JANUS_FUZZ_PLAIN_MUTATOR=1 in the environment it steps aside (plain libFuzzer mutations), which is how
// fuzz/README.md compares the two.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fuzzsys {

/// How a target's input is laid out: `header` bytes, then records of `record` bytes; the byte at `kind_at` in
/// a record selects its step (program.hpp).
struct Layout {
    std::size_t header = 0;
    std::size_t record = 16;
    std::size_t kind_at = 0;
};

/// Mutates data[0, size) in place (capacity max_size) and returns the new size.
std::size_t mutate_program(const Layout& layout, std::uint8_t* data, std::size_t size, std::size_t max_size,
                           unsigned seed);
std::size_t cross_over_programs(const Layout& layout, const std::uint8_t* a, std::size_t a_size,
                                const std::uint8_t* b, std::size_t b_size, std::uint8_t* out,
                                std::size_t max_out, unsigned seed);

} // namespace fuzzsys
