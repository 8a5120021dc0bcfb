// The kernel's first objects and its last: create_root makes the root protection domain and the boot
// objects user space starts with, destroy_all ends every object (tests and the fuzzer start afresh with it).
#pragma once

#include <cstdint>

#include "kernel/kernel.hpp"
#include "kernel/lib/result.hpp"

namespace kernel {

class Pd;
class Thread;

/// What create_root makes. Boot objects are paid by nobody, so right after boot pd_quota reports
/// limit = quota and used = 0.
struct RootConfig {
    std::uint64_t quota = 0;     ///< kernel memory for everything the root creates
    unsigned cap_order = 8;      ///< 4..12
    std::uint64_t utcb = 0x1000; ///< the first thread's UTCB page in the root's address space
    std::uint32_t priority = 128;
    std::uint32_t cpu = 0;
};

struct Root {
    Pd* pd;
    Thread* thread;
};

enum class RootError : std::uint8_t {
    already_created, ///< a root domain exists
    bad_config,      ///< cap_order outside 4..12, a UTCB that is no page-aligned user address, a CPU that
                     ///< does not exist, a priority above 255
    out_of_memory,   ///< the page source could not back the boot objects
};

/// Make the root protection domain with selector 1 = itself, 2 = its first thread, 3 = irq_control,
/// 4 = io_control, 5 = mmio_control (all with every right), as docs/abi.md promises user space. Used by the
/// boot path and by every test.
Result<Root, RootError> create_root(Kernel& kernel, const RootConfig& config);

/// Destroy every object (the root and with it everything paid from its quota, and the boot objects); the
/// kernel is empty again and every page is back with the page source. For tests and the fuzzer.
void destroy_all(Kernel& kernel);

} // namespace kernel
