// The smp syscall program: the sequential program's steps spread over 2 to 4 simulated CPUs, with the input
// also steering hostsim's schedule, so syscalls of threads on different CPUs race for the kernel (its lock,
// and whatever it touches outside it).
//
// Input: one header byte (CPUs: 2 + h % 3), then records of `smp_record_bytes`:
//   [0]     the CPU the step runs on (% CPUs)
//   [1..3]  schedule bytes: consumed in pairs across the whole input, each pair (n, c) lets the fair default
//           scheduler decide n times, then picks option c % options at the next decision point
//   [4..19] the step (program.hpp); its actor is chosen among the threads whose CPU is that CPU
// CPU c runs its steps in input order; every thread makes syscalls only on its own CPU (thread.cpu), as the
// run loop would run it, and never on two CPUs at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"

namespace fuzzsys {

inline constexpr std::size_t smp_header_bytes = 1;
inline constexpr std::size_t smp_record_bytes = 4 + record_bytes;

/// The sandbox options of the smp target: a machine of 4 CPUs.
Options smp_options();

/// Resets `w` for the input's CPU count and runs the input. The schedule taken is
/// w.machine().outcome().schedule.
void run_smp_program(Sandbox& w, const std::uint8_t* data, std::size_t size);
/// The input's CPU count, and its steps alone on a sandbox reset for that count.
unsigned smp_cpus(const std::uint8_t* data, std::size_t size);
void run_smp_steps(Sandbox& w, const std::uint8_t* data, std::size_t size);

} // namespace fuzzsys
