// libFuzzer target for the ACPI parser (ctest boot.fuzz.acpi in the fuzz preset).
//
// Input: bytes 0-3 are the RSDP hint (u32, little-endian) the loader would pass; 0 means none, and then the
// parser scans the legacy areas. The rest is physical memory from 0xE0000 (memory_base) on: the BIOS area the
// scan reads, and room for the RSDP, the RSDT/XSDT and the tables they point to, all by absolute physical
// address, so the fuzzer can build whole chains (or point outside the input, which must be refused). Nothing
// else is readable (no BDA, so no EBDA).
// The fake memory is strict: every read the parser is granted is an exact-size heap copy, so ASan reports any
// access past what the parser asked for. After each parse AcpiInfo's invariants are checked
// (kernel/boot/testing/acpi_check.hpp: capacities, kept CPUs enabled or online capable, no APIC ID twice, no
// MADT fields without a MADT, problem signatures terminated). JANUS_FUZZ_VERBOSE=1 prints each outcome.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/testing/acpi_check.hpp"
#include "kernel/boot/testing/fake_phys.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;
namespace ka = kernel::boot::acpi;

constexpr std::uint64_t memory_base = 0xe0000;
constexpr std::size_t hint_size = 4;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "acpi_fuzz: %s %s\n", what, detail.c_str());
    __builtin_trap();
}

void check(const ka::AcpiInfo& info, std::uint64_t hint, std::uint64_t limit) {
    if (std::string why = testing::acpi::acpi_violation(info); !why.empty()) broken("invariant:", why);
    if (info.found) {
        if (hint != 0 && info.rsdp_pa != hint) broken("RSDP found elsewhere than the hint");
        if (info.rsdp_pa < memory_base || info.rsdp_pa >= limit) broken("RSDP outside the memory");
        if (hint == 0 && info.rsdp_pa % 16 != 0) broken("scan found an RSDP off a 16-byte boundary");
    }
}

const bool verbose = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;

void describe(const ka::AcpiInfo& info) {
    std::fprintf(
        stderr,
        "found %d rev %u madt %d cpus %zu (+%zu) ioapics %zu overrides %zu nmis %zu pm_timer %d hpet %d "
        "mcfg %zu problems %zu (+%zu)\n",
        info.found, info.revision, info.madt, info.cpu_count, info.cpus_dropped, info.ioapic_count,
        info.override_count, info.nmi_count, info.pm_timer.present, info.hpet.present, info.mcfg_count,
        info.problem_count, info.problems_dropped);
    for (std::size_t i = 0; i < info.problem_count; ++i) {
        char line[256];
        kernel::BufferSink sink(line, sizeof line);
        ka::put(sink, info.problems[i]);
        std::fprintf(stderr, "  %.*s\n", static_cast<int>(sink.view().size()), sink.view().data());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size <= hint_size) return 0;
    std::uint32_t hint = 0;
    for (std::size_t i = 0; i < hint_size; ++i) hint |= std::uint32_t{data[i]} << (8 * i);
    FakePhys mem(memory_base, size - hint_size);
    mem.set_strict(true);
    mem.write(memory_base, data + hint_size, size - hint_size);

    static ka::AcpiInfo info; // large: keep it off the stack
    ka::parse(mem, hint, info);
    check(info, hint, mem.limit());
    if (verbose) describe(info);
    return 0;
}
